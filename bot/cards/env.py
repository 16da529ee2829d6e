"""The sandboxed Jinja environment that turns `templates/*.json.j2` into Block Kit JSON.

The templates are the `bot.templates` package (setup.py maps the top-level `templates/` folder to
it), read through importlib by Jinja's `PackageLoader`: the same code serves a checkout, an
editable install and a wheel, and never looks next to the clone.

Every `{{ … }}` output is JSON-encoded by `finalize`, so a template can only place values, never
emit raw JSON: a quote, newline or `"}]},{` in a nickname cannot change the card's structure. The
only exception is a `separator()`'s comma, so templates never manage commas between elements.
JSON-encoding does not stop Slack markup (`<!channel>`, `<https://evil|click>`), so every user or
creator string shown in mrkdwn goes through the `mrkdwn` filter, and links are built by `link`.
A name inside bold or strike-through goes through `name`, which also swaps Slack's formatting marks
for their full-width forms (Slack has no escape for them); `link` labels are names.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import PackageLoader, StrictUndefined, Undefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot import formatting
from bot.cards.actions import TEMPLATE_GLOBALS, ActionValue
from bot.i18n import ntr, ptr, tr
from bot.vocabulary import FULL_WIDTH_MARKS

TEMPLATES_PACKAGE = "bot.templates"

ELLIPSIS = "…"
_UNSAFE_IN_URL = re.compile(r"[\s<>|\x00-\x1f\x7f]")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def mrkdwn(value: object) -> str:
    """Escape the three characters Slack treats as markup in mrkdwn text: & < >."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Slack has no escape for its formatting marks: in a name they are swapped for their full-width
# forms, which look alike, are never markup, and read back as the same name (NFKC, as kolbot reads
# all input). `_` only where it could open or close italics (`cici_小可爱` stays as it is).
_MARKS = str.maketrans({mark: wide for mark, wide in FULL_WIDTH_MARKS.items() if mark != "_"})
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def name(value: object) -> str:
    """A person's, creator's or shortlist's name for mrkdwn: escaped, and unable to break the bold
    or strike-through around it (`*Star*_&_` in `*…*` no longer splits the bold)."""
    return _EDGE_UNDERSCORE.sub(FULL_WIDTH_MARKS["_"], mrkdwn(value).translate(_MARKS))


def clip(value: object, limit: int) -> str:
    """Shorten to at most `limit` characters, ending with `…`.

    Never leaves half an escape (`&am`) or half a link (`<https://…`) at the cut.
    """
    text = str(value)
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    if head.rfind("<") > head.rfind(">"):
        head = head[: head.rfind("<")]
    return _PARTIAL_ENTITY.sub("", head) + ELLIPSIS


def is_safe_url(url: object) -> bool:
    """An absolute https URL that cannot break out of Slack's `<url|label>` syntax."""
    if not isinstance(url, str) or _UNSAFE_IN_URL.search(url):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def link(url: object, label: object) -> str:
    """`<url|label>` with the label escaped as a `name`; just the label when the URL is not safe."""
    text = name(label) or mrkdwn(url)
    return f"<{url}|{text}>" if is_safe_url(url) else text


def slack_time(moment: datetime) -> str:
    """A date Slack shows in each reader's own timezone; the part after `|` is for old clients."""
    stamp = int(formatting.as_utc(moment).timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{formatting.utc_minute(moment)}>"


@pass_context
def gettext(context: Context, message: str, **params: object) -> str:
    """`_("Followers")`: the message in the card's `lang`, from the catalog."""
    return tr(context["lang"], message, **params)


@pass_context
def pgettext(context: Context, message_context: str, message: str, **params: object) -> str:
    """`pgettext("modal title", "Add plan")`: a message that needs its own translation in one place."""
    return ptr(context["lang"], message_context, message, **params)


@pass_context
def ngettext(context: Context, singular: str, plural: str, n: int, **params: object) -> str:
    """`ngettext("%(n)s creator", "%(n)s creators", n)`: the plural form for `n` in the card's `lang`."""
    return ntr(context["lang"], singular, plural, n, **params)


class _Comma(str):
    """The one piece of JSON syntax a template may place itself: a separator between two elements."""


class Separator:
    """`{% set sep = separator() %}` opens a JSON array (or object); `{{ sep() }}` goes before each
    element: nothing before the first, a comma before each later one. Elements inside `if`s and
    loops need no comma bookkeeping, so leaving one out never breaks the card."""

    def __init__(self) -> None:
        self._started = False

    def __call__(self) -> _Comma:
        started, self._started = self._started, True
        return _Comma("," if started else "")


def _json_default(value: Any) -> Any:
    if isinstance(value, ActionValue):
        return value.encode()
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises UndefinedError naming the missing variable
    raise TypeError(f"a {type(value).__name__} cannot be placed in a card; format it first")


def to_json(value: Any) -> str:
    """`finalize`: every template output becomes one JSON value (a button value model, its encoding),
    except a `Separator`'s comma."""
    if isinstance(value, _Comma):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=_json_default)


FILTERS = {
    "mrkdwn": mrkdwn,
    "name": name,
    "clip": clip,
    "yuan": formatting.yuan,
    "unit_yuan": formatting.unit_yuan,
    "count": formatting.count,
    "pct": formatting.pct,
    "cpm": formatting.cpm,
    "cpe": formatting.cpe,
    "growth": formatting.growth,
    "index": formatting.index,
    "usd": formatting.usd,
    "duration": formatting.duration_label,
    "utc_date": formatting.utc_date,
    "ago": formatting.ago,
    "wan_range": formatting.wan_range,
    "place": formatting.place,
    "slack_time": slack_time,
}


@lru_cache(maxsize=1)
def get_env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=PackageLoader(TEMPLATES_PACKAGE, "."),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=to_json,
    )
    env.filters.update(FILTERS)
    env.globals.update(
        _=gettext,
        ngettext=ngettext,
        pgettext=pgettext,
        link=link,
        separator=Separator,
        DASH=formatting.DASH,
        **TEMPLATE_GLOBALS,
    )
    return env
