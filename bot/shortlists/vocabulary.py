"""Words users type for shortlists (input, not copy): amount units, option names, quotes, aliases."""

from __future__ import annotations

import re

# `20万`, `1.5k`, `3亿`: a number and an optional unit (case-insensitive), in yuan
AMOUNT = re.compile(r"^(?P<num>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>万|w|亿|k|千)?$", re.IGNORECASE)
UNITS = {"": 1.0, "万": 1e4, "w": 1e4, "亿": 1e8, "k": 1e3, "千": 1e3}
YUAN_SUFFIX = "元"
# examples of amounts as users type them, quoted in hints
BUDGET_EXAMPLE = "20万"
MAX_BUDGET_WORDS = "10亿"  # MAX_BUDGET_YUAN as a hint writes it
QUOTE_EXAMPLE = "1.8万"
REBATE_WORD = "返点"  # the trade's word for the agency rebate, quoted as-is in English hints too

# `/kol shortlist new <name> budget=20万 时长=21-60`: option names -> option
OPTION_KEYS = {"budget": "budget", "预算": "budget", "duration": "duration", "时长": "duration"}
# quotes that may wrap a name with spaces, read as straight quotes
QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "＂": '"'})
# `/kol shortlist <verb>`: the other words for each verb
ALIASES: dict[str, tuple[str, ...]] = {
    "new": ("create", "新建"),
    "add": ("添加",),
    "remove": ("移除",),
    "list": ("ls", "列表"),
    "show": ("查看",),
    "history": ("记录", "历史"),
    "export": ("导出",),
    "close": ("关闭",),
    "reopen": ("重开", "重新打开"),
    "rename": ("重命名",),
}

# `export <shortlist> [format]`: the words for each file format (`表格` is what a Chinese team asks for).
EXPORT_FORMATS = {
    "csv": "csv",
    "xlsx": "xlsx",
    "excel": "xlsx",
    "表格": "xlsx",
    "excel表格": "xlsx",
    "电子表格": "xlsx",
}
