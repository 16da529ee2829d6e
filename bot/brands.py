"""Spotting brand and store accounts, which marketers rarely want in a creator search.

Real data: many brand stores are `author_type` "3", but so are plenty of personal creators,
and stores also appear as "1" or "2". So the account type alone is never enough:

* a **strong** name hint marks a brand whatever the type: 旗舰店 / 专卖店 / 专营店 / 官方店 /
  官方号 / 官方账号 / 品牌店 anywhere in the name, a name *ending* in 官方 or "official",
  or "flagship" / "official store|shop|account";
* a **weak** name hint (a name ending in 店, 店铺, 品牌, 专柜, 直播间, "store", "shop" or
  "brand") counts only together with `author_type` "3".

官方 in the middle of a name is not a hint: "官方认证吃货小王" is a person who says they are
certified. A small shop run as a personal account ("青禾美妆店", type "1") is kept: it may
well take commissions, and `brands=yes` shows every account anyway.
"""

from __future__ import annotations

import re

from bot.models import Creator

_STRONG = re.compile(
    r"旗舰店|专卖店|专营店|官方店|官方号|官方账号|品牌店|官方$|\bofficial$"
    r"|flagship|official\s*(?:store|shop|account)",
    re.IGNORECASE,
)
_WEAK = re.compile(r"(?:店|店铺|品牌|专柜|直播间|\bstore|\bshop|\bbrand)$", re.IGNORECASE)
_TRAILING_NOISE = re.compile(r"[\W_]+$")  # punctuation, spaces, emoji after the name
_BRAND_TYPE = "3"


def is_brand_account(creator: Creator) -> bool:
    name = _TRAILING_NOISE.sub("", creator.nickname.strip())
    if _STRONG.search(name):
        return True
    return creator.author_type == _BRAND_TYPE and bool(_WEAK.search(name))
