"""`Text` parameters whose form depends on the language but whose words are not copy.

A flag or verdict names its message and supplies values; some values are numbers formatted per
language (`fmt.count(v, "zh")` writes 万, `fmt.count(v, "en")` writes K) or lists joined by a
separator that is itself a message. These render in the language of the message around them.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Text


class Joined(Text):
    """`items` joined by `separator` (a message: "; " reads "；" in Chinese)."""

    __slots__ = ("items", "separator")

    def __init__(self, separator: Text, items: Sequence[Text], /) -> None:
        super().__init__("")
        self.separator, self.items = separator, tuple(items)

    def render(self, lang: str) -> str:
        return self.separator.render(lang).join(item.render(lang) for item in self.items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Joined) and (self.separator, self.items) == (other.separator, other.items)

    def __hash__(self) -> int:
        return hash((self.separator, self.items))

    def __repr__(self) -> str:
        return f"Joined({self.separator!r}, {list(self.items)!r})"
