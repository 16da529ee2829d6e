"""Compare 2-5 creators side by side at one video duration.

Every price, CPM and CPE uses the same duration. Each judged metric (value for money, engagement
and completion, Xingtu's index, audience fit) gets a percentile within the group (100 = best, lower
is better for CPM and CPE) and the best value per row is marked; followers, price and median views
are shown, not judged: they measure size, and a bigger or cheaper creator is not a better one (CPM
already weighs price against plays). Each creator gets a two-line verdict: the judged metric where
it stands furthest above the group's median and the one furthest below, by ratio on a log scale
(twice and half are as far apart), so a CPM of ¥1,482 against ¥12 outweighs an engagement rate of
1.2 % against 5 %. A price, CPM or CPE from a quote whose window ended before today is shown,
flagged, and not ranked.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot import formatting as fmt
from bot.deepdive.audience import audience_fit
from bot.deepdive.dates import china_today, ended_on
from bot.deepdive.models import DeepDive
from bot.errors import QueryError
from bot.formatting import Shown
from bot.i18n import Text
from bot.models import AudienceTargets, Creator, Duration, Lang

MIN_CREATORS, MAX_CREATORS = 2, 5
_USAGE = Text("Compare 2-5 creators: `%(command)s compare <id> <id> [<id> …] [duration=21-60]`.")


class MetricKey(StrEnum):
    FOLLOWERS = "followers"
    PRICE = "price"
    CPM = "cpm"
    CPE = "cpe"
    ER = "er"
    COMPLETION = "completion"
    MEDIAN_VIEWS = "median_views"
    XINGTU_INDEX = "xingtu_index"
    AUDIENCE_FIT = "audience_fit"


@dataclass(frozen=True)
class Metric:
    label: Text
    higher_is_better: bool
    show: Callable[[float, Lang], str]  # the value formatted for a language (digits and units)
    judged: bool = True  # ranked, marked best and used in verdicts (followers and price: shown only)


METRICS: dict[MetricKey, Metric] = {
    MetricKey.FOLLOWERS: Metric(Text("followers"), True, lambda v, lang: fmt.count(v, lang), judged=False),
    MetricKey.PRICE: Metric(Text("price"), False, lambda v, lang: fmt.yuan(v, lang), judged=False),
    MetricKey.CPM: Metric(Text("CPM"), False, lambda v, lang: fmt.cpm(v, lang)),
    MetricKey.CPE: Metric(Text("CPE"), False, lambda v, lang: fmt.cpe(v, lang)),
    MetricKey.ER: Metric(Text("engagement rate"), True, lambda v, _lang: fmt.pct(v)),
    MetricKey.COMPLETION: Metric(Text("completion rate"), True, lambda v, _lang: fmt.pct(v)),
    MetricKey.MEDIAN_VIEWS: Metric(
        Text("median views"), True, lambda v, lang: fmt.count(v, lang), judged=False
    ),
    MetricKey.XINGTU_INDEX: Metric(Text("Xingtu index"), True, lambda v, _lang: fmt.index(v)),
    MetricKey.AUDIENCE_FIT: Metric(Text("audience fit"), True, lambda v, _lang: f"{v:.0f}%"),
}


def _bad(token: str, what: Text) -> QueryError:
    return QueryError(token, what, usage=_USAGE)


def check_compare_ids(identifiers: Sequence[str]) -> list[str]:
    """The identifiers, stripped; `QueryError` for too few, too many or repeated ones."""
    names = [i.strip() for i in identifiers if i.strip()]
    if len(names) < MIN_CREATORS:
        raise _bad(" ".join(names), Text("Give at least 2 creators to compare."))
    if len(names) > MAX_CREATORS:
        raise _bad(
            " ".join(names[MAX_CREATORS:]),
            Text(
                "At most %(most)s creators can be compared; you gave %(given)s.",
                most=MAX_CREATORS,
                given=len(names),
            ),
        )
    seen: set[str] = set()
    for name in names:
        key = name.removeprefix("@").lower()
        if key in seen:
            raise _bad(name, Text("“%(name)s” is listed twice.", name=name))
        seen.add(key)
    return names


def check_distinct(star_ids: Sequence[str], names: Sequence[str]) -> None:
    """Two different identifiers can still name the same creator."""
    first: dict[str, str] = {}
    for star_id, name in zip(star_ids, names, strict=True):
        if star_id in first:
            raise _bad(
                name,
                Text("“%(first)s” and “%(name)s” are the same creator.", first=first[star_id], name=name),
            )
        first[star_id] = name


class Cell(BaseModel):
    value: float | None
    percentile: float | None = None  # 0-100 within the group, 100 = best
    best: bool = False
    edge: float | None = None  # how far above the group's median (log ratio, + = better)
    ended: date | None = None  # the quote behind this price, CPM or CPE ended then: not ranked
    searched: bool = False  # Xingtu's detail had no value: this one is from the last search


class Row(BaseModel):
    key: MetricKey
    cells: list[Cell]

    @property
    def label(self) -> Text:
        return METRICS[self.key].label

    def shown(self, index: int, lang: Lang) -> str:
        value = self.cells[index].value
        return fmt.DASH if value is None else METRICS[self.key].show(value, lang)


class Verdict(BaseModel):
    """A creator's strongest and weakest metric within the group, as two lines."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    star_id: str
    nickname: str
    strongest: MetricKey | None
    weakest: MetricKey | None
    lines: tuple[Text, Text]


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
    quote = dive.quote(duration)
    return quote.yuan if quote else None


