"""Reading `/kol digest add "<search>" <schedule> [top=N] [pages=N] [quiet=yes|no]`.

The search goes in quotes (Slack may turn them into “smart” quotes, or a Chinese keyboard into
「」), so it can hold filters with spaces; everything after it is the schedule plus options.
The search and the schedule are validated by their own parsers (`bot.grammar`, `bot.digests.schedule`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.digests import errors
from bot.digests.vocabulary import NO, OPTION_NAMES, QUOTE_CLOSERS, TOP_WORD, YES, ZONE_OPTION_NAMES
from bot.grammar import MAX_TOP
from bot.i18n import Text

_ZONE_OPTION = re.compile(rf"(?i)(?:{'|'.join(ZONE_OPTION_NAMES)})=(.+)")
_NOT_AN_OPTION = re.compile(r"(?!tz=)[^=\s]+=.*", re.IGNORECASE)
_OPTION = re.compile(rf"(?i)({'|'.join(map(re.escape, OPTION_NAMES))})\s*=\s*(\S*)")


@dataclass(frozen=True)
class DigestRequest:
    query: str  # the search line, without the quotes
    schedule: str
    top: int | None = None
    pages: int | None = None
    quiet: bool | None = None


def parse_add(text: str) -> DigestRequest:
    """Split the arguments of `digest add`; raise `QueryError` naming what is wrong."""
    query, rest = _quoted(text.strip())
    options: dict[str, str] = {}
    typed: dict[str, str] = {}  # each option's word as written (`条数=30`), for the refusal to quote
    schedule_words = []
    for word in unicodedata.normalize("NFKC", rest).split():
        key, value = _option(word)
        if key is None:
            zone = _ZONE_OPTION.fullmatch(word)  # `timezone=…`, `时区=…`: the schedule's tz=
            if zone is None and _NOT_AN_OPTION.fullmatch(word):  # `banana=1`
                raise errors.bad_option(word, Text("a digest's options are top=, pages=, quiet= and tz=."))
            schedule_words.append(f"tz={zone[1]}" if zone else word)
        elif _READ[key](options.setdefault(key, value), typed.setdefault(key, word)) != _READ[key](
            value, word
        ):
            raise errors.bad_option(
                word, Text("%(key)s= is given twice; keep one.", key=key)
            )  # quiet=yes quiet=no
    if not schedule_words:
        raise errors.missing_schedule()
    return DigestRequest(
        query=query,
        schedule=" ".join(schedule_words),
        top=_top(options["top"], typed["top"]) if "top" in options else None,
        pages=_pages(options["pages"], typed["pages"]) if "pages" in options else None,
        quiet=_quiet(options["quiet"], typed["quiet"]) if "quiet" in options else None,
    )


def _option(word: str) -> tuple[str | None, str]:
    """(the option `word` sets, its value as typed), or (None, "") for a schedule word."""
    if match := _OPTION.fullmatch(word):
        return OPTION_NAMES[match[1].lower()], match[2]
    if top := TOP_WORD.fullmatch(word):  # 前10
        return "top", top["n"]
    return None, ""


def _quoted(text: str) -> tuple[str, str]:
    """(the text inside the leading quotes, what follows them)."""
    if not text or text[0] not in QUOTE_CLOSERS:
        raise errors.missing_quotes()
    closers = QUOTE_CLOSERS[text[0]]
    end = next((i for i, char in enumerate(text[1:], start=1) if char in closers), None)
    if end is None:
        raise errors.unclosed_quote(text)
    query = text[1:end].strip()
    if not query:
        raise errors.empty_query()
    return query, text[end + 1 :]


def _top(value: str, typed: str) -> int:
    if value.isdigit() and 1 <= int(value) <= MAX_TOP:
        return int(value)
    raise errors.bad_option(
        typed,
        Text("top must be a whole number from 1 to %(max_top)s.", max_top=MAX_TOP),
    )


def _pages(value: str, typed: str) -> int:
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise errors.bad_option(typed, Text("pages must be a whole number of at least 1."))


def _quiet(value: str, typed: str) -> bool:
    word = value.lower()
    if word in YES | NO:
        return word in YES
    raise errors.bad_option(
        typed,
        Text("quiet must be yes (skip the post when nothing changed) or no (post one short line)."),
    )


# Each option's reader: (its value, the word it was typed in) -> the value; refuses quoting the word.
_READ: dict[str, Callable[[str, str], int | bool]] = {"top": _top, "pages": _pages, "quiet": _quiet}
