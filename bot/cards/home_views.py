"""The App Home tab (`views.publish`): the user's shortlists, digests and last searches, and spend."""

from __future__ import annotations

import re
from typing import Any

from bot.cards.digest_views import manage_line, pause_reason
from bot.cards.render import render_view
from bot.home import Home
from bot.i18n import tr
from bot.models import Lang

_ID = re.compile(r"[A-Z0-9]{2,24}")


def home_view(home: Home, lang: Lang) -> dict[str, Any] | None:
    """The home tab view, or None (logged) when it fails to render."""
    warning = home.spend.warning()
    context = {
        "lang": lang,
        "spend": tr(lang, home.spend.line()),
        "warning": None if warning is None else tr(lang, warning),
        "shortlists": [row for row in home.shortlists if _ID.fullmatch(row.shortlist.channel_id)],
        "digests": [
            {
                **vars(row),
                "schedule": tr(lang, row.digest.schedule.wording()),
                "paused": None if row.digest.active else pause_reason(row.digest.pause_reason, lang),
                "manage": manage_line(row.digest, lang),
            }
            for row in home.digests
            if _ID.fullmatch(row.digest.channel_id)
        ],
        "searches": [s for s in home.searches if _ID.fullmatch(s.channel_id)],
    }
    return render_view("home.json.j2", context)
