"""Parsers for the deep-dive routes, one per route: each takes a full TikHub body.

The same concept changes type between endpoints (`follower` is an int in `kol_base_info_v1`
but a string in search; `tags_relation` is an object here but a JSON string there), so every
converter accepts both. `kol_cp_info_v1` and `kol_data_overview_v1` report CPM/CPE in fen
(÷100 → yuan); `kol_service_price_v1` prices are yuan. Unknown keys are ignored.

`NoData` means a well-formed answer without anything to show; `ValueError` a malformed one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.deepdive.dates import china_date
from bot.deepdive.models import (
    INDEX_LABELS,
    BaseInfo,
    CostPerformance,
    DailyFans,
    DataOverview,
    Distribution,
    DistributionKind,
    FanPoint,
    IndexScore,
    Portrait,
    RatedMetric,
    ServicePrice,
    ServicePrices,
    XingtuIndex,
)
from bot.deepdive.vocabulary import KIND_BY_DISPLAY
from bot.errors import UpstreamError, UpstreamKind
from bot.models import Duration
from bot.parsing import load_json_str, quote_yuan, to_bool, to_count, to_datetime, to_float, to_int

FEN_PER_YUAN = 100
OPEN_ENDED_TS = 2145916800  # 2038-01-01: upstream's "no end date"
_PER_TEN_THOUSAND = 10_000  # data_overview rates and `overtake` are in ‱

# `distributions[].type` codes seen in kol_audience_portrait_v1 (`type_display` words: vocabulary.py).
_KIND_BY_TYPE = {
    1: DistributionKind.GENDER,
    2: DistributionKind.AGE,
    4: DistributionKind.PROVINCE,
    8: DistributionKind.DEVICE,
    32: DistributionKind.CITY_TIER,
    64: DistributionKind.INTEREST,
    256: DistributionKind.CITY,
    1024: DistributionKind.CROWD,
}
_DURATION_SUFFIX = {Duration.SHORT: "1_20", Duration.MEDIUM: "21_60", Duration.LONG: "60"}
_KOLID_KEYS = ("star_id", "kol_id", "kolId", "author_id", "o_author_id", "id")
_VERIFY_KEYS = ("verification", "custom_verify", "enterprise_verify_reason", "verify_info")


class NoData(Exception):
    """The answer was well-formed but carried nothing to show."""


# -- converters (the shared ones are in `bot.parsing`) ------------------------------------


def positive(value: Any, divisor: float = 1) -> float | None:
    """A strictly positive number (zero means "not computed" upstream), divided by `divisor`."""
    result = to_float(value)
    return result / divisor if result is not None and result > 0 else None


def text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def timestamp(value: Any) -> datetime | None:
    """Unix seconds; upstream's 2038-01-01 "no end date" is None too."""
    moment = to_datetime(value)
    return moment if moment and moment.timestamp() < OPEN_ENDED_TS else None


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    """`body["data"]` after checking `base_resp` (the live client checks too; demo bodies rely on this)."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise ValueError("body has no data object")
    base_resp = data.get("base_resp")
    code = to_int(base_resp.get("status_code")) if isinstance(base_resp, dict) else 0
    if code:
        raise UpstreamError(UpstreamKind.REFUSED, status=200, upstream_code=code, billed=True)
    return data


def _tags(value: Any) -> dict[str, list[str]]:
    raw = load_json_str(value)
    if not isinstance(raw, dict):
        return {}
    return {str(k): [str(t) for t in v] if isinstance(v, list) else [] for k, v in raw.items()}


# -- routes ----------------------------------------------------------------------------------


def parse_kolid(body: dict[str, Any]) -> str:
    """The star id from a `get_xingtu_kolid_by_*` answer.

    The reference has no sample of this response; we accept the id under any of `_KOLID_KEYS`,
    at the top of `data` or one level down (`data.data`, `data.author`), as digits.
    """
    data = data_of(body)
    for scope in (data, data.get("data"), data.get("author")):
        if not isinstance(scope, dict):
            continue
        for key in _KOLID_KEYS:
            value = str(scope.get(key) or "").strip()
            if value.isdigit() and value != "0":
                return value
    raise NoData("no star id in answer")


def parse_base_info(body: dict[str, Any]) -> BaseInfo:
    data = data_of(body)
    star_id = text(data.get("id"))
    if not star_id:
        raise NoData("base info without id")
    verification = next((v for k in _VERIFY_KEYS if (v := text(data.get(k)))), None)
    return BaseInfo(
        star_id=star_id,
        nickname=text(data.get("nick_name")) or "",
        followers=to_count(data.get("follower")),
        author_type=to_int(data.get("author_type")),
        gender=to_int(data.get("gender")),
        province=text(data.get("province")),
        city=text(data.get("city")),
        unique_id=text(data.get("unique_id")),
        core_user_id=text(data.get("core_user_id")),
        sec_uid=text(data.get("sec_uid")),
        mcn_id=text(data.get("mcn_id")) if text(data.get("mcn_id")) != "0" else None,
        mcn_name=text(data.get("mcn_name")),
        verification=verification,
        e_commerce_enabled=to_bool(data.get("e_commerce_enable")),
        tags=_tags(data.get("tags_relation")),
        created_at=timestamp(data.get("create_time")),
    )


def _service_price(entry: dict[str, Any]) -> ServicePrice | None:
    video_type, yuan = to_int(entry.get("video_type")), quote_yuan(entry.get("price"))
    if video_type is None or yuan is None:
        return None  # price 0 = not offered
    extra = load_json_str(entry.get("price_extra_info"))
    extra = extra if isinstance(extra, dict) else {}
    return ServicePrice(
        video_type=video_type,
        yuan=yuan,
        start_time=timestamp(entry.get("start_time")),
        end_time=timestamp(entry.get("end_time")),
        last_month_yuan=positive(extra.get("price_last_month")),
        discount_pct=positive(extra.get("price_discount_range")),
        floor_yuan=positive(extra.get("floor_price")),
        ceiling_yuan=positive(extra.get("ceiling_price")),
        desc=text(entry.get("desc")) or "",
        settlement_desc=text(entry.get("settlement_desc")) or "",
        task_category=to_int(entry.get("task_category")),
        enabled=to_bool(entry.get("enable")),
        origin_yuan=positive(entry.get("origin_price")),
    )


def parse_service_price(body: dict[str, Any]) -> ServicePrices:
    data = data_of(body)
    entries = data.get("price_info")
    if not isinstance(entries, list):
        raise NoData("no price_info")
    quotes = [q for e in entries if isinstance(e, dict) and (q := _service_price(e))]
    if not quotes:
        raise NoData("no priced video type")
    tags = data.get("industry_tags")
    return ServicePrices(
        quotes=sorted(quotes, key=lambda q: q.video_type),
        industry_tags=[str(t) for t in tags] if isinstance(tags, list) else [],
    )


def _kind(entry: dict[str, Any]) -> DistributionKind | None:
    kind = _KIND_BY_TYPE.get(to_int(entry.get("type")) or -1)
    if kind:
        return kind
    display = str(entry.get("type_display") or "")
    return next((k for word, k in KIND_BY_DISPLAY if word in display), None)


def parse_portrait(body: dict[str, Any]) -> Portrait:
    """`kol_audience_portrait_v1` (documented) and `kol_fans_portrait_v1`.

    The reference has no `kol_fans_portrait_v1` sample; we assume it mirrors the audience
    portrait (`distributions[]` of `{type, type_display, distribution_list[{distribution_key,
    distribution_value}]}`), as the two are sibling tabs of the same Xingtu page.
    """
    data = data_of(body)
    distributions: dict[DistributionKind, Distribution] = {}
    for entry in data.get("distributions") or []:
        kind = _kind(entry) if isinstance(entry, dict) else None
        if kind is None:
            continue
        counts = {
            str(item.get("distribution_key")): value
            for item in entry.get("distribution_list") or []
            if isinstance(item, dict) and (value := positive(item.get("distribution_value")))
        }
        if counts:
            distributions[kind] = Distribution(
                kind=kind, counts=counts, description=text(entry.get("description")) or ""
            )
    if not distributions:
        raise NoData("no distributions")
    return Portrait(distributions=distributions, updated_at=timestamp(data.get("last_update_time")))


def _day(value: Any) -> date | None:
    if isinstance(value, str) and "-" in value:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    moment = timestamp(value)
    return china_date(moment) if moment else None


def _first(entry: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((entry[k] for k in keys if entry.get(k) not in (None, "")), None)


def parse_daily_fans(body: dict[str, Any]) -> DailyFans:
    """`kol_daily_fans_v1`: one follower total per day.

    The reference has no sample; we assume `data.daily_fans = [{date: "yyyy-MM-dd",
    fans_cnt: int}]` like the request's `startDate`/`endDate`, and also accept the list under
    `daily`/`fans_list`/`list`, dates as unix seconds, and totals under `follower`/`fans`/`value`.
    """
    data = data_of(body)
    rows = next(
        (v for k in ("daily_fans", "daily", "fans_list", "list") if isinstance(v := data.get(k), list)), []
    )
    by_day: dict[date, int] = {}
    for row in rows:
        if not isinstance(row, dict):
            continue
        day = _day(_first(row, ("date", "day", "stat_date", "time")))
        followers = to_int(_first(row, ("fans_cnt", "follower", "fans_count", "fans", "value")))
        if day is not None and followers is not None and followers >= 0:
            by_day[day] = followers
    if len(by_day) < 2:
        raise NoData("fewer than two days")
    return DailyFans(points=[FanPoint(day=d, followers=f) for d, f in sorted(by_day.items())])


def _per_duration(block: Any, prefix: str) -> dict[Duration, float]:
    """`{cpm_1_20, cpm_21_60, cpm_60}` in fen → yuan by duration; zeros are unknown."""
    block = block if isinstance(block, dict) else {}
    out: dict[Duration, float] = {}
    for duration, suffix in _DURATION_SUFFIX.items():
        value = positive(block.get(f"{prefix}_{suffix}"), FEN_PER_YUAN)
        if value is not None:
            out[duration] = value
    return out


def parse_cp_info(body: dict[str, Any]) -> CostPerformance:
    data = data_of(body)
    vv = data.get("expect_vv")
    result = CostPerformance(
        cpm=_per_duration(data.get("expect_cpm"), "cpm"),
        cpe=_per_duration(data.get("expect_cpe"), "cpe"),
        expected_plays=to_count(vv.get("value") if isinstance(vv, dict) else vv),
    )
    if not (result.cpm or result.cpe or result.expected_plays):
        raise NoData("no cost-performance figures")
    return result


def _rated(block: Any) -> RatedMetric | None:
    """`{label, overtake, value}` with value and overtake in ‱; a negative overtake is unknown."""
    value = to_float(block.get("value")) if isinstance(block, dict) else None
    if value is None or not 0 <= value <= _PER_TEN_THOUSAND:  # a rate above 100 % is a data error
        return None
    overtake = to_float(block.get("overtake"))
    return RatedMetric(
        value=value / _PER_TEN_THOUSAND,
        beats_pct=overtake / 100 if overtake is not None and 0 <= overtake <= _PER_TEN_THOUSAND else None,
        industry=text(block.get("label")) or "",
    )


def parse_data_overview(body: dict[str, Any]) -> DataOverview:
    data = data_of(body)
    result = DataOverview(
        median_plays=to_float(data.get("play_mid")),
        avg_likes=to_float(data.get("like_avg")),
        avg_comments=to_float(data.get("comment_avg")),
        avg_shares=to_float(data.get("share_avg")),
        items=to_int(data.get("item_num")),
        interact_rate=_rated(data.get("interact_rate")),
        completion_rate=_rated(data.get("play_over_rate")),
        cpm=_per_duration(data.get("expect_cpm"), "cpm"),
        cpe=_per_duration(data.get("expect_cpe"), "cpe"),
    )
    if result.median_plays is None and result.interact_rate is None and not result.cpm:
        raise NoData("empty overview")
    return result


def _percent(value: Any) -> float | None:
    """A percentile given as a fraction ("0.92") or a percent ("92"), as 0-100."""
    result = to_float(value)
    if result is None or result < 0:
        return None
    return result * 100 if result <= 1 else min(result, 100.0)


def parse_xingtu_index(body: dict[str, Any]) -> XingtuIndex:
    """`kol_xingtu_index_v1`: Xingtu's indices with the peer average and rank.

    The reference has no sample; public client code names each index as an object
    `{value, avg_value, rank_percent}` under its key (`link_star_index`, …). We read
    `rank_percent` as the share of peers this creator beats (fraction or percent), and also
    accept a list form `indices: [{key|name, value, …}]`.
    """
    data = data_of(body)
    listed = data.get("indices")
    items = (
        [(str(e.get("key") or e.get("name")), e) for e in listed if isinstance(e, dict)]
        if isinstance(listed, list)
        else [(k, v) for k, v in data.items() if isinstance(v, dict) and k != "base_resp"]
    )
    scores = [
        IndexScore(
            key=key,
            value=value,
            avg_value=to_float(entry.get("avg_value")),
            rank_pct=_percent(entry.get("rank_percent")),
        )
        for key, entry in items
        if (value := to_float(entry.get("value"))) is not None
    ]
    if not scores:
        raise NoData("no index values")
    order = list(INDEX_LABELS)
    return XingtuIndex(
        scores=sorted(scores, key=lambda s: order.index(s.key) if s.key in order else len(order))
    )
