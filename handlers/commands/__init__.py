"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands.kol import kol_command


def register(app: App, *, command: str = "/kol") -> None:
    app.command(command)(kol_command)
