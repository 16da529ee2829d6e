"""Words and signs users type in `/kol plan …` (input, not copy): option names, tier names,
yes/no, the full-width punctuation a Chinese keyboard writes, and the examples the usage shows."""

from __future__ import annotations

import re

from bot.planner.models import Tier

OPTION = re.compile(r"^(?P<key>[^\s=＝:]+)\s*[=＝]\s*(?P<value>.*)$")
KEYS = {
    "budget": "budget",
    "预算": "budget",
    "mix": "mix",
    "组合": "mix",
    "max_share": "max_share",
    "maxshare": "max_share",
    "share": "max_share",
    "单人上限": "max_share",
    "must": "must",
    "必选": "must",
    "exclude": "exclude",
    "排除": "exclude",
    "one_per_mcn": "one_per_mcn",
    "每个mcn一位": "one_per_mcn",
    "每个mcn一个": "one_per_mcn",
    "shortlist": "shortlist",
    "名单": "shortlist",
    "清单": "shortlist",
    "候选名单": "shortlist",  # the word `/kol 候选名单` itself uses
}
TIER_NAMES = {
    "head": Tier.HEAD,
    "头部": Tier.HEAD,
    "mid": Tier.MID,
    "middle": Tier.MID,
    "腰部": Tier.MID,
    "tail": Tier.TAIL,
    "尾部": Tier.TAIL,
}
MIX_SEPARATORS = re.compile(r"[,，;；]")
# `head:1-2`, `头部:1`, and as said: `头部1个`, `腰部3到5个`, `尾部5个以上`
MIX_PART = re.compile(r"^(?P<tier>[^:：=\d]+?)\s*[:：=]?\s*(?P<counts>\d.*)$")
COUNT = re.compile(
    r"^(?P<low>\d+)\s*[个位名]?(?:\s*(?P<plus>\+|及?以上)|\s*[-~～到至]\s*(?P<high>\d+)\s*[个位名]?)?$"
)
SHARE = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%|％)?$")
ID_SEPARATORS = re.compile(r"[,，]")
# `20万，护肤`: the budget, then a separator; not a thousands comma (`200,000 护肤`)
AFTER_BUDGET = re.compile(
    r"^\s*([^\s,;、]+(?:,\d{3}(?=\D|$))*[^\s,;、]*)(?:[;、]|,(?!\d{3}(?:\D|$)))[,;、]*\s*"
)
MONEY_MARK = re.compile(r"[¥元万wWkK亿千,]")  # what makes a number money (in Simplified): 10万, ¥618
# Dollars after a budget: a plan's budget is yuan; the TikHub cap in dollars is `/kol 接口预算`.
DOLLAR_WORDS = frozenset({"美元", "美金", "刀", "usd", "dollar", "dollars", "$"})
YES = {"yes", "y", "true", "on", "1", "是", "要"}
NO = {"no", "n", "false", "off", "0", "否", "不要"}

# `/kol plan list` and `/kol plan show <n>` in Chinese
LIST_ALIASES = ("ls", "列表", "历史")
SHOW_ALIASES = ("查看",)

# what the usage and the hints show users to type
EXAMPLE_KEYWORD = "护肤"  # a search keyword (skin care)
WAN_BUDGET = "20万"  # a budget written in 万
