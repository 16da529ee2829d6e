"""Choosing the user's language. Strings live next to the code that shows them, as (en, zh) pairs."""

from __future__ import annotations

import re

from bot.models import Lang

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def detect_lang(text: str, default: Lang = "en") -> Lang:
    """Chinese when the user typed any CJK character, else `default`."""
    return "zh" if _CJK.search(text or "") else default


def pick(lang: Lang, en: str, zh: str) -> str:
    return zh if lang == "zh" else en
