"""Button and menu listeners, one per `bot.cards.actions.ActionId`."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.cards.actions import ActionId
from handlers.actions.deepdive import compare_shortlist, show_deep_dive
from handlers.actions.home import edit_saved_search, open_form, rerun_search
from handlers.actions.plan import open_plan_add_modal, open_plan_modal, resolve_plan
from handlers.actions.results import edit_search, more_results, resort_results
from handlers.actions.retired import retired_button
from handlers.actions.screen import run_screen, skip_screen
from handlers.actions.shortlist import open_add_modal, open_edit_modal, open_new_modal, set_status, vote


def register(app: App) -> None:
    app.action(ActionId.DETAILS)(show_deep_dive)
    app.action(ActionId.MORE)(more_results)
    app.action(ActionId.SORT)(resort_results)
    app.action(ActionId.EDIT_SEARCH)(edit_search)
    app.action(ActionId.ADD_TO_SHORTLIST)(open_add_modal)
    app.action(ActionId.SHORTLIST_NEW)(open_new_modal)
    app.action(ActionId.VOTE_UP)(vote)
    app.action(ActionId.VOTE_DOWN)(vote)
    app.action(ActionId.STATUS)(set_status)
    app.action(ActionId.EDIT)(open_edit_modal)
    app.action(ActionId.COMPARE_SHORTLIST)(compare_shortlist)
    app.action(ActionId.PLAN_OPEN)(open_plan_modal)
    app.action(re.compile(rf"^{ActionId.PLAN_RESOLVE}_\d+$"))(resolve_plan)
    app.action(ActionId.PLAN_ADD)(open_plan_add_modal)
    app.action(ActionId.HOME_FORM)(open_form)
    app.action(ActionId.HOME_RERUN)(rerun_search)
    app.action(ActionId.HOME_EDIT)(edit_saved_search)
    app.action(ActionId.SCREEN_RUN)(run_screen)
    app.action(ActionId.SCREEN_SKIP)(skip_screen)
    app.action(re.compile(".*"))(retired_button)  # last: only what no listener above takes
