"""Modal submission listeners (callback ids are listed in docs/architecture.md)."""

from __future__ import annotations

from slack_bolt import App

from bot.cards.form_views import MODAL_CALLBACK
from handlers.views.plan import submit_plan, submit_plan_add
from handlers.views.search_form import submit_search_form
from handlers.views.shortlist import submit_add, submit_edit, submit_new


def register(app: App) -> None:
    app.view("kol_sl_add_view")(submit_add)
    app.view("kol_sl_new_view")(submit_new)
    app.view("kol_sl_edit_view")(submit_edit)
    app.view("kol_plan_view")(submit_plan)
    app.view("kol_plan_add_view")(submit_plan_add)
    app.view(MODAL_CALLBACK)(submit_search_form)
