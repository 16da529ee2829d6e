"""Events API listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers.events.home import home_opened
from handlers.events.reactions import locates_its_item, reaction_vote


def register(app: App) -> None:
    for kind in ("reaction_added", "reaction_removed"):
        app.event(kind, matchers=[locates_its_item])(reaction_vote)
    app.event("app_home_opened")(home_opened)
