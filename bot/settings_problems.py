"""The start-up line for settings pydantic refused: each setting by name, why, in both languages.

pydantic words its reasons in English only ("Input should be greater than 0"); the common kinds,
and kolbot's own checks (typed errors raised in `bot.settings`), are said here in the catalog's
words, with the numbers and choices the error carries; any other kind keeps pydantic's English. A
value is never shown: it may be a secret.
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
    "finite_number": N_("a number is needed"),
    # kolbot's own checks (`bot.settings`, `PydanticCustomError`)
    "above_max_pages": N_("must be at most KOLBOT_MAX_PAGES (%(most)s)"),
    "unknown_time_zone": N_("not an IANA time zone such as Asia/Shanghai"),
    "not_fernet_key": N_(
        "key %(n)s is not a Fernet key (32 url-safe base64 bytes); make one with: %(command)s"
    ),
    "oauth_incomplete": N_(
        "OAuth install needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET; set %(missing)s"
    ),
    "token_and_oauth": N_(
        "set either SLACK_BOT_TOKEN (one workspace) or the SLACK_CLIENT_* OAuth settings, not both"
    ),
    "oauth_without_secret_key": N_(
        "KOLBOT_SECRET_KEY is required with OAuth install: it encrypts the stored bot tokens"
    ),
    "tiers_out_of_order": N_("KOLBOT_PLAN_MID_MIN_FOLLOWERS must be below KOLBOT_PLAN_HEAD_MIN_FOLLOWERS"),
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
    if msgid is None:  # pydantic's own words; a ValueError's without pydantic's "Value error, "
        return str((error.get("ctx") or {}).get("error") or error["msg"])
    return tr(lang, Text(msgid, **{key: _shown(value) for key, value in (error.get("ctx") or {}).items()}))


def _shown(value: object) -> str:
    """A bound as written (1, not 1.0); pydantic's choices ("'text' or 'json'") as `text/json`."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and value.startswith("'"):
        return "/".join(choice.strip("'") for choice in re.split(r", | or ", value))
    return str(value)
