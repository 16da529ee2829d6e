"""Shortcut listeners (callback ids are declared in manifest.yml under features.shortcuts)."""

from __future__ import annotations

from slack_bolt import App

from handlers.shortcuts.search_form import SHORTCUT_CALLBACK, open_from_shortcut


def register(app: App) -> None:
    app.shortcut(SHORTCUT_CALLBACK)(open_from_shortcut)
