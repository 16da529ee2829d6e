"""Deterministic synthetic Douyin Xingtu search bodies, shaped like real TikHub responses.

Every name, id, title and number is invented from seeded `random.Random` instances, so a
(keyword, page, filters) request always yields the same body, whatever the wall clock says.
Shapes, key presence rates and magnitudes follow the real `search_kol_v1` data: every
`attribute_datas` value is a string, most keys are optional, prices are yuan and obey the
upstream identities (`prospective_X_cpm = price × 1000 / expected_play_num`, 4 dp, etc.).

* `DEMO_KEYWORDS` have 5 pages of 20 creators; consecutive pages share 1–3 creators and
  `total_count` drifts between pages, like the real API. A few creators appear under two
  keywords (护肤/美妆, ...). Pool positions 0–7 of every keyword carry the edge cases a parser
  must survive (see `_QUIRKS`), so they all show on page 1.
* Any other keyword gets a small generated pool of 2 pages, themed by the Xingtu content tag of
  the same name when there is one (汽车, 萌宠, ...), else as lifestyle creators: every demo
  search returns something.
* Pages past a pool have no authors and `has_more: false`.
* v2 filters (`follower_range_wan` in 万, `content_tag` id such as `tag_level_two-4`) select from
  the whole pool and page the matches without overlap; `total_count` is the match count.
* `response_body` is what upstream answers: the 10003 refusal (`refused_body`) on the failing
  page, else `search_body`. Exactly one page fails on purpose: page 2 of `FAILING_KEYWORD`
  (故障演示, "fault demo"), a keyword of its own, so no ordinary demo search meets it.
* A creator's tags belong to its keyword's category: a keyword's results only borrow creators
  from a sibling keyword of the same level-1 tag (护肤 / 美妆), and side tags stay related.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any
from zoneinfo import ZoneInfo

from bot.xingtu_tags import LEVEL_ONE, LEVEL_TWO

CAPTURED_AT = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
# Package data (pyproject.toml), read through importlib so a wheel install finds it too.
BUNDLE_PATH: Traversable = files("bot").joinpath("demo_data", "search_pages.json.gz")
PAGE_SIZE = 20
ROUTE_V1 = "search_kol_v1"
ROUTE_V2 = "search_kol_v2"

FAILING_KEYWORD = "故障演示"  # documented in the README: its page 2 is refused (10003)
_FAILING_PAGE = (FAILING_KEYWORD, 2)
_ADHOC_PAGES = 2
_CAPTURED_TS = int(CAPTURED_AT.timestamp())
_OPEN_END = "2145916800"  # 2038-01-01: upstream's "no end date"
_OPEN_MAX_WAN = 100_000  # upper followerRange bound echoed for an open-ended range
_API_PREFIX = "/api/v1/douyin/xingtu/"
_TZ_NAME = "America/Los_Angeles"


def _compact_json(value: object, *, sort_keys: bool = False) -> str:
    """JSON as upstream sends it: UTF-8 text as is, no spaces after separators."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


# content-tag id -> (level-1 name, level-2 name or None), e.g. "tag_level_two-4" -> ("美妆", "护肤保养")
CONTENT_TAGS: dict[str, tuple[str, str | None]] = {
    **{f"tag-{i}": (name, None) for i, name in LEVEL_ONE.items()},
    **{f"tag_level_two-{j}": (LEVEL_ONE[i], name) for i, sub in LEVEL_TWO.items() for j, name in sub.items()},
}


@dataclass(frozen=True)
class _Theme:
    """What the creators found for one keyword talk about."""

    slug: str  # seeds every random draw for this keyword
    tag: tuple[str, tuple[str, ...]]  # main level-1 tag and its level-2 tags
    side_tags: tuple[tuple[str, tuple[str, ...]], ...]  # a second tag some creators carry
    labels: tuple[str, ...]  # content_theme_labels_180d
    words: tuple[str, ...]  # author_thin_mid_word_association_index keys
    titles: tuple[str, ...]
    handles: tuple[str, ...]  # nickname endings
    brands: tuple[str, ...]  # invented brand names for store accounts
    female: float
    total: int  # total_count the pages drift around
    pages: int = 5
    games: tuple[str, ...] = ()  # game_type genres, for the rare game creator


