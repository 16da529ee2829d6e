"""Words users type: the search grammar's Chinese (and English) names, units, operators and shorthand.

These are input, not copy: the grammar (`bot.grammar`), the audience targets (`bot.audience`), the
search form (`bot.search_form`) and `/kol` subcommands match what people write against them, so
they never go through the message catalog. Chinese number notation (万, 亿) lives here too: it is
both a unit the grammar reads and the notation `bot.formatting` writes Chinese numbers in.
"""

from __future__ import annotations

import re

from bot.i18n import N_

# -- numbers and units ---------------------------------------------------------------------------

WAN, YI = "万", "亿"  # 10⁴ and 10⁸, typed and written
QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』"}
NUMBER = re.compile(r"(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>万|w|亿|k|千|m|%)?", re.IGNORECASE)
RANGE = re.compile(r"(?P<a>.+?)\s*(?:-|~|至|到|–|—)\s*(?P<b>.+)")
CURRENCY = re.compile(r"^[¥$]|(?:元|块钱|块|yuan|rmb|cny)$", re.IGNORECASE)
LIST_SEP = re.compile(r"[,、/|]")
# What people type between terms besides spaces (`，` and `；` read as `,` and `;` after NFKC).
TERM_SEPARATORS = ",;、"
MULTIPLIERS = {"": 1.0, "万": 1e4, "w": 1e4, "亿": 1e8, "k": 1e3, "千": 1e3, "m": 1e6}
# A unit typed after a space (`粉丝>=10 万`, `报价<=5 千`, `20 k`) belongs to the number before it.
SPACED_UNIT = re.compile(r"(?<=\d)\s+(?=(?:万|千|亿|[wWkK])(?:$|[\s粉以起内下上左右+,，]))")
# So is a currency after a space (`报价<=5000 元`, `5k RMB`): it would be a paid keyword on its own.
SPACED_CURRENCY = re.compile(
    r"(?:(?<=\d)|(?<=\d[万千亿wk]))\s+(?=(?:元|块钱|块|yuan|rmb|cny)(?:$|[\s,，]))", re.IGNORECASE
)
SECONDS = re.compile(r"(?<=\d)\s*(?:seconds|second|secs|sec|s|秒钟|秒)(?![a-z])", re.IGNORECASE)  # 30秒, 60s+
# A word that only joins two filters (`followers>=10w and cpm<=60`): no keyword, so not searched for.
CONNECTIVES = frozenset({"and", "&", "和", "且", "并且", "以及", "及", "与", "同时"})
NUMBER_END = r"[\dwk万千+]"  # the last character of a value, before a trailing name (`10w粉`)

# Xingtu's city tiers by name: 新一线 = 1.5 sits inside 1-2 and outside 1 and 2-5.
CITY_TIERS = {"一线": 1.0, "新一线": 1.5, "二线": 2.0, "三线": 3.0, "四线": 4.0, "五线": 5.0}
TIER_SUFFIX = "线"  # a tier without a name: 7线
CITY_SUFFIX = "城市"  # `二线城市`

# -- the grammar's option values -----------------------------------------------------------------

GENDERS: dict[str, tuple[str, ...]] = {
    "female": ("f", "woman", "women", "女", "女性", "女生"),
    "male": ("m", "man", "men", "男", "男性", "男生"),
}
DURATIONS = {
    # the first Chinese word is the one hints show (`bot.grammar._shown_choices`)
    "1-20": ("1-20秒", "1~20", "short", "短", "短视频"),
    "21-60": ("21-60秒", "20-60", "21~60", "medium", "mid", "中", "中视频"),
    "60+": ("60秒以上", ">60", "60以上", "long", "长", "长视频"),
}
SORTS: dict[str, tuple[str, ...]] = {
    "score": ("综合", "评分", "得分", "分数"),
    "cpm": (),
    "cpe": (),
    "followers": ("fans", "粉丝", "粉丝数"),
    "er": ("engagement", "互动率"),
    "growth": ("涨粉", "涨粉率"),
    "price": ("报价", "价格"),
}
GOALS: dict[str, tuple[str, ...]] = {
    "awareness": ("reach", "曝光", "品牌曝光"),
    "seeding": ("种草", "破圈种草"),
    "conversion": ("sales", "转化", "行动转化", "带货", "卖货"),
}
BOOLS = {
    "yes": ("y", "true", "on", "1", "是", "要", "包含"),
    "no": ("n", "false", "off", "0", "否", "不要", "排除"),
}
LANGS = {"zh": ("cn", "chinese", "中文", "中", "汉语", "华语"), "en": ("english", "英文", "英", "英语")}
VIEWS = {"compact": ("short", "简洁", "精简"), "full": ("long", "detailed", "完整", "详细")}

# Slack's formatting marks in a name, as their full-width forms (`bot.cards.env.name`): they look
# alike, are never markup, and NFKC reads them back as the marks.
FULL_WIDTH_MARKS = {"*": "＊", "~": "～", "`": "｀", "_": "＿"}

LEVEL_SUFFIX = "级"  # `带货等级>=3级`: the level written with its measure word

