"""Button and menu listeners; action ids are listed in docs/architecture.md."""

from __future__ import annotations

import re

from slack_bolt import App

from handlers.actions.deepdive import compare_shortlist, show_deep_dive
from handlers.actions.home import open_form, rerun_search
from handlers.actions.plan import open_plan_add_modal, open_plan_modal, resolve_plan
from handlers.actions.results import more_results, resort_results
from handlers.actions.screen import run_screen, skip_screen
from handlers.actions.shortlist import open_add_modal, open_edit_modal, open_new_modal, set_status, vote


def register(app: App) -> None:
    app.action("kol_details")(show_deep_dive)
    app.action("kol_more")(more_results)
    app.action("kol_sort")(resort_results)
    app.action("kol_add_to_shortlist")(open_add_modal)
    app.action("kol_sl_new")(open_new_modal)
    app.action("kol_sl_vote_up")(vote)
    app.action("kol_sl_vote_down")(vote)
    app.action("kol_sl_status")(set_status)
    app.action("kol_sl_edit")(open_edit_modal)
    app.action("kol_compare_shortlist")(compare_shortlist)
    app.action("kol_plan_open")(open_plan_modal)
    app.action(re.compile(r"^kol_plan_resolve_\d+$"))(resolve_plan)
    app.action("kol_plan_add")(open_plan_add_modal)
    app.action("kol_home_form")(open_form)
    app.action("kol_home_rerun")(rerun_search)
    app.action("kol_screen_run")(run_screen)
    app.action("kol_screen_skip")(skip_screen)
