"""Xingtu `search_kol_v1`/`v2` author objects → `bot.models.Creator`.

Upstream sends every `attribute_datas` value as a string, omits most keys for most creators,
mixes boolean styles ("true"/"false" and "0"/"1"), nests JSON documents inside strings and
puts decimals in count fields ("188588.95"). The converters here turn all of that into
`None`-or-value without ever raising; only a structurally broken author raises `ValueError`.
Envelope, HTTP and `base_resp` checks belong to the source, not here.

`last_10_items` stays JSON text until the deep-dive asks for it (`Creator.recent_works`): ten
validated objects per creator were the largest part of a search's CPU time.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.models import Creator, Duration, EcomProfile, Gender, PageFetch, Price, RecentItem, XingtuFlags
from bot.settings import PriceUnit

log = logging.getLogger(__name__)

# The one place raw upstream money becomes yuan: prices, budgets, CPM and CPE alike.
MONEY_DIVISOR: dict[PriceUnit, int] = {PriceUnit.YUAN: 1, PriceUnit.FEN: 100}

_NULLS = {"", "null", "none", "nan"}
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
_GENDERS = {"1": Gender.MALE, "2": Gender.FEMALE}
_SUFFIX = {Duration.SHORT: "1_20", Duration.MEDIUM: "20_60", Duration.LONG: "60"}
_MIRRORED_PRICES = {1: "price_1_20", 2: "price_20_60", 71: "price_60"}


@dataclass
class ParsedPage:
    creators: list[Creator]
    skipped: int  # malformed authors dropped
    total_count: int | None
    has_more: bool

    def as_fetch(self, keyword: str, page: int, **provenance: Any) -> PageFetch:
        """This page as a source's answer; `provenance` holds `PageFetch`'s where/when/cost fields."""
        return PageFetch(
            keyword=keyword,
            page=page,
            creators=self.creators,
            skipped=self.skipped,
            total_count=self.total_count,
            has_more=self.has_more,
            **provenance,
        )


# -- tolerant converters --------------------------------------------------------------------


def to_float(value: Any) -> float | None:
    """`"188588.95"` → 188588.95; `""`, `None`, `"null"`, garbage, NaN and booleans → None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:  # "", "null", "none" and garbage raise; "nan"/"inf" are caught by isfinite below
            number = float(value)
        except ValueError:
            return None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None


def to_int(value: Any) -> int | None:
    """Counts: `"-866"` → -866, `"5276.5"` → 5276 (rounded half to even); unknown → None."""
    return _round(to_float(value))


def _round(number: float | None) -> int | None:
    return None if number is None else round(number)


# Larger than any Douyin account or video could be: a count above it is a data error, not a fact.
MAX_COUNT = 10_000_000_000


def to_count(value: Any) -> int | None:
    """Followers, plays: a whole number in 0 … `MAX_COUNT`; a negative or absurd one is unknown."""
    number = to_int(value)
    return number if number is not None and 0 <= number <= MAX_COUNT else None


def to_fraction(value: Any) -> float | None:
    """A rate sent as a decimal fraction (`"0.0151"` = 1.51 %): 0 … 1, else unknown."""
    number = to_float(value)
    return number if number is not None and 0 <= number <= 1 else None


def to_bool(value: Any) -> bool | None:
    """Both upstream styles: "true"/"false" and "0"/"1" (also real booleans); else None."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    return True if text in _TRUE else False if text in _FALSE else None


def load_json_str(value: Any) -> Any:
    """Decode a JSON document sent as a string (`"{}"`, `"[...]"`); `""`/invalid → None.

    Already-decoded dicts and lists pass through (other endpoints send real objects).
    """
    if isinstance(value, dict | list):
        return value
    if not isinstance(value, str) or value.strip().lower() in _NULLS:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def to_datetime(value: Any) -> datetime | None:
    """Unix seconds (string or number) → aware UTC datetime; 0 or unknown → None."""
    seconds = to_float(value)
    if not seconds or seconds < 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: Any) -> str | None:
    """A non-empty stripped string (numbers as their text), else None."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


# -- pages and authors ----------------------------------------------------------------------


def parse_search_data(data: dict[str, Any], price_unit: PriceUnit = PriceUnit.YUAN) -> ParsedPage:
    """Parse `data` of a successful search body; malformed authors are skipped and counted."""
    authors = data.get("authors")
    if not isinstance(authors, list):
        raise ValueError("search data has no authors list")
    creators: list[Creator] = []
    skipped = 0
    for raw in authors:
        try:
            creators.append(parse_author(raw, price_unit))
        except (ValueError, TypeError) as exc:
            skipped += 1
            star_id = raw.get("star_id") if isinstance(raw, dict) else None
            log.warning("skipped malformed author %r: %s", star_id, exc)
    pagination = data.get("pagination")
    if not isinstance(pagination, dict):
        pagination = {}
    return ParsedPage(
        creators=creators,
        skipped=skipped,
        total_count=to_int(pagination.get("total_count")),
        has_more=bool(to_bool(pagination.get("has_more"))),
    )


