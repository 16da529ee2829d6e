"""Traditional Chinese read as Simplified, for matching what people type.

kolbot's words (`bot/vocabulary.py`: filter names, units, bound words, subcommands) and Xingtu's
data are Simplified; marketers in Hong Kong and Taiwan type Traditional (`粉絲>=10萬`). Lookups
convert the typed word with OpenCC's `t2s` (script only: 護膚 → 护肤, not Taiwanese vocabulary),
while the text the user sees quoted back stays as typed.

`t2s` maps character for character, so `simplified(text)` has the length of `text` and each
position holds the same character's Simplified form: a match found in the Simplified text can be
cut from the typed one by its positions.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache

from opencc import OpenCC


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")  # loaded on first use (~0.1 s): an ASCII-only search never needs it


@lru_cache(maxsize=4096)
def simplified(text: str) -> str:
    """`text` with Traditional characters in their Simplified form, position for position."""
    if text.isascii():
        return text
    converted = _t2s().convert(text)
    return converted if len(converted) == len(text) else "".join(_t2s().convert(ch) for ch in text)


def first_chinese(words: Iterable[str]) -> str | None:
    """The first of `words` not in plain ASCII: the Chinese form a Chinese card shows among a
    word's aliases (`("shortlists", "sl", "候选名单")` → 候选名单)."""
    return next((w for w in words if not w.isascii()), None)
