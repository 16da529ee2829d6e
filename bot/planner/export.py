"""A plan as a spreadsheet (CSV or XLSX, through the shortlist export's writers): one row per
candidate, chosen ones first, with tier, cost and its basis (net quote or list price), plays
(estimated or Xingtu's), CPM/CPE, the objective value (empty when unknown), the reason a creator
is not in the plan (as the card gives it), the data source and the data time. Money in yuan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any, NamedTuple

from bot.i18n import N_, Text, ptr, tr
from bot.models import Duration, Lang
from bot.planner import outliers
from bot.planner.candidates import OBJECTIVE_LABELS
from bot.planner.models import TIER_LABELS, Candidate, Plan, PriceBasis
from bot.planner.wording import Money
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


class Row(NamedTuple):
    """A candidate, whether it is in the plan, and why not (or, in it, what is unknown about it)."""

    candidate: Candidate
    chosen: bool
    reason: Text | None


def _row(plan: Plan) -> list[Row]:
    chosen = {c.star_id for c in plan.chosen}
    why = reasons(plan)
    rows = [Row(c, True, why.get(c.star_id)) for c in plan.chosen]
    return rows + [Row(c, False, why.get(c.star_id)) for c in plan.candidates if c.star_id not in chosen]


class _Found(NamedTuple):
    """What the planner found about the candidates it left out: the lists the plan card shows."""

    unpriced: set[str]
    overpriced: set[str]
    unvalued: set[str]
    runner_up_of: dict[str, str]  # a runner-up's star_id -> the pick's name
    median_cpm: float | None


def _found(plan: Plan) -> _Found:
    return _Found(
        unpriced={c.star_id for c in plan.unpriced},
        overpriced=set(plan.overpriced),
        unvalued={c.star_id for c in plan.unvalued},
        runner_up_of={p.runner_up.star_id: p.candidate.nickname for p in plan.picks if p.runner_up},
        median_cpm=outliers.median_cpm(plan.not_excluded),
    )


def reasons(plan: Plan) -> dict[str, Text]:
    """By star_id: why each candidate is out of the plan (in the card's terms first: excluded, ask
    for a quote, CPM far above the median, nothing to weigh it by; then runner-up, too dear for
    what is left, or the optimum is better without it), and for a pick whose objective value is
    unknown, that it is."""
    what = OBJECTIVE_LABELS[plan.request.goal]
    why = {
        c.star_id: Text(
            "In the plan with %(objective)s unknown: named in must=, or the mix needs it.",
            objective=what,
        )
        for c in plan.chosen
        if c.value <= 0
    }
    chosen, found = {c.star_id for c in plan.chosen}, _found(plan)
    for c in plan.candidates:
        if c.star_id not in chosen:
            why[c.star_id] = _left_out(plan, c, found, what)
    return why


def _left_out(plan: Plan, c: Candidate, found: _Found, what: Text) -> Text:
    """Why a candidate is out of the plan: the reasons the card gives first."""
    if c.star_id in plan.request.exclude:
        return Text("Left out: named in exclude=.")
    if c.star_id in found.unpriced:
        return Text("Left out: no quote and no list price; ask for a quote.")
    if c.star_id in found.overpriced and found.median_cpm is not None:
        return Text(
            "Left out: CPM %(cpm)s is over %(factor)s× this plan's median of %(median)s; "
            "the price is likely stale or the reach has dropped.",
            cpm=Money(c.cpm_yuan or 0.0),
            factor=format(plan.request.outlier_factor, "g"),
            median=Money(found.median_cpm),
        )
    if c.star_id in found.unvalued:
        return Text(
            "Left out: %(objective)s unknown at this video length, nothing to weigh it by.", objective=what
        )
    return _not_picked(plan, c, found, what)


def _not_picked(plan: Plan, c: Candidate, found: _Found, what: Text) -> Text:
    """Why the optimum goes without a creator it could have had."""
    if c.star_id in found.runner_up_of:
        return Text("Not picked: runner-up to %(name)s.", name=found.runner_up_of[c.star_id])
    if c.cost_yuan is not None and c.cost_yuan > plan.left_yuan:
        return Text(
            "Not picked: costs %(cost)s, more than the %(left)s left.",
            cost=Money(c.cost_yuan),
            left=Money(plan.left_yuan),
        )
    return Text(
        "Not picked: the picks give more %(objective)s within the budget and constraints.", objective=what
    )


def _basis(row: Row, lang: Lang) -> str:
    basis = row[0].basis
    return tr(lang, BASIS_LABELS[basis]) if basis else tr(lang, "ask for a quote")


PLAYS_ESTIMATE = N_("estimated: price ÷ CPM")
ENGAGEMENTS_ESTIMATE = N_("estimated: plays × the candidates' median engagement rate")


def _basis_of(estimated: bool, known: object, how: str, lang: Lang) -> str | None:
    """How a figure was had: estimated (`how`), Xingtu's, or empty when there is none."""
    if estimated:
        return tr(lang, how)
    return tr(lang, "Xingtu") if known else None


def _time(row: Row, _lang: Lang) -> Any:
    moment = row[0].data_time
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def _rebate(row: Row, _lang: Lang) -> float | None:
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
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Followers"),
            lambda r, _: r[0].followers,
            COUNT,
            compact_zh=True,
        ),
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
            lambda r, _: r[0].value if r[0].value > 0 else None,  # 0: unknown (see `Plan.unvalued`)
            COUNT,
        ),
        Column(
            lambda lang: ptr(lang, "spreadsheet column", "Reason"),
            lambda r, lang: None if r.reason is None else tr(lang, r.reason),
            max_width=NOTE_WIDTH,
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