def parse_author(raw: dict[str, Any], price_unit: PriceUnit = PriceUnit.YUAN) -> Creator:
    """One author object → `Creator` (money in yuan). Raises `ValueError` when malformed."""
    if not isinstance(raw, dict):
        raise ValueError("author is not an object")
    attrs = raw.get("attribute_datas")
    if not isinstance(attrs, dict):
        raise ValueError("attribute_datas is not an object")
    star_id = _text(raw.get("star_id")) or _text(attrs.get("id"))
    if not star_id:
        raise ValueError("author has no star_id")
    nickname = _text(attrs.get("nick_name"))
    if not nickname:
        raise ValueError(f"author {star_id} has no nick_name")
    divisor = MONEY_DIVISOR[price_unit]
    return Creator(
        star_id=star_id,
        nickname=nickname,
        **_identity(attrs),
        **_audience(attrs),
        **_content(attrs),
        **_performance(attrs),
        **_indices(attrs),
        prices=_prices(raw, attrs, divisor),
        upstream_cpm=_per_duration(attrs, divisor, _CPM_KEYS),
        upstream_cpe=_per_duration(attrs, divisor, _CPE_KEYS),
        ecom=_ecom(attrs),
        flags=_flags(attrs),
        recent_items=_recent_items(attrs.get("last_10_items")),
    )


def _identity(attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        "avatar_url": _text(attrs.get("avatar_uri")),
        "douyin_uid": _text(attrs.get("core_user_id")),
        "author_type": _text(attrs.get("author_type")),
        "gender": _GENDERS.get(_text(attrs.get("gender")) or "", Gender.UNKNOWN),
        "province": _text(attrs.get("province")),
        "city": _text(attrs.get("city")),
    }


def _audience(attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        "followers": to_count(attrs.get("follower")),
        "growth_15d": to_int(attrs.get("fans_increment_within_15d")),
        "growth_rate_15d": to_float(attrs.get("fans_increment_rate_within_15d")),
        "growth_30d": to_float(attrs.get("fans_increment_within_30d")),
    }


def _content(attrs: dict[str, Any]) -> dict[str, Any]:
    tags = load_json_str(attrs.get("tags_relation"))
    labels = load_json_str(attrs.get("content_theme_labels_180d"))
    return {
        "tags": {
            str(level1): [str(t) for t in level2 if isinstance(t, str)] if isinstance(level2, list) else []
            for level1, level2 in (tags.items() if isinstance(tags, dict) else ())
        },
        "theme_labels": [str(x) for x in labels if isinstance(x, str)] if isinstance(labels, list) else [],
    }


def _performance(attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        "expected_plays": to_count(_first_float(attrs, "expected_play_num", "sn_expected_play_num")),
        "expected_natural_plays": to_count(attrs.get("expected_natural_play_num")),
        "promotion_expected_plays": to_count(attrs.get("promotion_prospective_vv")),
        "interact_rate": to_fraction(
            _first_float(attrs, "interact_rate_within_30d", "sn_interact_rate_within_30d")
        ),
        "completion_rate": to_fraction(
            _first_float(attrs, "play_over_rate_within_30d", "sn_play_over_rate_within_30d")
        ),
        "median_views_30d": to_float(attrs.get("vv_median_30d")),
        "median_interactions_30d": to_float(attrs.get("interaction_median_30d")),
    }


def _indices(attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        "link_star_index": _first_float(attrs, "link_star_index", "link_star_index_by_industry"),
        "spread_index": _first_float(attrs, "link_spread_index", "link_spread_index_by_industry"),
        "shopping_index": _first_float(attrs, "link_shopping_index", "link_recommend_index_by_industry"),
        "convert_index": _first_float(attrs, "link_convert_index", "link_convert_index_by_industry"),
        "search_after_view_index": to_float(attrs.get("search_after_view_index_by_industry")),
    }


def _first_float(attrs: dict[str, Any], *keys: str) -> float | None:
    """The first of `keys` with a usable number (upstream sends `sn_`/`_by_industry` twins)."""
    for key in keys:
        value = attrs.get(key)
        if value is not None and (number := to_float(value)) is not None:
            return number
    return None


# -- money ----------------------------------------------------------------------------------


# No Xingtu quote comes near this (the largest are in the low millions): above it, a data error.
MAX_YUAN = 100_000_000


def _money(value: Any, divisor: int) -> float | None:
    number = to_float(value)
    return None if number is None else number / divisor


def quote_yuan(value: Any, divisor: int = 1) -> float | None:
    """A quote in yuan: positive (zero means "no quote" upstream) and no more than `MAX_YUAN`."""
    yuan = _money(value, divisor)
    return yuan if yuan is not None and 0 < yuan <= MAX_YUAN else None


def _prices(raw: dict[str, Any], attrs: dict[str, Any], divisor: int) -> dict[int, Price]:
    """Quotes by video_type from `task_infos` (the source of truth), `price_*` as fallback."""
    prices: dict[int, Price] = {}
    for info in _price_infos(raw.get("task_infos")):
        price = _price(info, divisor)
        if price is not None:
            prices[price.video_type] = price
    for video_type, key in _MIRRORED_PRICES.items():
        yuan = quote_yuan(attrs.get(key), divisor)
        if video_type not in prices and yuan is not None:
            prices[video_type] = Price(video_type=video_type, yuan=yuan)
    return prices


