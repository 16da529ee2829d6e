"""What a plan says, kept as `Text`: money shown in the reader's language, and a stored form.

A plan's binding constraint and notes are `Text` the plan card words later; a plan is saved as JSON
(`SavedPlan`), so these messages are stored as their message id and parameters and read back as
`Text`. Plans saved before the catalog kept both languages written out; they read back as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, cast

from pydantic import PlainSerializer, PlainValidator

from bot.formatting import yuan
from bot.i18n import Plural, Text, WrittenOut
from bot.models import Lang


class Money(Text):
    """An amount in yuan, written as the reader's language writes money (¥200,000 / ¥20万)."""

    __slots__ = ("yuan",)

    def __init__(self, amount: float, /) -> None:
        super().__init__("")
        self.yuan = amount

    def render(self, lang: str) -> str:
        return yuan(self.yuan, cast(Lang, lang))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and self.yuan == other.yuan

    def __hash__(self) -> int:
        return hash(("Money", self.yuan))

    def __repr__(self) -> str:
        return f"Money({self.yuan!r})"


def joined(names: Sequence[Text]) -> Text:
    """`a and b and c` (`a、b、c` in Chinese)."""
    if len(names) == 1:
        return names[0]
    return Text("%(first)s and %(rest)s", first=names[0], rest=joined(names[1:]))


def clauses(parts: Sequence[Text]) -> Text:
    """`a; b; c` (`a；b；c` in Chinese)."""
    if len(parts) == 1:
        return parts[0]
    return Text("%(first)s; %(rest)s", first=parts[0], rest=clauses(parts[1:]))


def dump(text: Text) -> dict[str, Any]:
    """`text` as JSON-ready data (`load` reads it back)."""
    if isinstance(text, Money):
        return {"yuan": text.yuan}
    if isinstance(text, WrittenOut):
        return {"en": text.en, "zh": text.zh}
    params = {k: dump(v) if isinstance(v, Text) else v for k, v in text.params.items()}
    data: dict[str, Any] = {"msgid": text.msgid, "params": params}
    if isinstance(text, Plural):
        data["plural"] = text.plural
    return data


def load(data: object) -> Text:
    """A `Text` from what `dump` wrote, or from an (en, zh) pair of a plan saved before the catalog."""
    if isinstance(data, Text):
        return data
    if isinstance(data, list | tuple) and len(data) == 2:
        return _legacy(str(data[0]), str(data[1]))
    if not isinstance(data, dict):
        raise ValueError(f"not a stored message: {data!r}")
    if "yuan" in data:
        return Money(float(data["yuan"]))
    if "msgid" not in data:
        return _legacy(str(data["en"]), str(data["zh"]))
    params = {k: load(v) if isinstance(v, dict) else v for k, v in data.get("params", {}).items()}
    if "plural" in data:
        n = params.pop("n")
        return Plural(data["msgid"], data["plural"], cast(int, n), **params)
    return Text(data["msgid"], **params)


def _legacy(en: str, zh: str) -> Text:
    """A message a plan saved before the catalog holds written out in both languages."""
    return WrittenOut(en, zh)


StoredText = Annotated[Text, PlainValidator(load), PlainSerializer(dump, when_used="json")]
