"""Deterministic synthetic bodies for the deep-dive routes, consistent with the demo search data.

A creator a demo search returned gets details built from its search data (the parsed
`Creator`): same nickname, followers, uid, tags and quotes; every other draw is seeded by its
star id. The built-in dataset (`bot.demo.synth` `DEMO_KEYWORDS`) is known here; creators of
other keywords (generated pools) come from `seen`, a lookup of what demo searches returned.
Star ids that neither knows get successful but empty answers, as for a creator Xingtu does not
know. Types follow the real endpoints: `kol_base_info_v1` sends ints, bools and a real
`tags_relation` object; `kol_cp_info_v1`/`kol_data_overview_v1` send CPM/CPE as fen strings;
portraits send counts as strings. Some creators have a follower spike or drop in their daily
series, some quotes end soon, and some routes refuse with 10003 for some creators (`is_refused`).

`detail_data(route, params)` is the `data` object (what `FakeTikHub.add_route` serves);
`detail_body` wraps it in the same envelope as the demo search pages.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from bot.demo.synth import CAPTURED_AT, DEMO_KEYWORDS, refused_body, search_body
from bot.models import Creator, Gender, Price
from bot.parsing import parse_author

SeenCreators = Callable[[str], Creator | None]  # star id -> the creator a demo search returned

BASE_INFO = "kol_base_info_v1"
SERVICE_PRICE = "kol_service_price_v1"
AUDIENCE = "kol_audience_portrait_v1"
FANS = "kol_fans_portrait_v1"
DAILY_FANS = "kol_daily_fans_v1"
CP_INFO = "kol_cp_info_v1"
DATA_OVERVIEW = "kol_data_overview_v1"
XINGTU_INDEX = "kol_xingtu_index_v1"
BY_UID = "get_xingtu_kolid_by_uid"
BY_UNIQUE_ID = "get_xingtu_kolid_by_unique_id"
DETAIL_ROUTES = (BASE_INFO, SERVICE_PRICE, AUDIENCE, FANS, DAILY_FANS, CP_INFO, DATA_OVERVIEW, XINGTU_INDEX)
LOOKUP_ROUTES = (BY_UID, BY_UNIQUE_ID)

_REFUSING = {AUDIENCE: 0.12, FANS: 0.15, DAILY_FANS: 0.08, XINGTU_INDEX: 0.12}
_OPEN_END = 2145916800
_CAPTURED_TS = int(CAPTURED_AT.timestamp())
_DAY = 86_400
_OK = {"status_code": 0, "status_message": ""}
_LABELS = {
    1: "1-20s视频",
    2: "21-60s视频",
    71: "60s以上视频",
    73: "抖音短视频合集任务",
    90: "抖音短视频共创-主投稿达人",
    91: "抖音短视频共创-参与达人",
    92: "按自然播放量结算",
    150: "短直种草",
}
_FIELDS = {1: "price_1_20", 2: "price_20_60", 71: "price_60"}
_GENDER_CODES = {Gender.UNKNOWN: 0, Gender.MALE: 1, Gender.FEMALE: 2}
_MCNS = (
    ("星屿互娱", "专注美妆、生活方式内容孵化的综合性机构，旗下签约达人 80+ 位。"),
    ("青柚文化", "内容电商一体化 MCN，覆盖美食、母婴、家居等垂类。"),
    ("木槿传媒", "短视频内容制作与品牌营销服务机构。"),
    ("拾光MCN", "服务超过 300 个品牌的达人营销机构。"),
)
_AGES = (("18-23", 0.3), ("24-30", 0.3), ("31-40", 0.22), ("41-50", 0.11), ("50+", 0.07))
_CITY_TIERS = (
    ("一线", 0.16),
    ("新一线", 0.2),
    ("二线", 0.18),
    ("三线", 0.19),
    ("四线", 0.15),
    ("五线", 0.12),
)
_PROVINCES = ("广东", "江苏", "浙江", "山东", "河南", "四川", "湖北", "湖南", "福建", "北京", "上海", "河北")
_CITIES = ("北京", "上海", "广州", "深圳", "杭州", "成都", "重庆", "武汉", "西安", "苏州")
_DEVICES = ("iPhone", "华为", "vivo", "oppo", "小米", "荣耀", "红米", "其他")
_INTERESTS = ("随拍", "时尚", "美食", "明星", "亲子", "动物", "旅行", "体育")
_CROWDS = ("小镇青年", "新锐白领", "Z世代", "精致妈妈", "都市蓝领", "资深中产", "小镇中老年", "都市银发")
# kol_xingtu_index_v1 keys -> the search's value of the same index (None: not in search data)
_INDICES = {
    "link_star_index": "link_star_index",
    "link_spread_index": "spread_index",
    "link_shopping_index": "shopping_index",
    "link_convert_index": "convert_index",
    "cooperate_index": None,
    "cp_index": None,
}


# -- public API ---------------------------------------------------------------------------


def detail_body(route: str, params: dict[str, str], *, seen: SeenCreators | None = None) -> dict[str, Any]:
    """The full TikHub answer for a deep-dive or id-lookup route."""
    route = route.rsplit("/", 1)[-1]
    body = refused_body(route, params)  # the demo search envelope; refusals keep its data as is
    data = detail_data(route, params, seen=seen)
    if data["base_resp"]["status_code"] == 0:
        body["data"] = data
    return body


def detail_data(route: str, params: dict[str, str], *, seen: SeenCreators | None = None) -> dict[str, Any]:
    """The `data` object for `route`; a 10003 `base_resp` where upstream refuses.

    Id lookups know the built-in dataset only; `seen` adds creators of other demo searches.
    """
    route = route.rsplit("/", 1)[-1]
    if route == BY_UID:
        return _kolid(_index().by_uid.get(params.get("uid", "")))
    if route == BY_UNIQUE_ID:
        return _kolid(_index().by_unique_id.get(params.get("unique_id", "").lower()))
    star_id = params.get("kolId", "")
    if is_refused(route, star_id):
        return refused_body(route, params)["data"]
    creator = _creator(star_id, seen)
    if creator is None or route not in _BUILDERS:
        return {"base_resp": dict(_OK)}
    return {"base_resp": dict(_OK)} | _BUILDERS[route](_Profile(creator), params)


def demo_star_ids() -> list[str]:
    """Every star id of the demo search dataset, in a stable order."""
    return sorted(_index().creators)


def unique_id(star_id: str) -> str:
    """The synthetic 抖音号 of a demo creator."""
    return f"demo_{int(star_id) % 10**8:08d}"


def is_refused(route: str, star_id: str) -> bool:
    """Whether upstream refuses `route` for this creator (10003 inside HTTP 200)."""
    share = _REFUSING.get(route.rsplit("/", 1)[-1], 0.0)
    return share > 0 and _unit(f"refuse:{route}:{star_id}") < share


def follower_event(star_id: str, end: date, *, seen: SeenCreators | None = None) -> tuple[date, int] | None:
    """The day and size of the follower spike (positive) or drop in the 90 days up to `end`."""
    creator = _creator(star_id, seen)
    return _follower_event(star_id, (creator.followers or 0) if creator else 0, end)


# -- the demo dataset, by id ----------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    creators: dict[str, Creator]
    by_uid: dict[str, str]
    by_unique_id: dict[str, str]


@lru_cache(maxsize=1)
def _index() -> _Index:
    """The built-in dataset's creators as the demo search parses them (prices in yuan)."""
    creators: dict[str, Creator] = {}
    for keyword in DEMO_KEYWORDS:
        page = 1
        while page_authors := search_body(keyword, page)["data"]["authors"]:
            for author in page_authors:
                creators.setdefault(author["star_id"], parse_author(author))
            page += 1
    by_uid = {c.douyin_uid: star_id for star_id, c in creators.items() if c.douyin_uid}
    return _Index(creators, by_uid, {unique_id(star_id): star_id for star_id in creators})


