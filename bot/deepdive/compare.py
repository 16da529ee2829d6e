"""Compare 2-5 creators side by side at one video duration.

Every price, CPM and CPE uses the same duration. Each metric gets a percentile within the
group (100 = best of the group, lower is better for money), the best value per row is
marked, and each creator gets a two-line verdict: strongest and weakest metric.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from bot import formatting as fmt
from bot.deepdive.audience import audience_fit
from bot.deepdive.models import DeepDive
from bot.errors import QueryError
from bot.i18n import Untranslated
from bot.models import AudienceTargets, Duration, Lang

MIN_CREATORS, MAX_CREATORS = 2, 5
_USAGE_EN = "Compare 2-5 creators: `/kol compare <id> <id> [<id> …] [duration=21-60]`."
_USAGE_ZH = "对比 2-5 位达人：`/kol compare <ID> <ID> [<ID> …] [duration=21-60]`。"


class MetricKey(StrEnum):
    FOLLOWERS = "followers"
    PRICE = "price"
    CPM = "cpm"
    CPE = "cpe"
    ER = "er"
    COMPLETION = "completion"
    MEDIAN_VIEWS = "median_views"
    STAR_INDEX = "star_index"
    AUDIENCE_FIT = "audience_fit"


@dataclass(frozen=True)
class Metric:
    en: str
    zh: str
    higher_is_better: bool
    show: Callable[[float, Lang], str]


METRICS: dict[MetricKey, Metric] = {
    MetricKey.FOLLOWERS: Metric("followers", "粉丝数", True, lambda v, lang: fmt.count(v, lang)),
    MetricKey.PRICE: Metric("price", "报价", False, lambda v, lang: fmt.yuan(v, lang)),
    MetricKey.CPM: Metric("CPM", "CPM", False, lambda v, lang: fmt.cpm(v, lang)),
    MetricKey.CPE: Metric("CPE", "CPE", False, lambda v, lang: fmt.cpe(v, lang)),
    MetricKey.ER: Metric("interaction rate", "互动率", True, lambda v, _lang: fmt.pct(v)),
    MetricKey.COMPLETION: Metric("completion rate", "完播率", True, lambda v, _lang: fmt.pct(v)),
    MetricKey.MEDIAN_VIEWS: Metric("median views", "播放中位数", True, lambda v, lang: fmt.count(v, lang)),
    MetricKey.STAR_INDEX: Metric("Xingtu index", "星图指数", True, lambda v, _lang: fmt.index(v)),
    MetricKey.AUDIENCE_FIT: Metric("audience fit", "受众匹配度", True, lambda v, _lang: f"{v:.0f}%"),
}


def _bad(token: str, en: str, zh: str) -> QueryError:
    return QueryError(token, Untranslated(en, zh), usage=Untranslated(_USAGE_EN, _USAGE_ZH))


def check_compare_ids(identifiers: Sequence[str]) -> list[str]:
    """The identifiers, stripped; `QueryError` for too few, too many or repeated ones."""
    names = [i.strip() for i in identifiers if i.strip()]
    if len(names) < MIN_CREATORS:
        raise _bad(" ".join(names), "Give at least 2 creators to compare.", "请至少提供 2 位达人进行对比。")
    if len(names) > MAX_CREATORS:
        raise _bad(
            " ".join(names[MAX_CREATORS:]),
            f"At most {MAX_CREATORS} creators can be compared; you gave {len(names)}.",
            f"最多对比 {MAX_CREATORS} 位达人，你提供了 {len(names)} 位。",
        )
    seen: set[str] = set()
    for name in names:
        key = name.removeprefix("@").lower()
        if key in seen:
            raise _bad(name, f"“{name}” is listed twice.", f"“{name}” 重复出现。")
        seen.add(key)
    return names


def check_distinct(star_ids: Sequence[str], names: Sequence[str]) -> None:
    """Two different identifiers can still name the same creator."""
    first: dict[str, str] = {}
    for star_id, name in zip(star_ids, names, strict=True):
        if star_id in first:
            raise _bad(
                name,
                f"“{first[star_id]}” and “{name}” are the same creator.",
                f"“{first[star_id]}” 和 “{name}” 是同一位达人。",
            )
        first[star_id] = name


class Cell(BaseModel):
    value: float | None
    percentile: float | None = None  # 0-100 within the group, 100 = best
    best: bool = False


class Row(BaseModel):
    key: MetricKey
    cells: list[Cell]

    def label(self, lang: Lang) -> str:
        metric = METRICS[self.key]
        return metric.zh if lang == "zh" else metric.en

    def shown(self, index: int, lang: Lang) -> str:
        value = self.cells[index].value
        return fmt.DASH if value is None else METRICS[self.key].show(value, lang)


class Verdict(BaseModel):
    star_id: str
    nickname: str
    strongest: MetricKey | None
    weakest: MetricKey | None
    en: tuple[str, str]
    zh: tuple[str, str]

    def lines(self, lang: Lang) -> tuple[str, str]:
        return self.zh if lang == "zh" else self.en


class Comparison(BaseModel):
    duration: Duration
    star_ids: list[str]
    nicknames: list[str]
    rows: list[Row]
    verdicts: list[Verdict]
    cost_usd: float
    upstream_calls: int
    cache_hits: int

    def row(self, key: MetricKey) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def values(self, key: MetricKey) -> list[float | None]:
        row = self.row(key)
        return [c.value for c in row.cells] if row else [None] * len(self.star_ids)


def _cpm(dive: DeepDive, duration: Duration) -> float | None:
    for source in (dive.cp.data, dive.overview.data):
        if source and duration in source.cpm:
            return source.cpm[duration]
    price, cp = _price(dive, duration), dive.cp.data
    return price * 1000 / cp.expected_plays if price and cp and cp.expected_plays else None


def _cpe(dive: DeepDive, duration: Duration) -> float | None:
    return next(
        (s.cpe[duration] for s in (dive.cp.data, dive.overview.data) if s and duration in s.cpe), None
    )


def _price(dive: DeepDive, duration: Duration) -> float | None:
    quote = dive.prices.data.for_duration(duration) if dive.prices.data else None
    return quote.yuan if quote else None


def _metric(
    dive: DeepDive, key: MetricKey, duration: Duration, targets: AudienceTargets | None
) -> float | None:
    overview, base, index = dive.overview.data, dive.base.data, dive.index.data
    match key:
        case MetricKey.FOLLOWERS:
            return base.followers if base else None
        case MetricKey.PRICE:
            return _price(dive, duration)
        case MetricKey.CPM:
            return _cpm(dive, duration)
        case MetricKey.CPE:
            return _cpe(dive, duration)
        case MetricKey.ER:
            return overview.interact_rate.value if overview and overview.interact_rate else None
        case MetricKey.COMPLETION:
            return overview.completion_rate.value if overview and overview.completion_rate else None
        case MetricKey.MEDIAN_VIEWS:
            return overview.median_plays if overview else None
        case MetricKey.STAR_INDEX:
            score = index.get("link_star_index") if index else None
            return score.value if score else None
        case MetricKey.AUDIENCE_FIT:
            portrait = dive.audience.data or dive.fans.data
            return audience_fit(portrait, targets).overall_pct if targets else None


def _row(key: MetricKey, values: list[float | None]) -> Row:
    """Percentile = share of the other known values this one beats (ties count half), 0-100."""
    sign = 1 if METRICS[key].higher_is_better else -1
    known = [sign * v for v in values if v is not None]
    cells = []
    for value in values:
        if value is None or len(known) < 2:
            cells.append(Cell(value=value))
            continue
        mine = sign * value
        beaten = sum(1 for v in known if v < mine) + 0.5 * (sum(1 for v in known if v == mine) - 1)
        cells.append(Cell(value=value, percentile=100 * beaten / (len(known) - 1)))
    top = max((c.percentile for c in cells if c.percentile is not None), default=None)
    for cell in cells:
        cell.best = top is not None and cell.percentile == top
    return Row(key=key, cells=cells)


def _standing(cell: Cell, group: int, strongest: bool) -> tuple[str, str]:
    if cell.best and strongest:
        return f"best of {group}", f"{group} 人中最佳"
    if cell.percentile == 0 and not strongest:
        return f"worst of {group}", f"{group} 人中最差"
    return f"beats {cell.percentile:.0f}% of the group", f"优于组内 {cell.percentile:.0f}%"


def _verdict(comparison_rows: list[Row], i: int, dive: DeepDive) -> Verdict:
    group = len(comparison_rows[0].cells)
    scored = [(p, r) for r in comparison_rows if (p := r.cells[i].percentile) is not None]
    ranked = [r for _, r in sorted(scored, key=lambda pair: pair[0])]
    if not ranked:
        return Verdict(
            star_id=dive.star_id,
            nickname=dive.nickname,
            strongest=None,
            weakest=None,
            en=("Not enough data to compare.", "No metric is known for this creator and another one."),
            zh=("数据不足，无法对比。", "该达人没有可与他人对比的指标。"),
        )
    best, worst = ranked[-1], ranked[0] if len(ranked) > 1 else None
    lines_en, lines_zh = [], []
    for row, strongest in ((best, True), (worst, False)):
        if row is None:
            lines_en.append("Weakest: only one metric could be compared.")
            lines_zh.append("最弱：仅有一项指标可对比。")
            continue
        where_en, where_zh = _standing(row.cells[i], group, strongest)
        head_en, head_zh = ("Strongest", "最强") if strongest else ("Weakest", "最弱")
        lines_en.append(f"{head_en}: {row.label('en')} {row.shown(i, 'en')} ({where_en})")
        lines_zh.append(f"{head_zh}：{row.label('zh')} {row.shown(i, 'zh')}（{where_zh}）")
    return Verdict(
        star_id=dive.star_id,
        nickname=dive.nickname,
        strongest=best.key,
        weakest=worst.key if worst else None,
        en=(lines_en[0], lines_en[1]),
        zh=(lines_zh[0], lines_zh[1]),
    )


def build_comparison(
    dives: Sequence[DeepDive], duration: Duration, *, targets: AudienceTargets | None = None
) -> Comparison:
    keys = [k for k in MetricKey if k is not MetricKey.AUDIENCE_FIT or targets]
    rows = [_row(key, [_metric(d, key, duration, targets) for d in dives]) for key in keys]
    return Comparison(
        duration=duration,
        star_ids=[d.star_id for d in dives],
        nicknames=[d.nickname or d.star_id for d in dives],
        rows=rows,
        verdicts=[_verdict(rows, i, d) for i, d in enumerate(dives)],
        cost_usd=round(sum(d.cost_usd for d in dives), 6),
        upstream_calls=sum(d.upstream_calls for d in dives),
        cache_hits=sum(d.cache_hits for d in dives),
    )