_THEMES: dict[str, _Theme] = {
    "护肤": _Theme(
        slug="hufu",
        tag=("美妆", ("护肤保养", "美妆测评种草")),
        side_tags=(("测评", ("美妆测评",)), ("生活", ("好物推荐",)), ("颜值达人", ("美女",))),
        labels=("护肤推荐", "成分解析", "敏感肌护理", "抗老护肤", "护肤好物", "换季护肤", "美白淡斑"),
        words=("保湿", "美白", "祛痘", "抗老", "玻色因", "洁面", "防晒", "修护", "精华"),
        titles=(
            "换季护肤一定要做对这三步",
            "油皮姐妹的控油心得",
            "敏感肌修护日记",
            "空瓶记录｜这些真的好用",
            "早C晚A到底适不适合你",
            "熬夜急救面膜实测",
            "防晒霜怎么选不踩雷",
            "精华液平替大合集",
        ),
        handles=("护肤日记", "的护肤笔记", "爱护肤", "成分研究所", "的梳妆台"),
        brands=("澜序", "植萃集", "初白研", "霁光", "素研"),
        female=0.82,
        total=2513,
    ),
    "美妆": _Theme(
        slug="meizhuang",
        tag=("美妆", ("美妆教程", "妆容展示", "美妆测评种草")),
        side_tags=(("颜值达人", ("美女",)), ("测评", ("美妆测评",)), ("时尚", ("造型",))),
        labels=("日常妆容", "新手化妆", "眼妆教程", "口红试色", "底妆测评", "仿妆"),
        words=("粉底", "口红", "眼影", "遮瑕", "定妆", "腮红", "卸妆", "持妆"),
        titles=(
            "新手也能学会的伪素颜妆",
            "十块钱的眼影盘能有多好看",
            "黄黑皮口红试色",
            "持妆一整天实测",
            "通勤五分钟快速出门妆",
            "约会妆容教程",
            "干皮底妆不卡粉的秘诀",
        ),
        handles=("的化妆间", "美妆", "妆容研究所", "爱化妆", "的彩妆日记"),
        brands=("绯雾", "星黛", "柒色", "云妆"),
        female=0.85,
        total=3120,
    ),
    "美食": _Theme(
        slug="meishi",
        tag=("美食", ("美食教程", "美食探店", "美食产品测评", "乡村野食")),
        side_tags=(("生活", ("生活记录",)), ("剧情搞笑", ("搞笑",)), ("旅行", ("旅行推荐",))),
        labels=("家常菜", "探店打卡", "地方小吃", "烘焙甜点", "减脂餐", "夜宵"),
        words=("好吃", "探店", "火锅", "烧烤", "甜品", "家常", "下饭", "奶茶"),
        titles=(
            "人均三十吃到撑",
            "十分钟搞定一道下饭菜",
            "这家老店开了二十年",
            "跟着外婆学做红烧肉",
            "深夜食堂第12期",
            "一口入魂的芝士年糕",
            "路边摊美食大测评",
        ),
        handles=("爱吃饭", "的厨房", "吃遍全城", "探店记", "美食记"),
        brands=("禾田记", "椒小二", "麦香坊", "味之匠"),
        female=0.5,
        total=5280,
    ),
    "母婴": _Theme(
        slug="muying",
        tag=("母婴亲子", ("育儿科普", "萌娃日常", "亲子互动", "测评种草")),
        side_tags=(("测评", ("母婴产品测评",)), ("生活", ("生活记录", "健康养生"))),
        labels=("育儿经验", "辅食制作", "亲子游戏", "孕期日常", "早教启蒙", "宝宝穿搭"),
        words=("奶粉", "纸尿裤", "辅食", "早教", "孕期", "湿巾", "安抚", "绘本"),
        titles=(
            "新手妈妈必看的喂养干货",
            "宝宝辅食一周不重样",
            "二胎妈妈的一天",
            "带娃出门必备清单",
            "睡前亲子游戏推荐",
            "孕晚期真实记录",
            "宝宝第一次叫妈妈",
        ),
        handles=("妈妈", "带娃记", "的育儿经", "育儿日记", "麻麻"),
        brands=("贝柔", "小禾苗", "暖暖熊", "初萌"),
        female=0.9,
        total=1890,
    ),
    "数码": _Theme(
        slug="shuma",
        tag=("科技数码", ("3C数码", "家居电器", "科技")),
        side_tags=(("测评", ("3C数码测评",)), ("游戏", ("游戏解说",)), ("汽车", ("汽车知识",))),
        labels=("手机测评", "电脑装机", "数码开箱", "智能家居", "耳机推荐", "摄影器材"),
        words=("手机", "耳机", "续航", "芯片", "充电", "平板", "相机", "键盘"),
        titles=(
            "千元机怎么选看这一期就够了",
            "开箱一台神秘新品",
            "降噪耳机横评",
            "桌面改造第三期",
            "这台平板值不值得买",
            "手机拍照参数详解",
            "双十一数码避坑指南",
        ),
        handles=("聊数码", "科技", "数码君", "的桌面", "测评室"),
        brands=("凌屿", "拓光", "芯程", "极境"),
        female=0.2,
        total=3310,
        games=("射击", "生存", "策略"),
    ),
    "穿搭": _Theme(
        slug="chuanda",
        tag=("时尚", ("穿搭", "街拍", "造型")),
        side_tags=(("颜值达人", ("美女", "帅哥")), ("生活", ("好物推荐",)), ("美妆", ("妆容展示",))),
        labels=("日常穿搭", "通勤穿搭", "小个子穿搭", "秋冬叠穿", "平价好物", "街拍"),
        words=("显瘦", "通勤", "外套", "卫衣", "阔腿裤", "针织", "配色", "小个子"),
        titles=(
            "一周通勤穿搭不重样",
            "小个子显高秘诀",
            "秋冬外套怎么选",
            "梨形身材穿搭思路",
            "一衣多穿挑战",
            "百元内的宝藏单品",
            "今日OOTD",
        ),
        handles=("穿搭", "的衣橱", "穿搭日记", "衣品研究所", "穿搭笔记"),
        brands=("素野", "衣见", "棉里", "北屿"),
        female=0.7,
        total=2780,
    ),
}
DEMO_KEYWORDS: tuple[str, ...] = tuple(_THEMES)

# Keyword -> the keyword whose creators sometimes also show up in its results.
# Only keywords of the same level-1 tag: a 母婴 search never shows a food creator.
_SIBLINGS = {"护肤": "美妆", "美妆": "护肤"}

# Pool position -> forced edge case (every keyword, so all of them land on page 1).
_QUIRKS = {
    0: "full",  # every optional metric present, priced for 1/2/71
    1: "cpm92",  # extra video_type 92 quote with ceiling/floor budget
    2: "price0",  # video_type 71 quoted 0: entry without times, no price_60
    3: "junk_key",  # a last_10_items element with a leaked `"…": null` key
    4: "bare",  # only the always-present keys; tags "{}", items [], task_infos []
    5: "empty_price_infos",  # a task whose price_infos is []
    6: "discount",  # price_extra_info with last month and discount
    7: "brand",  # a brand store account
}
_PRICED_QUIRKS = {"full", "cpm92", "price0", "junk_key", "discount"}

