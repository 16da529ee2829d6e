"""The start-up line for settings pydantic refused: each setting by name, why, in both languages.

pydantic words its reasons in English only ("Input should be greater than 0"); the common kinds
are said here in the catalog's words, with pydantic's own numbers and choices, and any other kind
keeps pydantic's English. A value is never shown: it may be a secret.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from bot.i18n import N_, Text, in_every_language, ptr, tr

_REASONS: dict[str, str] = {
    "missing": N_("required"),
    "int_parsing": N_("a whole number is needed"),
    "int_from_float": N_("a whole number is needed"),
    "float_parsing": N_("a number is needed"),
    "bool_parsing": N_("on or off is needed, or true/false, yes/no, 1/0"),
    "greater_than": N_("must be more than %(gt)s"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "literal_error": N_("must be one of %(expected)s"),
    "enum": N_("must be one of %(expected)s"),
    "string_too_short": N_("must not be empty"),
}


def settings_problem(err: ValidationError) -> str:
    """One line, English then Chinese, naming every invalid setting and the reason."""

    def line(lang: str) -> str:
        named = ptr(lang, "clause separator", "; ").join(_named(error, lang) for error in err.errors())
        problem = Text("invalid settings: %(named)s; fix them in the environment or .env", named=named)
        return tr(lang, Text("kolbot cannot start: %(problem)s.", problem=problem))

    return in_every_language(line)


def _named(error: Any, lang: str) -> str:
    reason = _reason(error, lang)
    if not error["loc"]:
        return reason
    setting = ".".join(str(part) for part in error["loc"]).upper()
    return tr(lang, Text("%(setting)s (%(reason)s)", setting=setting, reason=reason))


def _reason(error: Any, lang: str) -> str:
    msgid = _REASONS.get(error["type"])
    if msgid is None:
        return str(error["msg"])
    return tr(lang, Text(msgid, **{key: _shown(value) for key, value in (error.get("ctx") or {}).items()}))


def _shown(value: object) -> str:
    """A bound as written (1, not 1.0); pydantic's choices ("'text' or 'json'") as `text/json`."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and value.startswith("'"):
        return "/".join(choice.strip("'") for choice in re.split(r", | or ", value))
    return str(value)
