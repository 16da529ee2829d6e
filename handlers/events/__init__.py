"""Events API listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers.events.home import home_opened
from handlers.events.installs import app_uninstalled, tokens_revoked
from handlers.events.reactions import locates_its_item, reaction_vote


def register(app: App) -> None:
    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
    for kind in ("reaction_added", "reaction_removed"):
        app.event(kind, matchers=[locates_its_item])(reaction_vote)
    app.event("app_home_opened")(home_opened)