def _creator(star_id: str, seen: SeenCreators | None) -> Creator | None:
    known = _index().creators.get(star_id)
    if known is None and seen is not None and star_id:
        return seen(star_id)
    return known


def _kolid(star_id: str | None) -> dict[str, Any]:
    if star_id is None:
        return {"base_resp": dict(_OK)}
    return {"base_resp": dict(_OK), "star_id": star_id, "platform_source": 1}


def _unit(seed: str) -> float:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8]) / 2**64


@dataclass(frozen=True)
class _Profile:
    """The search data a detail body must agree with; other draws are seeded by the star id."""

    creator: Creator

    @property
    def star_id(self) -> str:
        return self.creator.star_id

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"{purpose}:{self.star_id}")

    @property
    def followers(self) -> int:
        return self.creator.followers or 0

    @property
    def tags(self) -> dict[str, list[str]]:
        return self.creator.tags

    @property
    def quotes(self) -> list[Price]:
        return [q for _, q in sorted(self.creator.prices.items()) if q.yuan > 0]

    @property
    def expected_plays(self) -> float:
        return self.creator.expected_plays or self.followers * 0.08

    @property
    def interact_rate(self) -> float:
        """The search rate when known, else a stable draw around 2 %."""
        known = self.creator.interact_rate
        return known or round(math.exp(self.rng("rate").gauss(math.log(0.02), 0.6)), 4)

    def price(self, video_type: int) -> float:
        quote = self.creator.prices.get(video_type)
        return quote.yuan if quote else 0