def _price_infos(task_infos: Any) -> Iterator[dict[str, Any]]:
    for task in task_infos if isinstance(task_infos, list) else ():
        infos = task.get("price_infos") if isinstance(task, dict) else None
        yield from (info for info in infos or () if isinstance(info, dict))


def _price(info: dict[str, Any], divisor: int) -> Price | None:
    """One `price_infos` entry; None for a zero or unreadable quote."""
    video_type, yuan = to_int(info.get("video_type")), quote_yuan(info.get("price"), divisor)
    if video_type is None or yuan is None:
        return None
    extra = info.get("price_extra_info")
    if not isinstance(extra, dict):
        extra = {}
    return Price(
        video_type=video_type,
        yuan=yuan,
        start_time=to_datetime(info.get("start_time")),
        end_time=to_datetime(info.get("end_time")),
        last_month_yuan=_money(extra.get("price_last_month"), divisor),
        discount_pct=to_float(extra.get("price_discount_range")),
        floor_yuan=_money(extra.get("floor_price"), divisor),
        ceiling_yuan=_money(extra.get("ceiling_price"), divisor),
    )


def _duration_keys(*patterns: str) -> dict[Duration, tuple[str, ...]]:
    return {duration: tuple(p.format(suffix) for p in patterns) for duration, suffix in _SUFFIX.items()}


_CPM_KEYS = _duration_keys("prospective_{}_cpm", "sn_prospective_{}_cpm")
_CPE_KEYS = _duration_keys("sn_prospective_{}_cpe", "prospective_{}_cpe")


def _per_duration(
    attrs: dict[str, Any], divisor: int, keys: dict[Duration, tuple[str, ...]]
) -> dict[Duration, float]:
    """Upstream CPM/CPE per duration, from the first of its `keys` present; non-positive → absent."""
    out: dict[Duration, float] = {}
    for duration, twins in keys.items():
        value = _first_float(attrs, *twins)
        if value is not None and value > 0:
            out[duration] = value / divisor
    return out


# -- e-commerce, flags, recent works --------------------------------------------------------


def _ecom(attrs: dict[str, Any]) -> EcomProfile:
    return EcomProfile(
        level=_text(attrs.get("author_ecom_level")),
        enabled=to_bool(attrs.get("e_commerce_enable")),
        score=to_float(attrs.get("ecom_score")),
        gmv_30d_range=_text(attrs.get("ecom_gmv_30d_range")),
        avg_order_value_30d_range=_text(attrs.get("ecom_avg_order_value_30d_range")),
        gpm_30d_range=_text(_first_text(attrs, "ecom_gpm_30d_range", "ecom_gpm_30days_range")),
        video_ctr_30d_range=_text(attrs.get("ecom_video_ctr_30d_range")),
        product_videos_30d=to_int(attrs.get("ecom_video_product_num_30d")),
    )


def _first_text(attrs: dict[str, Any], *keys: str) -> Any:
    return next((attrs[k] for k in keys if _text(attrs.get(k))), None)


def _flags(attrs: dict[str, Any]) -> XingtuFlags:
    return XingtuFlags(
        black_horse=to_bool(attrs.get("is_black_horse_author")),
        cocreate=to_bool(attrs.get("is_cocreate_author")),
        cpm_project=to_bool(attrs.get("is_cpm_project_author")),
        excellent=to_bool(attrs.get("is_excellenct_author")),  # sic: upstream spelling
        star_excellent=to_bool(attrs.get("star_excellent_author")),
        qianchuan_high_potential=to_bool(attrs.get("star_qianchuan_high_potential")),
        short_drama=to_bool(attrs.get("is_short_drama")),
        local_lower_threshold=to_bool(attrs.get("local_lower_threshold_author")),
        high_quality_ad=to_bool(attrs.get("is_ad_star_cur_high_quality_author")),
    )


def _recent_items(value: Any) -> list[RecentItem] | str:
    """`last_10_items` as sent when it is JSON text (parsed on use by `Creator.recent_works`), else parsed."""
    return value if isinstance(value, str) else parse_recent_items(value)


def parse_recent_items(value: Any) -> list[RecentItem]:
    """`last_10_items` (JSON text or a list); leaked junk keys (title fragments, null values) are ignored."""
    items = load_json_str(value)
    return [
        RecentItem(
            item_id=item_id,
            title=_text(item.get("item_title")) or "",
            views=to_int(item.get("vv")),
            likes=to_int(item.get("like_cnt")),
            comments=to_int(item.get("comment_cnt")),
            shares=to_int(item.get("share_cnt")),
            published_at=to_datetime(_first_float(item, "item_publish_time", "item_create_time")),
            high_quality=to_bool(item.get("is_high_quality_item")),
        )
        for item in (items if isinstance(items, list) else ())
        if isinstance(item, dict) and (item_id := _text(item.get("item_id")))
    ]
