"""Compare 2-5 creators side by side at one video duration.

Every price, CPM and CPE uses the same duration. Each metric gets a percentile within the
group (100 = best of the group, lower is better for money), the best value per row is
marked, and each creator gets a two-line verdict: strongest and weakest metric.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot import formatting as fmt
from bot.deepdive.audience import audience_fit
from bot.deepdive.models import DeepDive
from bot.deepdive.wording import Shown
from bot.errors import QueryError
from bot.i18n import Text
from bot.models import AudienceTargets, Duration, Lang

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


METRICS: dict[MetricKey, Metric] = {
    MetricKey.FOLLOWERS: Metric(Text("followers"), True, lambda v, lang: fmt.count(v, lang)),
    MetricKey.PRICE: Metric(Text("price"), False, lambda v, lang: fmt.yuan(v, lang)),
    MetricKey.CPM: Metric(Text("CPM"), False, lambda v, lang: fmt.cpm(v, lang)),
    MetricKey.CPE: Metric(Text("CPE"), False, lambda v, lang: fmt.cpe(v, lang)),
    MetricKey.ER: Metric(Text("engagement rate"), True, lambda v, _lang: fmt.pct(v)),
    MetricKey.COMPLETION: Metric(Text("completion rate"), True, lambda v, _lang: fmt.pct(v)),
    MetricKey.MEDIAN_VIEWS: Metric(Text("median views"), True, lambda v, lang: fmt.count(v, lang)),
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
        case MetricKey.XINGTU_INDEX:
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


def _standing(cell: Cell, group: int, strongest: bool) -> Text:
    if cell.best and strongest:
        return Text("best of %(group)s", group=group)
    if cell.percentile == 0 and not strongest:
        return Text("worst of %(group)s", group=group)
    return Text("beats %(percentile)s%% of the group", percentile=format(cell.percentile, ".0f"))


def verdict_line(row: Row, i: int, strongest: bool) -> Text:
    value = row.cells[i].value
    group = sum(1 for cell in row.cells if cell.value is not None)  # of those with this metric
    values = {
        "metric": row.label,
        "value": Shown(METRICS[row.key].show, value) if value is not None else fmt.DASH,
        "standing": _standing(row.cells[i], group, strongest),
    }
    if strongest:
        return Text("Strongest: %(metric)s %(value)s (%(standing)s)", **values)
    return Text("Weakest: %(metric)s %(value)s (%(standing)s)", **values)


def _verdict(comparison_rows: list[Row], i: int, dive: DeepDive) -> Verdict:
    scored = [(p, r) for r in comparison_rows if (p := r.cells[i].percentile) is not None]
    ranked = [r for _, r in sorted(scored, key=lambda pair: pair[0])]
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
    best, worst = ranked[-1], ranked[0] if len(ranked) > 1 else None
    weakest = (
        verdict_line(worst, i, strongest=False)
        if worst is not None
        else Text("Weakest: only one metric could be compared.")
    )
    return Verdict(
        star_id=dive.star_id,
        nickname=dive.nickname,
        strongest=best.key,
        weakest=worst.key if worst else None,
        lines=(verdict_line(best, i, strongest=True), weakest),
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
