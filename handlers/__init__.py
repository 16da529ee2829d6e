"""Slack wiring: the only package that imports slack_bolt.

`register_listeners(app)` attaches every listener; each subpackage registers its own
(the bolt-python starter template's `listeners/` split), so handler functions stay plain.
"""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, events, shortcuts, views


def register_listeners(app: App, *, command: str = "/kol") -> None:
    commands.register(app, command=command)
    actions.register(app)
    views.register(app)
    events.register(app)
    shortcuts.register(app)