_TIERS = ((8_000, 100_000), (100_000, 1_000_000), (1_000_000, 10_000_000), (10_000_000, 30_000_000))
_MEDIAN_QUOTE = (1_800, 7_000, 69_000, 315_000)  # 21–60 s quote by follower tier, yuan
_PLACES = (
    ("广东省", "广州市"),
    ("广东省", "深圳市"),
    ("浙江省", "杭州市"),
    ("四川省", "成都市"),
    ("江苏省", "南京市"),
    ("上海市", ""),
    ("北京市", "朝阳区"),
    ("山东省", "青岛市"),
    ("湖北省", "武汉市"),
    ("福建省", "厦门市"),
)
_CITIES = ("杭州", "广州", "上海", "成都", "长沙", "重庆", "西安")
_CORES = (
    *("鹿", "柚子", "糖糖", "橙子", "木木", "七七", "安安", "桃桃", "米粒", "豆豆", "小鱼", "阿狸"),
    *("芒果", "奶盖", "团子", "可乐", "布丁", "椰子", "栗子", "叶子", "星星", "阿飞", "大宝", "饭团"),
    *("小满", "半夏", "初一", "南风", "北北", "卷卷", "晴天", "小雨", "阿杰", "老王", "二哥", "大力"),
)
_PREFIXES = ("", "", "小", "阿", "大", "是", "叫我")
_ENDINGS = ("酱", "呀", "同学", "老师", "姐姐", "哥")
_EMOJI = ("✨", "🌸", "🍑", "🐻", "🌈", "🍀", "🌙", "🔥")
_STORE_SUFFIXES = ("官方旗舰店", "旗舰店", "专卖店", "官方")
_JUNK_FRAGMENTS = ("第二件半价", "真的绝了", "姐妹们冲", "链接在评论区")
_GMV = ("<=1k", "1k-3w", "3w-20w", "20w-100w", ">100w")
_AOV = ("<=10", "10-50", "50-200", ">200")
_GPM = ("<=80", "80-400", "400-1000", "1000-3000", ">3000")
_CTR = ("2%以下", "2%-4%", "4%-6%", "6%-8%", "10%以上")
_MID_CLICK = ("500以下", "500-1000", "1000-5000", "1万-5万")
_AUTHOR_EXTRA = {
    "content_query_from_word": "",
    "content_query_score": 0,
    "debug_info": "",
    "demander_behavior": {"added_author_list": False, "cooperated": False, "viewd_author_page": False},
    "recall_from": ["1_0"],
    "recall_return_infos": {},
    "recommend_types": [],
}


# -- public API ---------------------------------------------------------------------------


def is_failing_page(keyword: str, page: int) -> bool:
    """The one page of the dataset that upstream refuses (10003 inside HTTP 200)."""
    return (keyword.strip(), page) == _FAILING_PAGE


def search_body(
    keyword: str,
    page: int,
    *,
    follower_range_wan: tuple[int | None, int | None] | None = None,
    content_tag: str | None = None,
    route: str = ROUTE_V1,
) -> dict[str, Any]:
    """A successful TikHub body (full 15-key envelope) for one search page.

    v2 filters imply the `search_kol_v2` shape; `route` may be a name or a full router path.
    """
    keyword = keyword.strip()
    route, params = _request(keyword, page, follower_range_wan, content_tag, route)
    if route == ROUTE_V2:
        authors, total, has_more = _filtered_page(keyword, page, follower_range_wan, content_tag)
    else:
        authors, total, has_more = _ranked_page(keyword, page)
    data = {
        "authors": authors,
        "base_resp": {"status_code": 0, "status_message": ""},
        "extra_data": _search_extra(route, params),
        "pagination": {"has_more": has_more, "limit": PAGE_SIZE, "page": page, "total_count": total},
    }
    return _envelope(route, params, data)


def refused_body(route: str, params: dict[str, str]) -> dict[str, Any]:
    """Upstream refusal: HTTP 200 envelope whose `data` holds only a 10003 `base_resp`."""
    route = route.rsplit("/", 1)[-1]
    log_id = f"{CAPTURED_AT:%Y%m%d%H%M%S}{_digest('refused', route, params).hex()[:20].upper()}"
    message = f"您的客户权益等级过低，暂时无法访问更多数据[{log_id}]"
    return _envelope(route, params, {"base_resp": {"status_code": 10003, "status_message": message}})


def response_body(
    keyword: str,
    page: int,
    *,
    follower_range_wan: tuple[int | None, int | None] | None = None,
    content_tag: str | None = None,
    route: str = ROUTE_V1,
) -> dict[str, Any]:
    """What upstream answers for this request: the refusal on the failing page, else `search_body`."""
    if is_failing_page(keyword, page):
        return refused_body(*_request(keyword.strip(), page, follower_range_wan, content_tag, route))
    return search_body(
        keyword, page, follower_range_wan=follower_range_wan, content_tag=content_tag, route=route
    )


def dataset() -> dict[str, Any]:
    """Every v1 page of every demo keyword, as `bot/demo_data/search_pages.json.gz` stores it."""
    return {
        "captured_at": CAPTURED_AT.isoformat(),
        "pages": {
            keyword: {str(page): response_body(keyword, page) for page in range(1, theme.pages + 1)}
            for keyword, theme in _THEMES.items()
        },
    }


def bundle_bytes() -> bytes:
    """`dataset()` as the gzip JSON written to `BUNDLE_PATH` (no timestamp in the gzip header)."""
    return gzip.compress(_compact_json(dataset()).encode(), mtime=0)


# -- pages --------------------------------------------------------------------------------


def _request(
    keyword: str,
    page: int,
    follower_range_wan: tuple[int | None, int | None] | None,
    content_tag: str | None,
    route: str,
) -> tuple[str, dict[str, str]]:
    """Route name and the query params TikHub would echo (as our client sends them)."""
    route = route.rsplit("/", 1)[-1]
    follower_range = None if follower_range_wan == (None, None) else follower_range_wan
    if route != ROUTE_V2 and follower_range is None and not content_tag:
        return ROUTE_V1, {"keyword": keyword, "platformSource": "_1", "page": str(page)}
    params = {"keyword": keyword, "page": str(page)}
    if follower_range is not None:
        low, high = follower_range
        params["followerRange"] = f"{low or 0}-{high if high is not None else _OPEN_MAX_WAN}"
    if content_tag:
        params["contentTag"] = content_tag
    return ROUTE_V2, params