# -- route builders ------------------------------------------------------------------------


def _base_info(p: _Profile, params: dict[str, str]) -> dict[str, Any]:
    rng, c = p.rng("base"), p.creator
    tags = p.tags
    mcn = rng.choice(_MCNS) if rng.random() < 0.6 else None
    data: dict[str, Any] = {
        "id": p.star_id,
        "nick_name": c.nickname,
        "follower": p.followers,
        "author_type": int(c.author_type) if c.author_type and c.author_type.isdigit() else 0,
        "gender": _GENDER_CODES[c.gender],
        "e_commerce_enable": c.ecom.enabled is True,
        "tags_relation": tags,
        "tags": json.dumps(list(tags), ensure_ascii=False),
        "tags_level_two": json.dumps([t for sub in tags.values() for t in sub], ensure_ascii=False),
        "mcn_id": str(rng.randrange(6_600_000_000_000_000_000, 7_400_000_000_000_000_000)) if mcn else "0",
        "mcn_name": mcn[0] if mcn else "",
        "mcn_introduction": mcn[1] if mcn else "",
        "sec_uid": "MS4wLjABAAAA" + hashlib.sha256(p.star_id.encode()).hexdigest()[:43],
        "unique_id": unique_id(p.star_id),
        "short_id": str(int(p.star_id) % 10**10),
        "core_user_id": c.douyin_uid or "",
        "platform_channel": [1, 10],
        "opened_task_category": "[1, 6, 52, 103]",
        "province": c.province or "",
        "city": c.city or "",
        "create_time": str(_created_ts(c, rng)),
        "is_star": True,
        "base_resp": {"status_code": 0, "status_message": "Success"},
    }
    if tags and rng.random() < 0.35:
        data["custom_verify"] = f"{next(iter(tags))}领域创作者"
    return data


def _service_price(p: _Profile, params: dict[str, str]) -> dict[str, Any]:
    rng = p.rng("price")
    ending = rng.random() < 0.12
    entries = [_price_entry(q, rng, ending) for q in p.quotes]
    entries += [
        {
            "video_type": video_type,
            "desc": desc,
            "price": rng.choice((100, 150, 200)),
            "origin_price": 0,
            "settlement_type": 1,
            "settlement_desc": "一口价",
            "task_category": 103,
            "online_status": 1,
            "enable": True,
            "is_open": True,
            "start_time": str(_CAPTURED_TS - rng.randint(60, 600) * _DAY),
            "end_time": str(_OPEN_END),
            "field": "",
        }
        for video_type, desc in ((103, "单视频推送广告平台"), (104, "多视频推送广告平台"))
        if entries
    ]
    tags = [f"{level1}-{level2}" for level1, sub in p.tags.items() for level2 in sub]
    return {"price_info": entries, "industry_tags": tags, "activity_info": {}, "hot_list_ranks": []}


def _price_entry(quote: Price, rng: random.Random, ending: bool) -> dict[str, Any]:
    video_type, price = quote.video_type, _amount(quote.yuan)
    cpm_settled = video_type == 92
    end = _CAPTURED_TS + rng.randint(3, 12) * _DAY if ending and video_type in _FIELDS else _OPEN_END
    entry: dict[str, Any] = {
        "video_type": video_type,
        "desc": _LABELS.get(video_type, f"视频类型{video_type}"),
        "price": price,
        "origin_price": price,
        "settlement_type": 30 if cpm_settled else 1,
        "settlement_desc": "按自然播放量结算" if cpm_settled else "一口价",
        "task_category": 1,
        "online_status": 1,
        "enable": True,
        "is_open": True,
        "start_time": str(
            int(quote.start_time.timestamp()) if quote.start_time else _CAPTURED_TS - 200 * _DAY
        ),
        "end_time": str(end),
        "field": _FIELDS.get(video_type, ""),
    }
    if extra := _price_extra(quote):
        entry["price_extra_info"] = extra
    return entry


