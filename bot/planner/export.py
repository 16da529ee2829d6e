"""A plan as a spreadsheet (CSV or XLSX, through the shortlist export's writers): one row per
candidate, chosen ones first, with tier, cost and its basis (net quote or list price), plays
(estimated or Xingtu's), CPM/CPE, the data source and the data time. Money in yuan."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from bot.i18n import pick, tr
from bot.models import Lang
from bot.planner.models import TIER_LABELS, Candidate, Plan, PriceBasis
from bot.shortlists.export import COUNT, PERCENT, TIME, YUAN, YUAN_CENTS, Column, write_csv, write_xlsx

BASIS_LABELS: dict[PriceBasis, tuple[str, str]] = {
    PriceBasis.QUOTE: ("quote, net of rebate", "报价（扣除返点）"),
    PriceBasis.LIST: ("list price", "刊例价"),
}


def _row(plan: Plan) -> list[tuple[Candidate, bool]]:
    chosen = {c.star_id for c in plan.chosen}
    rows = [(c, True) for c in plan.chosen]
    return rows + [(c, False) for c in plan.candidates if c.star_id not in chosen]


def _basis(row: tuple[Candidate, bool], lang: Lang) -> str:
    basis = row[0].basis
    return pick(lang, *BASIS_LABELS[basis]) if basis else tr(lang, "ask for a quote")


def _time(row: tuple[Candidate, bool], _lang: Lang) -> Any:
    moment = row[0].data_time
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def _rebate(row: tuple[Candidate, bool], _lang: Lang) -> float | None:
    return None if row[0].rebate_pct is None else row[0].rebate_pct / 100


COLUMNS: list[Column] = [
    Column(
        "In plan",
        "入选",
        lambda r, lang: tr(lang, "yes") if r[1] else tr(lang, "no"),
        width=8,
    ),
    Column("Star ID", "星图ID", lambda r, _: r[0].star_id, width=22),
    Column("Creator", "达人", lambda r, _: r[0].nickname, width=24),
    Column("Tier", "层级", lambda r, lang: pick(lang, *TIER_LABELS[r[0].tier]), width=8),
    Column("Followers", "粉丝数", lambda r, _: r[0].followers, COUNT),
    Column("Cost", "费用", lambda r, _: r[0].cost_yuan, YUAN),
    Column("Price basis", "计价依据", _basis, width=20),
    Column("List price", "刊例价", lambda r, _: r[0].list_price_yuan, YUAN),
    Column("Quote", "报价", lambda r, _: r[0].quote_yuan, YUAN),
    Column("Rebate %", "返点%", _rebate, PERCENT, 10),
    Column("Expected plays", "预期播放量", lambda r, _: r[0].expected_plays, COUNT),
    Column(
        "Plays basis",
        "播放量依据",
        lambda r, lang: (
            tr(lang, "estimated: price ÷ CPM")
            if r[0].plays_estimated
            else tr(lang, "Xingtu")
            if r[0].expected_plays
            else None
        ),
        width=20,
    ),
    Column("Expected engagements", "预期互动量", lambda r, _: r[0].engagements, COUNT),
    Column("CPM", "CPM", lambda r, _: r[0].cpm_yuan, YUAN_CENTS, 12),
    Column("CPE", "CPE", lambda r, _: r[0].cpe_yuan, YUAN_CENTS, 12),
    Column("Objective value", "目标值", lambda r, _: r[0].value, COUNT),
    Column("MCN", "MCN", lambda r, _: r[0].mcn, width=16),
    Column(
        "Source",
        "数据来源",
        lambda r, lang: tr(lang, "live") if r[0].live else tr(lang, "demo"),
    ),
    Column("Data time (UTC)", "数据时间（UTC）", _time, TIME, 18),
    Column("Xingtu", "星图链接", lambda r, _: r[0].xingtu_url, width=30),
]


def plan_csv(plan: Plan, lang: Lang = "en") -> bytes:
    return write_csv(COLUMNS, _row(plan), lang)


def plan_xlsx(plan: Plan, lang: Lang = "en", *, title: str = "plan") -> bytes:
    return write_xlsx(COLUMNS, _row(plan), lang, title=title)
