"""The user's language and the message catalog.

Every user-facing string is an English message id looked up in a gettext catalog per language
(`bot/locale/<lang>/LC_MESSAGES/kolbot.po`, managed by `scripts/catalog` with Babel). English is the
source language: its catalog is the ids themselves. Placeholders are named (`%(n)s`) so a
translation may reorder them; plural forms come from the catalog header (Chinese has one form).

Only the rendering layer (bot/cards, handlers, the CLI and charts) calls `tr`; the domain returns
codes and numbers. `N_` marks a string for extraction where it is defined as data (a table of
labels) and translated later, where it is shown.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.models import Lang

DOMAIN = "kolbot"
LANGS: tuple[Lang, ...] = ("en", "zh")
SOURCE_LANG: Lang = "en"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Placeholders every message may use without being given them: the slash command's name
# (KOLBOT_COMMAND), set once at start-up by `use_command`.
_SHARED: dict[str, object] = {"command": "/kol"}


def use_command(name: str) -> None:
    """Read KOLBOT_COMMAND once: `%(command)s` in any message, and `command` in any template, is `name`."""
    _SHARED["command"] = name


def slash_command() -> str:
    """The slash command's name, as `use_command` set it."""
    return str(_SHARED["command"])


def detect_lang(text: str, default: Lang = "en") -> Lang:
    """Chinese when the user typed any CJK character, else `default`."""
    return "zh" if _CJK.search(text or "") else default


def catalog_path(lang: str) -> str:
    """Where the compiled catalog (`.mo`) of `lang` lives inside the installed package."""
    return str(resources.files("bot") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.mo")


@lru_cache(maxsize=len(LANGS))
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of `lang`, read once per process with the standard library's gettext.

    `scripts/catalog` compiles each `.po` (the source translators edit) into the `.mo` read here and
    `scripts/catalog --check` (run by the tests) fails when one is stale, so a checkout and a wheel
    read the same file, with no Babel import or compile step at start-up.
    """
    if lang == SOURCE_LANG:
        return gettext.NullTranslations()
    with open(catalog_path(lang), "rb") as mo:
        return gettext.GNUTranslations(mo)


class Text:
    """Something to tell the user, not yet in a language: a message id and its parameters.

    This is how the domain speaks (an error, a change in a digest, a schedule): it names the message
    and supplies the numbers; the rendering layer picks the language with `tr`. Parameters may be
    `Text` themselves and are rendered in the same language.
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: object) -> None:
        self.msgid, self.params = msgid, params

    def render(self, lang: str) -> str:
        text = translations(lang).gettext(self.msgid)
        return text % self._values(lang) if self.params or "%(" in text else text

    def _values(self, lang: str) -> dict[str, object]:
        given = {k: v.render(lang) if isinstance(v, Text) else v for k, v in self.params.items()}
        return {**_SHARED, **given}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.params.items(), key=lambda kv: kv[0]))))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.msgid!r}, **{self.params!r})"

    def __str__(self) -> str:
        """English, for logs and exception messages."""
        return self.render(SOURCE_LANG)


class Plural(Text):
    """A `Text` whose wording depends on a count `n` (`%(n)s creator` / `%(n)s creators`)."""

    __slots__ = ("plural",)

    def __init__(self, singular: str, plural: str, n: int, /, **params: object) -> None:
        super().__init__(singular, n=n, **params)
        self.plural = plural

    def render(self, lang: str) -> str:
        n = self.params["n"]
        assert isinstance(n, int)
        return translations(lang).ngettext(self.msgid, self.plural, n) % self._values(lang)


class WrittenOut(Text):
    """Words stored in each language before the catalog existed (a plan saved by an older kolbot):
    stored data, shown as it was written. Code never writes copy this way; the copy lint checks."""

    __slots__ = ("en", "zh")

    def __init__(self, en: str, zh: str, /) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh

    def render(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def tr(lang: str, message: str | Text, /, **params: object) -> str:
    """`message` in `lang`: a literal id (named `%(x)s` placeholders filled when `params` are given)
    or a `Text` the domain returned."""
    if isinstance(message, Text):
        return message.render(lang)
    return Text(message, **params).render(lang)


def ntr(lang: str, singular: str, plural: str, n: int, /, **params: object) -> str:
    """The plural form for `n` in `lang`, formatted with `n` and `params` (`%(n)s creators`)."""
    return Plural(singular, plural, n, **params).render(lang)


def ptr(lang: str, context: str, message: str, /, **params: object) -> str:
    """`tr` with a disambiguating context, for an id that needs two translations (a list separator)."""
    text = translations(lang).pgettext(context, message)
    return text % Text(message, **params)._values(lang) if params or "%(" in text else text


def in_every_language(message: str | Text | Callable[[str], str], separator: str = " / ") -> str:
    """`message` in English, then Chinese: for a terminal or a browser page, where the reader's
    language is not known. A callable is given each language and returns the message in it."""
    if callable(message):
        return separator.join(message(lang) for lang in LANGS)
    return separator.join(tr(lang, message) for lang in LANGS)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it here."""
    return message
