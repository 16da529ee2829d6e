"""An error, worded for the user: what happened, then what to do next."""

from __future__ import annotations

from bot.errors import KolbotError
from bot.i18n import tr
from bot.models import Lang


def error_text(err: KolbotError, lang: Lang) -> str:
    """`err`'s what-happened and what-to-do in `lang`, one per line."""
    hint = "" if err.hint is None else tr(lang, err.hint)
    return f"{tr(lang, err.what)}\n{hint}".strip()