def _ranked_page(keyword: str, page: int) -> tuple[list[dict], int, bool]:
    """v1: page windows over the pool that overlap a little; empty past the pool."""
    pool = _pool(keyword)
    total = _total_count(pool.theme, page)
    if not 1 <= page <= len(pool.starts):
        return [], total, False
    start = pool.starts[page - 1]
    return [_author(*key) for key in pool.keys[start : start + PAGE_SIZE]], total, True


def _filtered_page(
    keyword: str,
    page: int,
    follower_range_wan: tuple[int | None, int | None] | None,
    content_tag: str | None,
) -> tuple[list[dict], int, bool]:
    """v2: the whole pool filtered server-side, paged without overlap."""
    authors = [_author(*key) for key in dict.fromkeys(_pool(keyword).keys)]
    matches = [a for a in authors if _matches(a["attribute_datas"], follower_range_wan, content_tag)]
    start = (page - 1) * PAGE_SIZE
    window = matches[start : start + PAGE_SIZE] if page >= 1 else []
    return window, len(matches), page >= 1 and start + PAGE_SIZE < len(matches)


def _matches(
    attrs: dict[str, str], follower_range_wan: tuple[int | None, int | None] | None, content_tag: str | None
) -> bool:
    low, high = follower_range_wan or (None, None)
    followers = int(attrs["follower"])
    if (low is not None and followers < low * 10_000) or (high is not None and followers > high * 10_000):
        return False
    if not content_tag:
        return True
    if content_tag not in CONTENT_TAGS:
        return False
    level1, level2 = CONTENT_TAGS[content_tag]
    tags = json.loads(attrs["tags_relation"])
    return level1 in tags if level2 is None else level2 in tags.get(level1, [])