def _price_extra(quote: Price) -> dict[str, str]:
    """The search quote's extras (last month, discount, CPM budget) as upstream writes them."""
    extra = {
        "price_last_month": quote.last_month_yuan,
        "price_discount_range": quote.discount_pct,
        "floor_price": quote.floor_yuan,
        "ceiling_price": quote.ceiling_yuan,
    }
    return {key: str(_amount(value)) for key, value in extra.items() if value}


def _amount(value: float) -> int | float:
    """Upstream sends whole amounts as ints."""
    return int(value) if value == int(value) else value


def _split(total: float, weights: list[tuple[str, float]], rng: random.Random) -> list[dict[str, str]]:
    """Audience counts per bucket as upstream sends them: strings, in no particular order."""
    noisy = [(key, w * math.exp(rng.gauss(0, 0.25))) for key, w in weights]
    norm = sum(w for _, w in noisy)
    out = [{"distribution_key": k, "distribution_value": str(round(total * w / norm))} for k, w in noisy]
    rng.shuffle(out)
    return out


def _portrait(p: _Profile, purpose: str, older: float) -> dict[str, Any]:
    rng = p.rng(purpose)
    total = p.followers * rng.uniform(0.4, 0.9)
    female = 0.72 if p.creator.gender is Gender.FEMALE else 0.38
    female = min(
        0.95, max(0.05, female + rng.gauss(0, 0.08) + 0.1 * bool({"美妆", "母婴亲子"} & set(p.tags)))
    )
    ages = [(k, w * (1 + older * i)) for i, (k, w) in enumerate(_AGES)]
    spec = (
        (1, "性别分布", [("male", 1 - female), ("female", female)]),
        (2, "年龄分布", ages),
        (4, "省份分布", [(k, rng.uniform(0.3, 1.0)) for k in _PROVINCES]),
        (8, "设备品牌分布", [(k, rng.uniform(0.3, 1.0)) for k in _DEVICES]),
        (32, "城市等级分布", list(_CITY_TIERS)),
        (64, "兴趣分布", [(k, rng.uniform(0.2, 1.0)) for k in _INTERESTS]),
        (256, "城市分布", [(k, rng.uniform(0.3, 1.0)) for k in _CITIES]),
        (1024, "八大人群分布", [(k, rng.uniform(0.2, 1.0)) for k in _CROWDS]),
    )
    distributions = [
        {
            "description": f"{display}（演示数据）",
            "distribution_list": _split(total, weights, rng),
            "image": [],
            "type": type_code,
            "type_display": display,
        }
        for type_code, display, weights in spec
    ]
    return {"distributions": distributions, "last_update_time": str(_CAPTURED_TS - rng.randint(1, 5) * _DAY)}


def _audience(p: _Profile, params: dict[str, str]) -> dict[str, Any]:
    return _portrait(p, "audience", older=0.0)


def _fans(p: _Profile, params: dict[str, str]) -> dict[str, Any]:
    return _portrait(p, "fans", older=0.15)  # followers skew a little older than viewers


def _created_ts(c: Creator, rng: random.Random) -> int:
    """When the account came to Xingtu: before its earliest quote (a quote cannot predate it)."""
    created = _CAPTURED_TS - rng.randint(300, 2500) * _DAY
    starts = [int(q.start_time.timestamp()) for q in c.prices.values() if q.start_time]
    return min(created, min(starts) - rng.randint(30, 400) * _DAY) if starts else created


def _window(params: dict[str, str]) -> tuple[date, date]:
    """The days asked for, ending no later than the demo data's capture: the series ends on the
    day the card says the data is from."""
    try:
        start, end = date.fromisoformat(params["startDate"]), date.fromisoformat(params["endDate"])
    except (KeyError, ValueError):
        end = CAPTURED_AT.date()
        start = end - timedelta(days=89)
    start, end = (start, end) if start <= end else (end, start)
    late = (end - CAPTURED_AT.date()).days
    return (start - timedelta(days=late), end - timedelta(days=late)) if late > 0 else (start, end)


