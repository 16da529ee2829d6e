"""The TikHub Xingtu routes a deep-dive calls: request parameters, cache lifetime and price.

Every route is relative to `/api/v1/douyin/xingtu/`. Prices are TikHub's published ones
($0.02 per `kol_*_v1` call, $0.001 per id lookup); the cost we report is computed from this
table, not from the client's flat per-call setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.i18n import Text

XINGTU_TZ = ZoneInfo("Asia/Shanghai")  # Xingtu's dates are China dates
DAILY_FANS_DAYS = 90
ENDPOINT_COST_USD = 0.02
LOOKUP_COST_USD = 0.001
_HOUR = 3600


class PartKey(StrEnum):
    """One section of a deep-dive, each backed by one upstream route."""

    BASE = "base"
    PRICES = "prices"
    AUDIENCE = "audience"
    FANS = "fans"
    DAILY_FANS = "daily_fans"
    CP = "cp"
    OVERVIEW = "overview"
    INDEX = "index"


PART_NAMES: dict[PartKey, Text] = {
    PartKey.BASE: Text("profile"),
    PartKey.PRICES: Text("price list"),
    PartKey.AUDIENCE: Text("audience data"),
    PartKey.FANS: Text("follower portrait"),
    PartKey.DAILY_FANS: Text("follower trend"),
    PartKey.CP: Text("cost performance"),
    PartKey.OVERVIEW: Text("content overview"),
    PartKey.INDEX: Text("Xingtu indices"),
}


@dataclass(frozen=True)
class Route:
    path: str  # last path segment, e.g. "kol_base_info_v1"
    ttl_s: int
    cost_usd: float
    params: Callable[[str, date], dict[str, str]]  # (star_id or lookup value, today) -> query


def _kol(extra: dict[str, str] | None = None) -> Callable[[str, date], dict[str, str]]:
    return lambda star_id, _today: {"kolId": star_id, **(extra or {})}


def _daily_fans_params(star_id: str, today: date) -> dict[str, str]:
    """The last 90 complete days; the key changes daily, so the cache never serves an old window."""
    end = today - timedelta(days=1)
    start = end - timedelta(days=DAILY_FANS_DAYS - 1)
    return {"kolId": star_id, "startDate": start.isoformat(), "endDate": end.isoformat()}


ROUTES: dict[PartKey, Route] = {
    PartKey.BASE: Route("kol_base_info_v1", 24 * _HOUR, ENDPOINT_COST_USD, _kol({"platformChannel": "_1"})),
    PartKey.PRICES: Route(
        "kol_service_price_v1", 6 * _HOUR, ENDPOINT_COST_USD, _kol({"platformChannel": "_1"})
    ),
    # Audience portraits move slowly and the audience screen asks for dozens at once: keep them days.
    PartKey.AUDIENCE: Route("kol_audience_portrait_v1", 3 * 24 * _HOUR, ENDPOINT_COST_USD, _kol()),
    PartKey.FANS: Route("kol_fans_portrait_v1", 24 * _HOUR, ENDPOINT_COST_USD, _kol({"fansType": "_1"})),
    PartKey.DAILY_FANS: Route("kol_daily_fans_v1", 6 * _HOUR, ENDPOINT_COST_USD, _daily_fans_params),
    PartKey.CP: Route("kol_cp_info_v1", 12 * _HOUR, ENDPOINT_COST_USD, _kol()),
    PartKey.OVERVIEW: Route(
        "kol_data_overview_v1",
        12 * _HOUR,
        ENDPOINT_COST_USD,
        _kol({"_type": "_1", "_range": "_2", "flowType": "1"}),
    ),
    PartKey.INDEX: Route("kol_xingtu_index_v1", 24 * _HOUR, ENDPOINT_COST_USD, _kol()),
}

# Id lookups: a creator's ids never change, so cache them for a week.
LOOKUP_BY_UID = Route(
    "get_xingtu_kolid_by_uid", 7 * 24 * _HOUR, LOOKUP_COST_USD, lambda uid, _today: {"uid": uid}
)
LOOKUP_BY_UNIQUE_ID = Route(
    "get_xingtu_kolid_by_unique_id",
    7 * 24 * _HOUR,
    LOOKUP_COST_USD,
    lambda unique_id, _today: {"unique_id": unique_id},
)