def _quote_ended(dive: DeepDive, duration: Duration, today: date) -> date | None:
    """The day the quote for `duration` ended, when that is before `today`."""
    return ended_on(dive.quote(duration), today)


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
        case MetricKey.XINGTU_INDEX:
            score = index.get("link_star_index") if index else None
            return score.value if score else None
        case MetricKey.AUDIENCE_FIT:
            portrait = dive.audience.data or dive.fans.data
            return audience_fit(portrait, targets).overall_pct if targets else None


def _searched(creator: Creator | None, key: MetricKey, duration: Duration) -> float | None:
    """The value the creator's last search result gave, for what Xingtu's detail lacks."""
    if creator is None:
        return None
    match key:
        case MetricKey.FOLLOWERS:
            return creator.followers
        case MetricKey.PRICE:
            return creator.price(duration)
        case MetricKey.ER:
            return creator.interact_rate
        case MetricKey.COMPLETION:
            return creator.completion_rate
        case MetricKey.XINGTU_INDEX:
            return creator.link_star_index
    return None


MONEY_METRICS = frozenset({MetricKey.PRICE, MetricKey.CPM, MetricKey.CPE})  # priced for one video length


def _cell(dive: DeepDive, key: MetricKey, context: _Context) -> Cell:
    value = _metric(dive, key, context.duration, context.targets)
    searched = (
        value is None
        and (value := _searched(context.seen.get(dive.star_id), key, context.duration)) is not None
    )
    ended = (
        _quote_ended(dive, context.duration, context.today)
        if key in MONEY_METRICS and value is not None
        else None
    )
    return Cell(value=value, searched=searched, ended=ended)


def _row(key: MetricKey, cells: list[Cell]) -> Row:
    """Percentile = share of the other ranked values this one beats (ties count half), 0-100; edge =
    log of the value over the row's median, signed so that + is better. Only judged metrics with
    a value from a live quote are ranked."""
    metric = METRICS[key]
    sign = 1 if metric.higher_is_better else -1
    ranked = [c for c in cells if c.value is not None and c.ended is None] if metric.judged else []
    known = [sign * c.value for c in ranked if c.value is not None]
    logs = [math.log(c.value) for c in ranked if c.value is not None and c.value > 0]
    # the median on a log scale: 12 and 1,482 stand as far below and above it as 1/123 and 123 do
    middle = statistics.median(logs) if len(logs) == len(known) >= 2 else None
    for cell in ranked if len(known) >= 2 else []:
        mine = sign * (cell.value or 0)
        beaten = sum(1 for v in known if v < mine) + 0.5 * (sum(1 for v in known if v == mine) - 1)
        cell.percentile = 100 * beaten / (len(known) - 1)
        cell.edge = sign * (math.log(cell.value or 0) - middle) if middle is not None else None
    top = max((c.percentile for c in cells if c.percentile is not None), default=None)
    for cell in cells:
        cell.best = top is not None and cell.percentile == top
    return Row(key=key, cells=cells)


