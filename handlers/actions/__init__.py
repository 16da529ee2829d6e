"""Button and menu listeners; action ids are listed in docs/architecture.md."""

from __future__ import annotations

from slack_bolt import App

from handlers.actions.results import more_results, resort_results, show_details


def register(app: App) -> None:
    app.action("kol_details")(show_details)
    app.action("kol_more")(more_results)
    app.action("kol_sort")(resort_results)
