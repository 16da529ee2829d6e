"""Xingtu content-tag vocabulary for `search_kol_v2`'s `contentTag` parameter.

API vocabulary from TikHub's `search_kol_v2` spec (not creator data): level-1 tags are
`tag-{id}`, level-2 tags `tag_level_two-{id}`. The names are the strings that appear in a
creator's `tags_relation`, so a `tag=` filter value can be mapped to an id by exact name.
"""

from __future__ import annotations

LEVEL_ONE: dict[int, str] = {
    1: "美妆",
    6: "时尚",
    11: "萌宠",
    15: "测评",
    23: "游戏",
    25: "二次元",
    27: "旅行",
    31: "汽车",
    36: "生活",
    41: "音乐",
    46: "舞蹈",
    48: "美食",
    55: "母婴亲子",
    60: "运动健身",
    64: "科技数码",
    68: "教育培训",
    72: "颜值达人",
    79: "才艺技能",
    85: "影视娱乐",
    87: "艺术文化",
    91: "财经投资",
    95: "三农",
    97: "剧情搞笑",
    100: "情感",
    102: "园艺",
    130: "随拍",
    139: "房产",
    1001: "生活家居",
    1002: "媒体号",
}

# level-1 id -> {level-2 id: name}
LEVEL_TWO: dict[int, dict[int, str]] = {
    1: {2: "美妆教程", 3: "妆容展示", 4: "护肤保养", 5: "美妆测评种草"},
    6: {7: "穿搭", 8: "街拍", 10: "造型", 135: "时尚媒体"},
    11: {12: "日常宠物", 13: "特别宠物", 14: "宠物周边"},
    15: {
        16: "美妆测评",
        17: "3C数码测评",
        18: "汽车测评",
        19: "美食产品测评",
        20: "母婴产品测评",
        21: "综合测评",
        132: "酒店测评",
    },
    23: {
        121: "游戏剧情",
        122: "游戏解说",
        123: "游戏资讯",
        124: "游戏其他",
        440: "游戏录屏",
        441: "游戏集锦",
    },
    25: {125: "二次元真人", 126: "动画漫画", 127: "配音声优", 128: "宅物手办"},
    27: {28: "旅行记录", 29: "旅行攻略", 30: "旅行推荐", 442: "户外生活"},
    31: {32: "汽车测评", 33: "汽车知识", 34: "汽车周边"},
    36: {37: "生活记录", 39: "生活小窍门", 40: "好物推荐", 118: "健康养生", 422: "婚恋"},
    41: {42: "歌曲演唱", 43: "乐器演奏", 44: "音乐教学", 45: "音乐其他", 136: "音乐剪辑"},
    48: {49: "美食教程", 50: "美食探店", 52: "美食产品测评", 53: "乡村野食", 54: "美食其他", 423: "酒类"},
    55: {56: "育儿科普", 57: "萌娃日常", 58: "亲子互动", 59: "测评种草"},
    60: {
        61: "健身",
        63: "极限运动",
        424: "体育资讯",
        443: "冰雪",
        444: "垂钓",
        445: "格斗",
        446: "球类项目",
        447: "综合体育",
    },
    64: {65: "3C数码", 66: "家居电器", 133: "科技"},
    68: {69: "考学培训", 70: "语言教学", 71: "个人管理", 425: "职业教育"},
    72: {73: "美女", 74: "帅哥"},
    79: {80: "创意才能", 81: "手工", 82: "摄影", 83: "绘画", 84: "其他才艺"},
    85: {413: "影视解说", 414: "影视混剪", 415: "明星资讯", 416: "综艺解说", 417: "综艺混剪"},
    87: {88: "传统文化", 89: "人文科普", 90: "自然科学"},
    91: {92: "传统金融", 93: "互联网金融", 94: "财经知识"},
    97: {98: "剧情", 99: "搞笑"},
    139: {140: "其他房产", 437: "房产知识", 439: "房产及投资", 448: "楼盘评测", 449: "楼市资讯", 450: "租房"},
    1001: {100101: "硬装", 100102: "软装", 100103: "生活技巧", 100104: "家居氛围"},
}


def _ids_by_name() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for level1, name in LEVEL_ONE.items():
        out.setdefault(name.casefold(), []).append(f"tag-{level1}")
    for children in LEVEL_TWO.values():
        for level2, name in children.items():
            out.setdefault(name.casefold(), []).append(f"tag_level_two-{level2}")
    return out


_IDS_BY_NAME = _ids_by_name()


def tag_id(name: str) -> str | None:
    """The v2 `contentTag` id for an exact tag name, or None when unknown or ambiguous.

    A few level-2 names sit under two parents (汽车测评, 美食产品测评); picking one id would
    make v2 drop creators filed under the other, so those return None.
    """
    ids = _IDS_BY_NAME.get(name.strip().casefold(), [])
    return ids[0] if len(ids) == 1 else None
