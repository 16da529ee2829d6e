"""Words users type in digest commands: the schedule grammar's English and Chinese forms, quote marks
and yes/no. This is input, not copy: nothing here is shown to users (their wording is in the catalog).
"""

from __future__ import annotations

import re

WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_ZH = "一二三四五六日"
WEEKDAY_WORDS = {
    **{name.lower(): i for i, name in enumerate(WEEKDAY_EN)},
    **{name[:3].lower(): i for i, name in enumerate(WEEKDAY_EN)},
    **{char: i for i, char in enumerate(WEEKDAY_ZH)},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
    "天": 6,
    "七": 6,
}
# `每周 周一 09:00`: the weekday written whole after the frequency word
WEEKDAY_WORDS |= {
    prefix + char: i
    for char, i in list(WEEKDAY_WORDS.items())
    if len(char) == 1 and not char.isascii()
    for prefix in ("周", "星期", "礼拜")
}

# (how a schedule starts, its frequency word); "every" alone is an interval ("every 2h").
HEADS = (
    (re.compile(r"daily|every day|每天|每日"), "daily"),
    (re.compile(r"weekdays|every weekday|每个工作日|工作日|(?:每)?周一(?:到|至|-|~)周五"), "weekdays"),
    (
        re.compile(
            r"weekly|every week|every(?= (?:mon|tue|wed|thu|fri|sat|sun))|每周|每星期|每个星期|每礼拜"
            # a weekday alone is weekly too: `周一 09:00`, `星期一 9点`, `monday 09:00`
            r"|周(?=[一二三四五六日天])|星期(?=[一二三四五六日天])|礼拜(?=[一二三四五六日天])"
            r"|(?=(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\s)"
        ),
        "weekly",
    ),
    (re.compile(r"monthly|every month|每月|每个月"), "monthly"),
    (re.compile(r"hourly|every hour|每小时|每个小时"), "hourly"),
    (re.compile(r"every|每(?=\s*\d)"), "every"),
)
PIECE = re.compile(
    r"\d{1,2}:\d{2}|\d{1,2}点(?:\d{1,2}分?|半)?|\d+(?:st|nd|rd|th|日|号)?"
    r"|[一二三四五六日天七](?=[\s\d]|$|[上下中晚早凌傍])|[a-z]+|[^\sa-z\d]+"
)
FILLERS = frozenset({"at", "on", "在"})
CLOCK = re.compile(r"(\d{1,2}):(\d{2})|(\d{1,2})点(?:(\d{1,2})分?|(半))?")
# "9am", "9:30 pm", "下午3点": hours added to a 12-hour clock time.
HALF_DAY_AFTER = {"am": 0, "pm": 12}
HALF_DAY_BEFORE = {
    "凌晨": 0,
    "早上": 0,
    "早": 0,
    "上午": 0,
    "中午": 12,
    "下午": 12,
    "傍晚": 12,
    "晚上": 12,
    "晚": 12,
}
NIGHT_WORDS = frozenset({"晚上", "晚"})  # 晚上12点 is midnight, not noon
TWELVE_O_CLOCK = re.compile(r"12(?:点|:)")  # after a night word: past the midnight that ends the day
# Said, not written: `每晚8点` is `每天 晚8点`; numerals before a time unit are digits (`十点`, `每两小时`).
SPOKEN_HEADS = {"每晚": "每天 晚", "每早": "每天 早", "每天晚": "每天 晚", "每天早": "每天 早"}
# (not a weekday's numeral: `每周三三点` is Wednesday at 3, `周二十点` Tuesday at 10)
NUMERALS_BEFORE_TIME = re.compile(r"(?<![周期拜])[零一二两三四五六七八九十]+(?=点|个?小时|分钟)")
DAY_OF_MONTH = re.compile(r"(\d+)(?:st|nd|rd|th|日|号)?")
INTERVAL = re.compile(r"(\d+)\s*(?:(h|hr|hrs|hours?|小时|个小时)|m|min|mins|minutes?|分钟)")

# `digest add`: an opening quote and the marks that close it (smart quotes, a Chinese keyboard's 「」).
QUOTE_CLOSERS = {
    '"': '"”“',
    "“": '”“"',
    "”": '”“"',
    "'": "'’",
    "‘": "’'",
    "「": "」",
    "『": "』",
}
YES = frozenset({"yes", "y", "true", "on", "1", "是"})
NO = frozenset({"no", "n", "false", "off", "0", "否"})


# `/kol digest <verb>`: the other words each verb answers to.
VERB_ALIASES = {
    "add": ("new", "添加", "新建"),
    "list": ("ls", "列表"),
    "show": ("查看",),
    "pause": ("暂停",),
    "resume": ("恢复",),
    "remove": ("delete", "rm", "删除"),
    "run": ("now", "立即推送", "运行", "立即"),
    "tz": ("timezone", "时区"),
}

# Time zones as people name them instead of an IANA name (`推送 时区 北京`, `daily 09:30 UTC+8`).
ZONE_ALIASES = {
    **dict.fromkeys(
        (
            "北京",
            "北京时间",
            "上海",
            "中国",
            "中国时间",
            "东八区",
            "东八",
            "beijing",
            "china",
            "utc+8",
            "gmt+8",
        ),
        "Asia/Shanghai",
    ),
    "香港": "Asia/Hong_Kong",
    "台北": "Asia/Taipei",
    "新加坡": "Asia/Singapore",
    "东京": "Asia/Tokyo",
    "首尔": "Asia/Seoul",
    "伦敦": "Europe/London",
    "巴黎": "Europe/Paris",
    "柏林": "Europe/Berlin",
    "纽约": "America/New_York",
    "洛杉矶": "America/Los_Angeles",
}

# The keyword in the help's `digest add` example.
EXAMPLE_KEYWORD = "护肤"

# `digest add` options by the names people type, and `前10` for top=10
OPTION_NAMES = {
    "top": "top",
    "pages": "pages",
    "quiet": "quiet",
    "条数": "top",
    "页数": "pages",
    "安静": "quiet",
    "静默": "quiet",
}
ZONE_OPTION_NAMES = ("timezone", "time_zone", "时区", "時區")  # other names of the schedule's `tz=`
TOP_WORD = re.compile(r"前(?P<n>\d+)(?:名|位|个)?")

# How a Chinese card names a zone (`每天 09:00（北京时间）`): the first Chinese name it is typed as,
# then 时间; one without a Chinese name keeps its IANA name (`Europe/Rome 时间`).
ZONE_NAMES_ZH = {zone: f"{name}时间" for name, zone in reversed(ZONE_ALIASES.items()) if not name.isascii()}
ZONE_NAMES_ZH["Asia/Shanghai"] = "北京时间"
ZONE_TIME_ZH = "{zone} 时间"