def _standing(cell: Cell, group: int, strongest: bool) -> Text:
    if cell.best and strongest:
        return Text("best of %(group)s", group=group)
    if cell.percentile == 0 and not strongest:
        return Text("worst of %(group)s", group=group)
    return Text("beats %(percentile)s%% of the group", percentile=format(cell.percentile, ".0f"))


def verdict_line(row: Row, i: int, strongest: bool) -> Text:
    value = row.cells[i].value
    group = sum(1 for cell in row.cells if cell.percentile is not None)  # of those ranked on this metric
    values = {
        "metric": row.label,
        "value": Shown(METRICS[row.key].show, value) if value is not None else fmt.DASH,
        "standing": _standing(row.cells[i], group, strongest),
    }
    if strongest:
        return Text("Strongest: %(metric)s %(value)s (%(standing)s)", **values)
    return Text("Weakest: %(metric)s %(value)s (%(standing)s)", **values)


def _lead(row: Row, i: int) -> tuple[float, float]:
    """How far the creator stands above the group on `row`: the edge, then the percentile."""
    cell = row.cells[i]
    return (cell.edge if cell.edge is not None else (cell.percentile or 0) / 50 - 1, cell.percentile or 0)


def _verdict(comparison_rows: list[Row], i: int, dive: DeepDive) -> Verdict:
    ranked = sorted(
        (r for r in comparison_rows if r.cells[i].percentile is not None), key=lambda r: _lead(r, i)
    )
    if not ranked:
        return Verdict(
            star_id=dive.star_id,
            nickname=dive.nickname,
            strongest=None,
            weakest=None,
            lines=(
                Text("Not enough data to compare."),
                Text("No metric is known for this creator and another one."),
            ),
        )
    best, worst = ranked[-1], ranked[0]  # the same row when only one could be compared
    if _lead(best, i) <= (0, 50):  # at or below the group on every metric compared (a tie is no strength)
        strongest, best_key = Text("Strongest: none, not above the group on any metric compared."), None
    else:
        strongest, best_key = verdict_line(best, i, strongest=True), best.key
    if _lead(worst, i) < (0, 50):
        weakest, worst_key = verdict_line(worst, i, strongest=False), worst.key
    elif len(ranked) == 1:
        weakest, worst_key = Text("Weakest: only one metric could be compared."), None
    else:  # at or above the group on every metric compared
        weakest, worst_key = Text("Weakest: none, not below the group on any metric compared."), None
    return Verdict(
        star_id=dive.star_id,
        nickname=dive.nickname,
        strongest=best_key,
        weakest=worst_key,
        lines=(strongest, weakest),
    )


@dataclass(frozen=True)
class _Context:
    duration: Duration
    targets: AudienceTargets | None
    seen: dict[str, Creator]
    today: date


def build_comparison(
    dives: Sequence[DeepDive],
    duration: Duration,
    *,
    targets: AudienceTargets | None = None,
    seen: dict[str, Creator] | None = None,
    today: date | None = None,
) -> Comparison:
    """`seen`: each creator as its last search showed it, for what Xingtu's detail lacks; `today`
    (China's date by default) tells which quotes have ended."""
    context = _Context(duration, targets, seen or {}, today or china_today())
    keys = [k for k in MetricKey if k is not MetricKey.AUDIENCE_FIT or targets]
    rows = [_row(key, [_cell(d, key, context) for d in dives]) for key in keys]
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