# -- filter names --------------------------------------------------------------------------------

ALIASES: dict[str, tuple[str, ...]] = {
    "followers": ("follower", "fans", "粉丝", "粉丝数"),
    "price": ("报价", "价格", "刊例价"),
    "cpm": (),
    "cpe": (),
    "er": ("engagement", "互动率"),
    "completion": ("完播率", "完播"),
    "star": ("星图指数",),
    "growth": ("涨粉", "涨粉率"),
    "ecom": ("带货等级", "带货"),
    "gender": ("sex", "性别"),
    "region": ("province", "city", "地区", "省份", "城市", "地域"),
    "tag": ("tags", "标签"),
    "duration": ("时长", "视频时长"),
    "sort": ("排序",),
    "goal": ("目标", "营销目标"),
    "pages": ("page", "页数"),
    "top": ("显示", "条数"),
    "brands": ("brand", "品牌号", "品牌"),
    "unknowns": ("unknown", "未知", "含未知"),
    "lang": ("language", "语言"),
    "view": ("视图", "卡片"),
    "keyword": ("keywords", "kw", "关键词", "关键字"),
    "audience_gender": ("受众性别",),
    "audience_age": ("受众年龄",),
    "audience_city_tier": ("受众城市等级", "受众城市"),
    "screen": ("筛查", "受众筛查"),  # how many creators the audience screen checks (bot.screen)
}
# The Chinese name a card suggests when it rewrites a numeric filter (`粉丝>=10w`).
NUMERIC_ZH_NAMES = {
    "followers": "粉丝",
    "price": "报价",
    "cpm": "CPM",
    "cpe": "CPE",
    "er": "互动率",
    "completion": "完播率",
    "star": "星图指数",
    "growth": "15天涨粉率",
    "ecom": "带货等级",
}
FOLLOWERS_SHORT = "粉"  # `10w粉`: followers, after its value