def _daily_fans(p: _Profile, params: dict[str, str]) -> dict[str, Any]:
    """One total per day ending at today's follower count; noise seeded by the window."""
    start, end = _window(params)
    rng = random.Random(f"daily:{p.star_id}:{start}:{end}")
    days = (end - start).days + 1
    trend = (p.creator.growth_15d or 0) / 15
    noise = max(abs(trend) * 0.6, p.followers * 0.0004, 3)
    changes = [trend + rng.gauss(0, noise) for _ in range(days)]
    event = _follower_event(p.star_id, p.followers, end)
    if event and start < event[0] <= end:
        changes[(event[0] - start).days] += event[1]
    totals, running = [], float(p.followers)
    for offset in range(days - 1, -1, -1):
        totals.append((start + timedelta(days=offset), max(0, round(running))))
        running -= changes[offset]
    rows = [{"date": day.isoformat(), "fans_cnt": value} for day, value in reversed(totals)]
    return {"daily_fans": rows, "start_date": start.isoformat(), "end_date": end.isoformat()}


def _follower_event(star_id: str, followers: int, end: date) -> tuple[date, int] | None:
    rng = random.Random(f"event:{star_id}")
    kind = rng.random()
    if kind >= 0.35:
        return None
    size = max(500, round(followers * rng.uniform(0.03, 0.09)))
    return end - timedelta(days=rng.randint(8, 80)), size if kind < 0.25 else -size


def _fen_block(prefix: str, per_duration: dict[str, float]) -> dict[str, str]:
    return {f"{prefix}_{suffix}": str(round(value * 100)) for suffix, value in per_duration.items()}


def _costs(p: _Profile, factor: float) -> tuple[dict[str, float], dict[str, float]]:
    """Yuan CPM and CPE per duration suffix from the quotes (0 where unpriced), times `factor`."""
    plays, rate = p.expected_plays, p.interact_rate
    cpm, cpe = {}, {}
    for video_type, suffix in ((1, "1_20"), (2, "21_60"), (71, "60")):
        price = p.price(video_type) * factor
        cpm[suffix] = price * 1000 / plays if plays else 0
        cpe[suffix] = price / (plays * rate) if plays and rate else 0
    return cpm, cpe


def _cp_info(p: _Profile, params: dict[str, str]) -> dict[str, Any]:
    cpm, cpe = _costs(p, 1.0)
    return {
        "expect_cpm": _fen_block("cpm", cpm),
        "expect_cpe": _fen_block("cpe", cpe),
        "expect_vv": {"value": round(p.expected_plays)},
        "hot_item": {"value": p.rng("cp").randint(0, 400)},
    }


def _rated(label: str, value: float, rng: random.Random) -> dict[str, Any]:
    return {"label": label, "overtake": rng.randint(500, 9800), "value": round(value * 10_000)}


def _data_overview(p: _Profile, params: dict[str, str]) -> dict[str, Any]:
    rng = p.rng("overview")
    label = next(iter(p.tags), "")
    median = p.creator.median_views_30d or p.expected_plays * rng.uniform(0.6, 1.4)
    likes = median * p.interact_rate * 0.8
    cpm, cpe = _costs(p, rng.uniform(0.6, 0.8))
    return {
        "play_mid": str(round(median)),
        "like_avg": str(round(likes)),
        "comment_avg": str(round(likes * rng.uniform(0.02, 0.08))),
        "share_avg": str(round(likes * rng.uniform(0.03, 0.2))),
        "item_num": str(rng.randint(3, 30)),
        "avg_duration": str(rng.randint(8_000, 90_000)),
        "interact_rate": _rated(label, p.interact_rate, rng),
        "play_over_rate": _rated(label, p.creator.completion_rate or rng.uniform(0.05, 0.4), rng),
        "play_stability": {"label": label, "overtake": rng.randint(500, 9800), "value": round(median)},
        "expect_cpm": _fen_block("cpm", cpm),
        "expect_cpe": _fen_block("cpe", cpe),
        "sales_expect_cpm": _fen_block("cpm", {k: v * 1.03 for k, v in cpm.items()}),
    }


def _xingtu_index(p: _Profile, params: dict[str, str]) -> dict[str, Any]:
    rng = p.rng("index")
    out: dict[str, Any] = {}
    for key, field in _INDICES.items():
        value = (getattr(p.creator, field) if field else None) or rng.uniform(35, 95)
        out[key] = {
            "value": round(value, 2),
            "avg_value": round(rng.uniform(45, 65), 2),
            "rank_percent": f"{min(0.99, max(0.01, (value - 35) / 62)):.2f}",
        }
    return out


_BUILDERS = {
    BASE_INFO: _base_info,
    SERVICE_PRICE: _service_price,
    AUDIENCE: _audience,
    FANS: _fans,
    DAILY_FANS: _daily_fans,
    CP_INFO: _cp_info,
    DATA_OVERVIEW: _data_overview,
    XINGTU_INDEX: _xingtu_index,
}
