"""A plan as a spreadsheet (CSV or XLSX, through the shortlist export's writers): one row per
candidate, chosen ones first, with tier, cost and its basis (net quote or list price), plays
(estimated or Xingtu's), CPM/CPE, the data source and the data time. Money in yuan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from bot.i18n import N_, ptr, tr
from bot.models import Duration, Lang
from bot.planner.models import TIER_LABELS, Candidate, Plan, PriceBasis
from bot.shortlists.export import (
    COUNT,
    NAME_WIDTH,
    NOTE_WIDTH,
    PERCENT,
    TEXT,
    TIME,
    YUAN,
    YUAN_CENTS,
    Column,
    SummaryRow,
    video_length_column,
    write_csv,
    write_xlsx,
)

BASIS_LABELS: dict[PriceBasis, str] = {
    PriceBasis.QUOTE: N_("quote, net of rebate"),
    PriceBasis.LIST: N_("list price"),
}


def _row(plan: Plan) -> list[tuple[Candidate, bool]]:
    chosen = {c.star_id for c in plan.chosen}
    rows = [(c, True) for c in plan.chosen]
    return rows + [(c, False) for c in plan.candidates if c.star_id not in chosen]


def _basis(row: tuple[Candidate, bool], lang: Lang) -> str:
    basis = row[0].basis
    return tr(lang, BASIS_LABELS[basis]) if basis else tr(lang, "ask for a quote")


PLAYS_ESTIMATE = N_("estimated: price ÷ CPM")
ENGAGEMENTS_ESTIMATE = N_("estimated: plays × the candidates' median engagement rate")


def _basis_of(estimated: bool, known: object, how: str, lang: Lang) -> str | None:
    """How a figure was had: estimated (`how`), Xingtu's, or empty when there is none."""
    if estimated:
        return tr(lang, how)
    return tr(lang, "Xingtu") if known else None


def _time(row: tuple[Candidate, bool], _lang: Lang) -> Any:
    moment = row[0].data_time
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def _rebate(row: tuple[Candidate, bool], _lang: Lang) -> float | None:
    return None if row[0].rebate_pct is None else row[0].rebate_pct / 100


def columns(duration: Duration) -> list[Column]:
    """The plan's columns, titled from the catalog like the shortlist's; its prices are for `duration`."""
    return [
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "In plan"),
            lambda r, lang: tr(lang, "yes") if r[1] else tr(lang, "no"),
        ),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Star ID"),
            lambda r, _: r[0].star_id,
            TEXT,
            text_id=True,
        ),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Creator"),
            lambda r, _: r[0].nickname,
            max_width=NAME_WIDTH,
            pinned=True,
        ),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Tier"),
            lambda r, lang: tr(lang, TIER_LABELS[r[0].tier]),
        ),
        Column(lambda lang: ptr(lang, "spreadsheet column", "Followers"), lambda r, _: r[0].followers, COUNT),
        video_length_column(duration),
        Column(lambda lang: ptr(lang, "spreadsheet column", "Cost"), lambda r, _: r[0].cost_yuan, YUAN),
        Column(lambda lang: ptr(lang, "spreadsheet column", "Price basis"), _basis),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "List price"),
            lambda r, _: r[0].list_price_yuan,
            YUAN,
        ),
        Column(lambda lang: ptr(lang, "spreadsheet column", "Quote"), lambda r, _: r[0].quote_yuan, YUAN),
        Column(lambda lang: ptr(lang, "spreadsheet column", "Rebate %"), _rebate, PERCENT),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Expected plays"),
            lambda r, _: r[0].expected_plays,
            COUNT,
        ),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Plays basis"),
            lambda r, lang: _basis_of(r[0].plays_estimated, r[0].expected_plays, PLAYS_ESTIMATE, lang),
            max_width=NOTE_WIDTH,
        ),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Expected engagements"),
            lambda r, _: r[0].engagements,
            COUNT,
        ),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Engagements basis"),
            lambda r, lang: _basis_of(
                r[0].engagements_estimated, r[0].engagements, ENGAGEMENTS_ESTIMATE, lang
            ),
            max_width=NOTE_WIDTH,
        ),
        Column(lambda lang: ptr(lang, "spreadsheet column", "CPM"), lambda r, _: r[0].cpm_yuan, YUAN_CENTS),
        Column(lambda lang: ptr(lang, "spreadsheet column", "CPE"), lambda r, _: r[0].cpe_yuan, YUAN_CENTS),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Objective value"),
            lambda r, _: r[0].value,
            COUNT,
        ),
        Column(lambda lang: ptr(lang, "spreadsheet column", "MCN"), lambda r, _: r[0].mcn),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Source"),
            lambda r, lang: tr(lang, "live") if r[0].live else tr(lang, "demo"),
        ),
        Column(lambda lang: ptr(lang, "spreadsheet column", "Data time (UTC)"), _time, TIME),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Xingtu"),
            lambda r, _: r[0].xingtu_url,
            link=lambda lang: tr(lang, "Xingtu"),
        ),
    ]


def plan_csv(plan: Plan, lang: Lang = "en") -> bytes:
    return write_csv(columns(plan.request.duration), _row(plan), lang)


def plan_xlsx(
    plan: Plan,
    lang: Lang = "en",
    *,
    title: str = "plan",
    summary: tuple[str, Sequence[SummaryRow]] | None = None,
) -> bytes:
    """The candidates' sheet, and `summary` (`bot.cards.plan_views.plan_summary`) on a second."""
    return write_xlsx(columns(plan.request.duration), _row(plan), lang, title=title, summary=summary)