def _total_count(theme: _Theme, page: int) -> int:
    rng = random.Random(f"total:{theme.slug}:{page}")
    drift = rng.randint(-theme.total // 8, theme.total // 6)
    return theme.total + (drift if page > 1 and rng.random() < 0.5 else 0)


def _search_extra(route: str, params: dict[str, str]) -> dict[str, Any]:
    digest = _digest("session", route, params)
    extra: dict[str, Any] = {
        "is_cpm_project_search": False,
        "search_author_count": 0,
        "search_item_count": 0,
        "search_session_id": str(7_500_000_000_000_000_000 + int.from_bytes(digest[:8]) % 10**17),
    }
    if route == ROUTE_V2:
        extra["intent_score"] = int.from_bytes(digest[8:16]) / 2**64 / 20
        extra["is_intent_consistent"] = False
    return extra


def _envelope(route: str, params: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    digest = _digest("request", route, params)
    request_id = str(uuid.UUID(bytes=digest[:16], version=4))
    return {
        "code": 200,
        "request_id": request_id,
        "message": "Request successful. This request will incur a charge.",
        "message_zh": "请求成功，本次请求将被计费。",
        "support": "Discord: https://discord.gg/aMEAS8Xsvz",
        "time": CAPTURED_AT.astimezone(ZoneInfo(_TZ_NAME)).strftime("%Y-%m-%d %H:%M:%S"),
        "time_stamp": _CAPTURED_TS,
        "time_zone": _TZ_NAME,
        "docs": f"https://api.tikhub.io/#/Douyin-Xingtu-API/{route}_api_v1_douyin_xingtu_{route}_get",
        "cache_message": (
            "This request will be cached. You can access the cached result directly using the URL below, "
            "valid for 24 hours. Accessing the cache will not incur additional charges."
        ),
        "cache_message_zh": (
            "本次请求将被缓存，你可以使用下面的 URL 直接访问缓存结果，"
            "有效期为 24 小时，访问缓存不会产生额外费用。"
        ),
        "cache_url": f"https://cache.tikhub.io/api/v1/cache/public/{request_id}?sign={_sign(digest)}",
        "router": _API_PREFIX + route,
        "params": dict(params),
        "data": data,
    }


def _sign(digest: bytes) -> str:
    return hashlib.sha256(digest).hexdigest()


def _digest(purpose: str, route: str, params: dict[str, str]) -> bytes:
    seed = json.dumps([purpose, route, params], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(seed.encode()).digest()


# -- pools --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pool:
    theme: _Theme
    keys: tuple[tuple[str, int], ...]  # (home keyword, index) of each creator, in ranking order
    starts: tuple[int, ...]  # pool index of each page's first creator


@lru_cache(maxsize=256)
def _pool(keyword: str) -> _Pool:
    theme = _theme(keyword)
    rng = random.Random(f"pool:{theme.slug}")
    starts = [0]
    for _ in range(theme.pages - 1):
        starts.append(starts[-1] + PAGE_SIZE - rng.randint(1, 3))
    sibling = _SIBLINGS.get(keyword)
    keys = tuple(
        (sibling, rng.randrange(len(_QUIRKS), 80))
        if sibling and i >= len(_QUIRKS) and rng.random() < 0.06
        else (keyword, i)
        for i in range(starts[-1] + PAGE_SIZE)
    )
    return _Pool(theme, keys, tuple(starts))


@lru_cache(maxsize=256)
def _theme(keyword: str) -> _Theme:
    return _THEMES.get(keyword) or _adhoc_theme(keyword)


def _adhoc_theme(keyword: str) -> _Theme:
    """A small pool for a keyword outside the dataset, themed by the same-named content tag."""
    tag = next(
        (
            (level1, (level2,) if level2 else _level_two(level1))
            for level1, level2 in CONTENT_TAGS.values()
            if keyword in (level1, level2)
        ),
        ("生活", ("生活记录", "好物推荐", "生活小窍门")),
    )
    digest = hashlib.sha256(keyword.encode()).hexdigest()
    return _Theme(
        slug=f"kw{digest[:12]}",
        tag=tag,
        side_tags=(("生活", ("生活记录",)), ("剧情搞笑", ("搞笑",))),
        labels=(f"{keyword}分享", f"{keyword}推荐", "日常记录", "生活vlog"),
        words=(keyword, "推荐", "测评", "平价", "教程"),
        titles=(
            f"{keyword}真的绝了",
            f"关于{keyword}的一些心得",
            f"新手必看的{keyword}攻略",
            f"{keyword}好物分享",
            "周末vlog",
            "今天也是元气满满的一天",
        ),
        handles=("的日常", "分享", "vlog", "笔记", "在路上"),
        brands=("优品", "悦选", "百汇"),
        female=0.55,
        total=40 + int(digest[12:16], 16) % 360,
        pages=_ADHOC_PAGES,
    )


def _level_two(level1: str) -> tuple[str, ...]:
    return tuple(child for name, child in CONTENT_TAGS.values() if name == level1 and child)


# -- creators -----------------------------------------------------------------------------


def _author(keyword: str, index: int) -> dict[str, Any]:
    """A fresh copy of the creator at `index` of `keyword`'s pool."""
    return json.loads(_author_json(keyword, index))


@lru_cache(maxsize=4096)
def _author_json(keyword: str, index: int) -> str:
    return json.dumps(_AuthorMaker(_theme(keyword), index).build(), ensure_ascii=False)


class _AuthorMaker:
    """Builds one synthetic author object; each step adds a group of `attribute_datas` keys."""

    def __init__(self, theme: _Theme, index: int) -> None:
        self.theme, self.quirk = theme, _QUIRKS.get(index)
        self.full, self.bare = self.quirk == "full", self.quirk == "bare"
        self.rng = rng = random.Random(f"author:{theme.slug}:{index}")
        self.brand = self.quirk == "brand" or (self.quirk is None and rng.random() < 0.06)
        self.priced = self.quirk in _PRICED_QUIRKS or (self.quirk is None and rng.random() < 0.24)
        self.attrs: dict[str, str] = {}
        self.tier = self.followers = 0
        self.expected: int | None = None
        self.promotion_vv: int | None = None
        self.interact_rate: float | None = None
        self.median_vv: float | None = None

    def build(self) -> dict[str, Any]:
        self._identity()
        self._audience()
        self._content()
        self._plays()
        self._rates()
        self._indices()
        tasks = self._tasks()
        self._ecom()
        self._flags()
        recent = self._last_items()
        return {
            "attribute_datas": dict(sorted(self.attrs.items())),
            "extra_data": _AUTHOR_EXTRA,
            "items": self._items(recent),
            "star_id": self.attrs["id"],
            "task_infos": tasks,
        }

    def _maybe(self, share: float) -> bool:
        """Whether an optional key group is present: always for "full", never for "bare"."""
        if self.full or self.bare:
            return self.full
        return self.rng.random() < share

    # identity and audience ---------------------------------------------------------------

    def _identity(self) -> None:
        rng, a = self.rng, self.attrs
        a["id"] = str(rng.randrange(6_600_000_000_000_000_000, 7_500_000_000_000_000_000))
        a["nick_name"] = self._store_name() if self.brand else self._nickname()
        a["author_type"] = "3" if self.brand else rng.choices("123", (64, 30, 6))[0]
        a["author_avatar_frame_icon"] = rng.choices(("0", "20"), (3, 1))[0]
        a["author_status"] = "1"
        a["avatar_uri"] = (
            f"https://p{rng.choice((3, 11, 26))}.example-douyinpic.invalid/aweme/1080x1080/aweme-avatar/"
            f"tos-cn-avt-0015_{rng.getrandbits(128):032x}.jpeg?from=4010531038"
        )
        uid = rng.randrange(10**10, 10**11) if rng.random() < 0.35 else rng.randrange(10**14, 10**16)
        a["core_user_id"] = str(uid)
        female = rng.random() < self.theme.female
        a["gender"] = "0" if self.brand or rng.random() < 0.07 else ("2" if female else "1")
        a["grade"] = _flag01(rng.random() < 0.05)
        a["province"], a["city"] = self._place()

    def _nickname(self) -> str:
        rng, theme = self.rng, self.theme
        core, style = rng.choice(_CORES), rng.random()
        if style < 0.35:
            name = f"{rng.choice(_PREFIXES)}{core}{rng.choice(theme.handles)}"
        elif style < 0.6:
            name = f"{core}{rng.choice(_CORES)}"
        elif style < 0.92:
            name = f"{rng.choice(_PREFIXES)}{core}{rng.choice(_ENDINGS)}"
        else:
            name = f"{core}（{theme.tag[0]}版）"
        return name + rng.choice(_EMOJI) if rng.random() < 0.2 else name

    def _store_name(self) -> str:
        return f"{self.rng.choice(self.theme.brands)}{self.rng.choice(_STORE_SUFFIXES)}"

    def _place(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.7:
            return "", rng.choice(_CITIES) if rng.random() < 0.5 else ""
        return rng.choice(_PLACES)

    def _audience(self) -> None:
        rng, a = self.rng, self.attrs
        weights = (30, 50, 20, 0) if self.brand else (0, 60, 35, 5) if self.full else (22, 50, 22, 6)
        self.tier = rng.choices(range(4), weights)[0]
        low, high = _TIERS[self.tier]
        self.followers = int(math.exp(rng.uniform(math.log(low), math.log(high))))
        gained = round(self.followers * min(0.3, max(-0.04, rng.gauss(0.012, 0.025))))
        month = gained * rng.uniform(1.2, 2.4)
        a["follower"] = str(self.followers)
        a["fans_increment_within_15d"] = str(gained)
        a["fans_increment_rate_within_15d"] = repr(gained / (self.followers - gained)) if gained else "0"
        a["fans_increment_within_30d"] = _num(month, 2) if rng.random() < 0.25 else str(round(month))

    # content -----------------------------------------------------------------------------

    def _content(self) -> None:
        rng, a, theme = self.rng, self.attrs, self.theme
        a["tags_relation"] = _compact_json(self._tags(), sort_keys=True)
        if self._maybe(0.5):
            empty = not self.full and rng.random() < 0.15
            labels = [] if empty else rng.sample(theme.labels, rng.randint(1, 3))
            a["content_theme_labels_180d"] = _compact_json(labels)
        if not self.bare:
            words = [] if rng.random() < 0.1 else rng.sample(theme.words, rng.randint(3, len(theme.words)))
            scores = {w: 0 if rng.random() < 0.45 else rng.uniform(0, 4) for w in words}
            a["author_thin_mid_word_association_index"] = _compact_json(scores, sort_keys=True)
        gamer = theme.games and rng.random() < 0.12
        a["game_type"] = json.dumps({rng.choice(theme.games): 1.0}) if gamer else ""

    def _tags(self) -> dict[str, list[str]]:
        rng = self.rng
        if self.bare or (not self.full and rng.random() < 0.14):
            return {}
        level1, children = self.theme.tag
        tags = {level1: rng.sample(children, min(len(children), rng.choice((1, 1, 2))))}
        if rng.random() < 0.3:
            side1, side2 = rng.choice(self.theme.side_tags)
            child = rng.choice(side2)
            if child not in tags.setdefault(side1, []):
                tags[side1].append(child)
        return tags

    # performance ---------------------------------------------------------------------------

    def _plays(self) -> None:
        rng, a = self.rng, self.attrs
        if not self._maybe(0.78 if self.priced else 0.72):
            return
        ratio = math.exp(rng.gauss(math.log(0.12), 0.9))
        self.expected = max(150, min(int(self.followers * ratio), int(self.followers * 1.6)))
        a["expected_play_num"] = a["sn_expected_play_num"] = str(self.expected)
        if self._maybe(0.96):
            a["expected_natural_play_num"] = str(int(self.expected * rng.uniform(0.55, 0.8)))
        if self._maybe(0.91):
            self.promotion_vv = int(self.expected * rng.uniform(1.0, 1.25))
            a["promotion_prospective_vv"] = str(self.promotion_vv)
        if self._maybe(0.6):
            a["pic_expected_play_num"] = str(int(self.expected * rng.uniform(0, 0.7)))
        if self._maybe(0.66):
            a["brand_boost_vv"] = boost = str(int(self.expected * rng.uniform(0.05, 0.35)))
            if self._maybe(0.07):
                a["video_brand_boost"], a["video_brand_boost_vv"] = _tf(rng.random() < 0.8), boost

    def _rates(self) -> None:
        rng, a = self.rng, self.attrs
        if not self._maybe(0.58 if self.expected else 0.05):
            return
        self.interact_rate = round(min(0.25, max(0.0005, math.exp(rng.gauss(math.log(0.02), 0.7)))), 4)
        a["interact_rate_within_30d"] = a["sn_interact_rate_within_30d"] = _num(self.interact_rate, 4)
        a["play_over_rate_within_30d"] = a["sn_play_over_rate_within_30d"] = _num(rng.uniform(0.04, 0.45), 4)
        if self._maybe(0.6):
            self.median_vv = (self.expected or self.followers * 0.1) * rng.uniform(0.5, 1.5)
            a["vv_median_30d"] = self._median(self.median_vv)
            a["interaction_median_30d"] = self._median(self.median_vv * self.interact_rate)

    def _median(self, value: float) -> str:
        """Medians are integers or halves ("5276.5")."""
        return f"{int(value)}.5" if self.rng.random() < 0.15 else str(int(value))

    def _indices(self) -> None:
        rng, a = self.rng, self.attrs
        if self._maybe(0.72):  # link_star_index: 2007 of 2780 real authors
            draw, *link = (rng.uniform(35, 98) for _ in range(4))
            spread, shopping, convert = (_num(v, 2) for v in link)
            star = _num(_composite(link, draw), 2)
            a |= {
                "link_star_index": star,
                "link_star_index_by_industry": star,
                "link_spread_index": spread,
                "link_spread_index_by_industry": spread,
                "link_shopping_index": shopping,
                "link_recommend_index_by_industry": shopping,
                "link_convert_index": convert,
                "link_convert_index_by_industry": convert,
            }
            if self._maybe(0.48):
                a["search_after_view_index_by_industry"] = _num(rng.uniform(30, 95), 2)
            if self._maybe(0.55):
                self._link_counts()
        if self._maybe(0.45 if self.priced else 0.055):  # upstream's legacy index; kolbot does not read it
            a["star_index"] = repr(rng.uniform(38.18, 89.63))

    def _link_counts(self) -> None:
        counts = {stage: int(self.followers * self.rng.uniform(0.05, 1.2)) for stage in "ikln"}
        for stage, count in counts.items():
            self.attrs[f"link_{stage}_cnt_by_industry"] = str(count)
        self.attrs["link_link_cnt_by_industry"] = str(sum(counts.values()))
        self.attrs["link_user_type_by_industry"] = str(self.rng.randint(1, 4))

    # quotes --------------------------------------------------------------------------------

    def _tasks(self) -> list[dict[str, Any]]:
        if self.priced:
            return [self._task(self._price_infos())]
        if self.quirk == "empty_price_infos" or (self.quirk is None and self.rng.random() < 0.06):
            return [self._task([])]
        return []

    def _task(self, price_infos: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "online_status": 1 if self.rng.random() < 0.95 else 2,
            "platform_source": 1,
            "price_infos": price_infos,
            "task_category": 1,
            "task_status": 1,
        }

    def _price_infos(self) -> list[dict[str, Any]]:
        rng = self.rng
        medium = _nice(_MEDIAN_QUOTE[self.tier] * math.exp(rng.gauss(0, 0.55)))
        quotes = {1: _nice(medium * rng.uniform(0.55, 0.9)), 2: medium}
        if self.quirk in ("full", "price0") or rng.random() < 0.82:
            quotes[71] = 0 if self.quirk == "price0" else _nice(medium * rng.uniform(1.3, 2.2))
        elif rng.random() < 0.05:
            quotes[71] = 0
        start = str(rng.randint(1_600_000_000, _CAPTURED_TS - 30 * 86_400))
        infos = [self._price_info(video_type, price, start) for video_type, price in quotes.items()]
        infos += self._other_quotes(medium)
        rng.shuffle(infos)
        self._quote_attrs(quotes)
        return infos

    def _other_quotes(self, medium: int) -> list[dict[str, Any]]:
        """Co-creation (91), collection (73), seeding (150) and CPM-settled (92) quotes."""
        rng = self.rng
        start = str(rng.randint(1_600_000_000, _CAPTURED_TS - 30 * 86_400))
        out = []
        if rng.random() < 0.45:
            out.append(self._price_info(91, _nice(medium * rng.uniform(0.03, 0.2)), start))
        if rng.random() < 0.15:
            out.append(self._price_info(73, _nice(medium * rng.uniform(1.2, 2.0)), start))
        if rng.random() < 0.08:
            out.append(self._price_info(150, _nice(medium * rng.uniform(1.0, 1.6)), start))
        if self.quirk == "cpm92" or (self.quirk is None and rng.random() < 0.03):
            budget = {
                "ceiling_price": str(_nice(medium * rng.uniform(1.5, 3.0))),
                "floor_price": str(_nice(medium * rng.uniform(0.12, 0.3))),
            }
            out.append(self._price_info(92, rng.randint(20, 80), start, budget))
        return out

    def _price_info(
        self, video_type: int, price: int, start: str, extra: dict[str, str] | None = None
    ) -> dict[str, Any]:
        if price == 0:  # upstream drops times and extra info on a zero quote
            return {
                "platform_source": 1,
                "price": 0,
                "task_category": 1,
                "video_type": video_type,
                "video_type_status": 1,
            }
        return {
            "end_time": _OPEN_END,
            "platform_source": 1,
            "price": price,
            "price_extra_info": self._price_extra(video_type, price) if extra is None else extra,
            "start_time": start,
            "task_category": 1,
            "video_type": video_type,
            "video_type_status": 1,
        }

    def _price_extra(self, video_type: int, price: int) -> dict[str, str]:
        rng = self.rng
        if self.quirk == "discount" and video_type in (1, 2):
            style = "last_month" if video_type == 1 else "discount"
        else:
            style = rng.choices(("none", "last_month", "discount"), (89, 8, 3))[0]
        if style == "last_month":
            return {"price_last_month": str(_nice(price * rng.uniform(0.8, 1.25)))}
        if style == "discount":
            last = _nice(price / (1 - rng.randint(5, 30) / 100))
            return {
                "price_discount_range": str(round((last - price) * 100 / last)),
                "price_last_month": str(last),
                "price_margin_last": str(last - price),
            }
        return {}

    def _quote_attrs(self, quotes: dict[int, int]) -> None:
        """`price_*` mirrors and the CPM/CPE figures upstream derives from them."""
        rng, a = self.rng, self.attrs
        engagement_skew = rng.uniform(0.95, 1.05)  # Xingtu's engagement model is not exactly plays × rate
        for video_type, suffix in ((1, "1_20"), (2, "20_60"), (71, "60")):
            price = quotes.get(video_type)
            if not price:
                continue
            a[f"price_{suffix}"] = str(price)
            if self.expected:
                cpm = _num(price * 1000 / self.expected, 4)
                a[f"prospective_{suffix}_cpm"] = a[f"sn_prospective_{suffix}_cpm"] = cpm
            if self.promotion_vv:
                a[f"promotion_prospective_{suffix}_cpm"] = _num(price * 1000 / self.promotion_vv, 2)
            if self.expected and self.interact_rate:
                engagements = self.expected * self.interact_rate * engagement_skew
                a[f"sn_prospective_{suffix}_cpe"] = _num(price / engagements, 4)
        if self._maybe(0.9):
            a["assign_cpm_suggest_price"] = str(rng.randint(4, 122))
        if self._maybe(0.95):
            a["expected_cpa3_level"] = str(rng.randint(1, 4))

    # e-commerce and flags ------------------------------------------------------------------

    def _ecom(self) -> None:
        rng, a = self.rng, self.attrs
        if self.bare:
            return
        level = rng.choices(range(7), (35, 20, 8, 12, 15, 7, 3))[0]
        if self._maybe(0.97):
            a["author_ecom_level"] = f"L{level}"
        if self._maybe(0.99):
            a["e_commerce_enable"] = _flag01(level > 0 or rng.random() < 0.4)
        if self._maybe(0.97):
            a["ecom_video_product_num_30d"] = str(rng.randint(0, 6 * level))
        if self._maybe(0.25 + 0.04 * level):
            a["ecom_score"] = str(rng.randint(80, 100))
        if level >= 3 and self._maybe(0.5):
            a["ecom_gmv_30d_range"] = rng.choice(_GMV)
            a["ecom_avg_order_value_30d_range"] = rng.choice(_AOV)
            a["ecom_gpm_30d_range"] = rng.choice(_GPM)
        if level >= 1 and self._maybe(0.3):
            a["ecom_video_ctr_30d_range"] = rng.choice(_CTR)
            a["ecom_video_mid_click_pv_30d_range"] = rng.choice(_MID_CLICK)

    def _flags(self) -> None:
        """Both upstream boolean styles: "true"/"false" for some flags, "0"/"1" for the rest."""
        rng, a = self.rng, self.attrs
        a["is_black_horse_author"] = _tf(rng.random() < 0.08)
        a["is_cocreate_author"] = _tf(rng.random() < 0.25)
        a["local_lower_threshold_author"] = _tf(rng.random() < 0.1)
        a["is_cpm_project_author"] = _flag01(rng.random() < 0.2)
        a["star_whispers_author"] = _flag01(rng.random() < 0.8)
        if not self.bare:
            a["is_excellenct_author"] = _flag01(rng.random() < 0.15)  # sic: upstream spelling
            a["star_excellent_author"] = _flag01(rng.random() < 0.1)
            a["star_qianchuan_high_potential"] = _flag01(rng.random() < 0.1)
        if self._maybe(0.4):
            a["is_ad_star_cur_high_quality_author"] = _flag01(rng.random() < 0.3)
        if self._maybe(0.25):
            a["is_short_drama"] = _flag01(rng.random() < 0.1)

    # works ---------------------------------------------------------------------------------

    def _last_items(self) -> list[dict[str, Any]]:
        rng = self.rng
        if self.quirk != "junk_key" and not self._maybe(0.88):
            return []
        count = 10 if self.full or rng.random() < 0.45 else rng.randint(1, 9)
        base = self.median_vv or self.expected or self.followers * 0.1
        published = _CAPTURED_TS - rng.randint(3_600, 5 * 86_400)
        items = []
        for k in range(count):
            junk = (self.quirk == "junk_key" and k == 0) or (self.quirk is None and rng.random() < 0.004)
            items.append(self._recent_item(published, base, junk))
            published -= rng.randint(43_200, 12 * 86_400)
        self.attrs["last_10_items"] = _compact_json(items)
        return items

    def _recent_item(self, published: int, base: float, junk: bool) -> dict[str, Any]:
        rng = self.rng
        views = max(30, int(base * math.exp(rng.gauss(0, 0.6))))
        likes = int(views * rng.uniform(0.005, 0.05))
        created = published if rng.random() < 0.86 else published - rng.randint(60, 7_200)
        item: dict[str, Any] = {
            "comment_cnt": str(int(likes * rng.uniform(0.02, 0.1))),
            "is_high_quality_item": _flag01(rng.random() < 0.1),
            "item_create_time": str(created),
            "item_id": _item_id(published, rng),
            "item_publish_time": str(published),
            "item_title": self._title(),
            "like_cnt": str(likes),
            "share_cnt": str(int(likes * rng.uniform(0.03, 0.4))),
            "vv": str(views),
        }
        if junk:  # upstream leaks the part of a title after a comma as a key
            item[rng.choice(_JUNK_FRAGMENTS)] = None
        return item

    def _title(self) -> str:
        rng, theme = self.rng, self.theme
        title = rng.choice(theme.titles)
        if rng.random() < 0.3:
            title += rng.choice(_EMOJI)
        if rng.random() < 0.4:
            title += f" #{theme.tag[0]} #{rng.choice(theme.labels)}"
        return title

    def _items(self, recent: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Representative works: 3 = most played, 5 = next most played, 6 = newest."""
        rng = self.rng
        shape = rng.random()
        if self.bare or (not self.full and shape < 0.15):
            return []
        if self.full or shape < 0.6:
            tags = [3, 3, 5, 5, 6, 6]
        elif shape < 0.8:
            tags = [rng.choice((3, 6))]
        else:
            tags = sorted(rng.choices((3, 4, 5, 6), (4, 1, 3, 3), k=rng.randint(2, 8)))
        base = self.median_vv or self.expected or self.followers * 0.1
        views = sorted((int(base * math.exp(rng.uniform(0.3, 1.5))) for _ in tags), reverse=True)
        newest = iter(recent)
        items = [
            self._item(tag, vv, next(newest, None) if tag == 6 else None)
            for tag, vv in zip(tags, views, strict=True)
        ]
        if rng.random() < 0.05:
            items.append(self._product_item())
        return items

    def _item(self, tag: int, views: int, recent: dict[str, Any] | None) -> dict[str, Any]:
        if recent:  # same work as in last_10_items, another snapshot of its plays
            return {"item_id": recent["item_id"], "video_tag": tag, "vv": int(int(recent["vv"]) * 0.9)}
        published = _CAPTURED_TS - self.rng.randint(20, 400) * 86_400
        return {"item_id": _item_id(published, self.rng), "video_tag": tag, "vv": views}

    def _product_item(self) -> dict[str, Any]:
        rng, theme = self.rng, self.theme
        brand = rng.choice(theme.brands)
        product = {
            "brand_name": brand,
            "category_name": rng.choice(theme.words),
            "hit_tags": theme.tag[0],
            "product_id": str(rng.randrange(10**11, 10**12)),
            "product_name": f"{brand}{rng.choice(theme.words)}礼盒",
        }
        published = _CAPTURED_TS - rng.randint(20, 400) * 86_400
        return {
            "is_star_item": False,
            "item_id": _item_id(published, rng),
            "products": [product],
            "reason": 6,
            "score": 0,
            "video_tag": 1,
        }


def _item_id(published: int, rng: random.Random) -> str:
    """Douyin work ids carry their publish time in the high bits."""
    return str((published << 32) | rng.getrandbits(32))


def _composite(link: list[float], draw: float) -> float:
    """星图指数 (link_star_index) as the blend of the spread, seeding and conversion indices it sums up,
    ± up to 4 points (`draw` is uniform on 35-98)."""
    return sum(link) / len(link) + (draw - 66.5) / 31.5 * 4


def _num(value: float, places: int) -> str:
    """Upstream decimal style: at most `places` decimals, no trailing zeros ("5.619", "34.0544")."""
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def _nice(amount: float) -> int:
    """Round a quote the way creators price: 50s under ¥1k, 100s under ¥10k, 500s under ¥100k."""
    step = 50 if amount < 1_000 else 100 if amount < 10_000 else 500 if amount < 100_000 else 1_000
    return max(200, round(amount / step) * step)


def _tf(value: bool) -> str:
    return "true" if value else "false"


def _flag01(value: bool) -> str:
    return "1" if value else "0"