# Comparison words around a value: `超过10万`, `10w+`, `5000以内`.
BOUND_BEFORE = {
    "不低于": ">=",
    "不少于": ">=",
    "至少": ">=",
    "不超过": "<=",
    "不高于": "<=",
    "不多于": "<=",
    "最多": "<=",
    "超过": ">",
    "大于": ">",
    "高于": ">",
    "多于": ">",
    "低于": "<",
    "小于": "<",
    "少于": "<",
}
BOUND_AFTER = (
    ("及以上", ">="),
    ("以上", ">="),
    ("+", ">="),
    ("起", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("内", "<="),
)

# -- Xingtu's audience buckets -------------------------------------------------------------------

# They come in Chinese; English readers get these names (others stay as sent).
PROVINCES_EN = {
    "北京": "Beijing",
    "天津": "Tianjin",
    "上海": "Shanghai",
    "重庆": "Chongqing",
    "河北": "Hebei",
    "山西": "Shanxi",
    "辽宁": "Liaoning",
    "吉林": "Jilin",
    "黑龙江": "Heilongjiang",
    "江苏": "Jiangsu",
    "浙江": "Zhejiang",
    "安徽": "Anhui",
    "福建": "Fujian",
    "江西": "Jiangxi",
    "山东": "Shandong",
    "河南": "Henan",
    "湖北": "Hubei",
    "湖南": "Hunan",
    "广东": "Guangdong",
    "海南": "Hainan",
    "四川": "Sichuan",
    "贵州": "Guizhou",
    "云南": "Yunnan",
    "陕西": "Shaanxi",
    "甘肃": "Gansu",
    "青海": "Qinghai",
    "台湾": "Taiwan",
    "内蒙古": "Inner Mongolia",
    "广西": "Guangxi",
    "西藏": "Tibet",
    "宁夏": "Ningxia",
    "新疆": "Xinjiang",
    "香港": "Hong Kong",
    "澳门": "Macao",
}
PROVINCE_SUFFIXES = ("", "省", "市", "自治区", "特别行政区")
# Cities marketers name most, for `city=Shenzhen`; Xingtu writes every place in Chinese.
CITIES_EN = {
    "深圳": "Shenzhen",
    "广州": "Guangzhou",
    "杭州": "Hangzhou",
    "成都": "Chengdu",
    "武汉": "Wuhan",
    "南京": "Nanjing",
    "西安": "Xi'an",
    "苏州": "Suzhou",
    "长沙": "Changsha",
    "郑州": "Zhengzhou",
    "青岛": "Qingdao",
    "厦门": "Xiamen",
    "沈阳": "Shenyang",
    "大连": "Dalian",
    "宁波": "Ningbo",
    "合肥": "Hefei",
    "昆明": "Kunming",
    "福州": "Fuzhou",
    "济南": "Jinan",
    "哈尔滨": "Harbin",
    "东莞": "Dongguan",
    "佛山": "Foshan",
    "无锡": "Wuxi",
    "温州": "Wenzhou",
    "南宁": "Nanning",
    "贵阳": "Guiyang",
    "石家庄": "Shijiazhuang",
    "太原": "Taiyuan",
    "南昌": "Nanchang",
    "长春": "Changchun",
}


def place_key(name: str) -> str:
    """An English place name as people type it: `Xi'an`, `xian`, `Hong Kong`, `hongkong` alike."""
    return re.sub(r"[\s'’.-]", "", name).casefold()


# Province and city names in English, as Xingtu writes them (`广东省`, `深圳市`) and bare.
PLACE_NAMES_EN = {
    **{name + suffix: english for name, english in PROVINCES_EN.items() for suffix in PROVINCE_SUFFIXES},
    **{name + suffix: english for name, english in CITIES_EN.items() for suffix in ("", "市")},
}
EXAMPLE_REGION = "上海"
PLACES_FROM_EN = {place_key(english): name for name, english in {**PROVINCES_EN, **CITIES_EN}.items()}


BUCKET_NAMES_EN = {
    "female": "female",
    "male": "male",
    "女": "female",
    "男": "male",
    "一线": "tier 1",
    "新一线": "new tier 1",
    "二线": "tier 2",
    "三线": "tier 3",
    "四线": "tier 4",
    "五线": "tier 5",
    "其他": "other",
    "华为": "Huawei",
    "小米": "Xiaomi",
    "荣耀": "Honor",
    "红米": "Redmi",
    **PLACE_NAMES_EN,  # provinces as Xingtu's audience portraits name them (also with 省/市/自治区…)
}
BUCKET_NAMES_ZH = {"female": "女", "male": "男"}

# -- examples in the grammar's help (`bot.grammar.usage`): what people type --------------------------

USAGE_EXAMPLES = {
    "wan": WAN,
    "shorthand": "`粉丝10w+`",
    "shorthands": "`10w粉以上` `1-5万粉` `报价5千以内`",
    "city": "上海",
    "tag": "护肤保养",
    "skincare": "护肤",
    "makeup": "美妆",
}
EXAMPLE_KEYWORD = "护肤"  # "a search needs at least one keyword, e.g. …"
MAX_AMOUNT = f"100{YI}"  # the largest count or price the grammar takes, as written

# -- audience targets (`bot.audience`) --------------------------------------------------------------

AUDIENCE_GENDER_WORDS = {"female": "female", "女": "female", "male": "male", "男": "male"}
AUDIENCE_NAMES = {
    "audience_gender": "audience_gender",
    "受众性别": "audience_gender",
    "audience_age": "audience_age",
    "受众年龄": "audience_age",
    "audience_city_tier": "audience_city_tier",
    "受众城市": "audience_city_tier",
    "受众城市等级": "audience_city_tier",
}
SCREEN_NAMES = {"screen", "筛查", "受众筛查"}
RANGE_DASH = "(?:-|~|至|到|–|—)"
AND_UP = "及以上|以上"  # `二线及以上`: this tier and every higher one
EXAMPLE_TIER = "二线"
# The English help quotes the tier names people type, so its message id lives here.
AUDIENCE_USAGE = N_(
    "Audience targets: audience_gender=female>=70%%, audience_age=18-30 (optionally >=40%%), "
    "audience_city_tier=1-2 (tiers 1-5, or 一线…五线); screen=20 (1-%(max)s creators)."
)
DOUYIN_HANDLE = "抖音号"  # a Douyin account's own id, as people call it

# -- Chinese numerals in amounts (`bot.chinese_numerals`): 十万, 一百万, 两千, 三十五万 ----------------

NUMERAL_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
NUMERAL_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}  # `一万五`, `一亿五千万`: after the small units
DIGIT_UNIT_NUMERALS = frozenset({"千"})  # also a unit after digits (`5千`): alone it converts nothing

# -- the search form (`bot.search_form`) ------------------------------------------------------------

NOT_A_VALUE = re.compile(r"[\s=<>:：≥≤＞＜＝\"'“”]")  # a field holding another filter, not one value
PLACE_SEP = re.compile(r"[,，、]")
EXAMPLE_PLACES = "上海, 杭州"
EXAMPLE_REGIONS = "上海, 浙江"

# -- `/kol` subcommands, as typed (`handlers/commands/kol.py`) ---------------------------------------

SUBCOMMAND_ALIASES: dict[str, tuple[str, ...]] = {
    "search": ("搜索", "搜", "找达人", "找"),  # said before a search, not part of it
    "show": ("查看",),
    "compare": ("对比", "比较"),
    "shortlist": ("shortlists", "sl", "候选名单", "清单"),
    "plan": ("规划", "计划", "预算"),  # `/kol 预算 20万 护肤`: a campaign budget is what 预算 means
    "digest": ("digests", "推送", "定时推送"),
    "budget": ("接口预算", "API预算"),  # the TikHub spending cap, in US dollars
    "usage": ("spend", "用量", "花费"),
}

# Place names as Xingtu writes them; a region filter also matches without these (`浙江` = `浙江省`).
REGION_SUFFIXES = ("特别行政区", "自治区", "省", "市")

# Every subcommand family answers these with its help (handlers/commands/registry.py).
HELP_WORDS = frozenset({"help", "-h", "--help", "?", "帮助"})
