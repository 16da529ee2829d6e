"""Creator identifiers as typed after `/kol show` and `/kol compare`, read into a typed `CreatorId`.

* a Xingtu creator URL, or exactly 19 digits → a star id (Xingtu ids are 19 digits), no lookup;
* other digits (Douyin uids are 8-17 digits) → a uid, looked up; when that finds nothing, the
  same digits are tried as a numeric 抖音号 (many accounts keep the default one);
* anything else (letters, digits, `_`, `.`; a leading `@` is dropped) → a 抖音号 (unique id).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot import vocabulary as vocab
from bot.chinese import simplified
from bot.errors import KolbotError, QueryError
from bot.i18n import Text

_STAR_ID = re.compile(r"\d{19}")
_XINGTU_URL = re.compile(r"xingtu\.cn/\S*?/(\d{19})(?:\D|$)")
_UID = re.compile(r"\d{5,18}")
_UNIQUE_ID = re.compile(r"[A-Za-z0-9_.]{2,30}")


class IdKind(StrEnum):
    STAR_ID = "star_id"
    UID = "uid"
    UNIQUE_ID = "unique_id"


@dataclass(frozen=True)
class CreatorId:
    """One identifier: which lookup it needs (`kind`) and its cleaned `value`."""

    kind: IdKind
    value: str


def parse_identifier(identifier: str) -> CreatorId:
    """The typed identifier; `QueryError` if the text is none of the three kinds."""
    value = identifier.strip()
    if url := _XINGTU_URL.search(value):
        return CreatorId(IdKind.STAR_ID, url.group(1))
    if _STAR_ID.fullmatch(value):
        return CreatorId(IdKind.STAR_ID, value)
    if _UID.fullmatch(value):
        return CreatorId(IdKind.UID, value)
    handle = value.removeprefix("@")
    if _UNIQUE_ID.fullmatch(handle):
        return CreatorId(IdKind.UNIQUE_ID, handle)
    shown = shorten(identifier)
    raise QueryError(
        shown,
        Text("“%(shown)s” is not a creator id.", shown=shown),
        usage=Text(
            "Use a Xingtu star id (19 digits), a Douyin uid (digits) or a %(handle)s (e.g. @abc_123).",
            handle=vocab.DOUYIN_HANDLE,
        ),
    )


def shorten(identifier: str, limit: int = 40) -> str:
    """An identifier as echoed in a message: a pasted page of text is not repeated back."""
    return identifier if len(identifier) <= limit else identifier[: limit - 1] + "…"


def namesakes(ref: str, found: Iterable[tuple[str, str]]) -> KolbotError:
    """The refusal of a name several creators go by; `found`: their (nickname, star id)."""
    names = ", ".join(f"{nickname} ({star_id})" for nickname, star_id in found)
    return KolbotError(
        Text("“%(ref)s” could be %(names)s.", ref=shorten(ref), names=names),
        hint=Text("Repeat the command with the id of the one you mean."),
    )


def name_key(nickname: str) -> str:
    """A nickname as people type it back: letters and digits only (no emoji, spaces or
    punctuation), full-width folded, Simplified, case-folded. "叫我南风的护肤笔记🌙" and
    "叫我南風的護膚筆記" have one key."""
    folded = simplified(unicodedata.normalize("NFKC", nickname)).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def looks_like_star_id(text: str) -> bool:
    return _STAR_ID.fullmatch(text.strip()) is not None
