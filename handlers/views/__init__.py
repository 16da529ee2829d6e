"""Modal submission listeners (callback ids are listed in docs/architecture.md)."""

from __future__ import annotations

from slack_bolt import App

from bot.cards.form_views import MODAL_CALLBACK
from handlers.payloads import view_lang
from handlers.views.plan import submit_plan, submit_plan_add
from handlers.views.search_form import submit_search_form
from handlers.views.shortlist import submit_add, submit_edit, submit_new
from handlers.views.stale import REOPEN_FROM_CARD, REOPEN_SEARCH_FORM, refuses_stale


def register(app: App) -> None:
    """Each form, refusing one whose metadata is out of date (`handlers.views.stale`)."""
    app.view("kol_sl_add_view")(refuses_stale(submit_add, REOPEN_FROM_CARD))
    app.view("kol_sl_new_view")(refuses_stale(submit_new, REOPEN_FROM_CARD))
    app.view("kol_sl_edit_view")(refuses_stale(submit_edit, REOPEN_FROM_CARD))
    app.view("kol_plan_view")(refuses_stale(submit_plan, REOPEN_FROM_CARD))
    app.view("kol_plan_add_view")(refuses_stale(submit_plan_add, REOPEN_FROM_CARD))
    app.view(MODAL_CALLBACK)(refuses_stale(submit_search_form, REOPEN_SEARCH_FORM, lang_of=view_lang))
