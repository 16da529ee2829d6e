"""The audience screen after a search with audience targets, and its Screen / Skip buttons.

`offer_screen` runs after the results card is posted: at or below `KOLBOT_SCREEN_CONFIRM_USD`
it screens at once; above, it posts the cost with Screen (`kol_screen_run`) and Skip
(`kol_screen_skip`), both valued with the search ref (`ScreenValue`). Screen re-runs the saved
search (its pages come from the cache) and replaces the prompt with the screened list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.actions import ScreenValue
from bot.cards.screen_views import screen_message, screen_prompt_message, screen_skipped_message
from bot.models import AudienceTargets, Lang, SearchResult
from bot.screen import screen_targets
from bot.services import Services
from bot.store.searches import SavedSearch
from handlers.background import run_after_ack
from handlers.jobs import SlackTask
from handlers.payloads import label_lang, required_search
from handlers.replies import answer_in


def _visibility(services: Services) -> str:
    return "in_channel" if services.settings.kolbot_results_in_channel else "ephemeral"


def offer_screen(
    services: Services, respond: Respond, result: SearchResult, lang: Lang, *, search_ref: str
) -> None:
    """Screen a first-page search that has audience targets, or ask first when it costs more than allowed."""
    targets = screen_targets(result.query)
    if targets is None or not result.creators or result.query.start_page != 1 or result.offset:
        return
    plan = services.screen.plan(result, targets)
    if plan.needs_confirm(services.settings.kolbot_screen_confirm_usd):
        prompt = screen_prompt_message(
            plan, targets, lang, keyword=result.query.keyword, search_ref=search_ref
        )
        respond(**prompt, response_type=_visibility(services), replace_original=False, delete_original=False)
        return
    _post_screen(services, respond, result, targets, lang, search_ref=search_ref, replace=False)


def _post_screen(
    services: Services,
    respond: Respond,
    result: SearchResult,
    targets: AudienceTargets,
    lang: Lang,
    *,
    search_ref: str,
    replace: bool,
) -> None:
    screened = services.screen.run(result, targets)
    message = screen_message(screened, lang, keyword=result.query.keyword, search_ref=search_ref)
    respond(**message, response_type=_visibility(services), replace_original=replace, delete_original=False)


def run_screen(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    def work(services: Services, search: SavedSearch, ref: str) -> None:
        query = services.parse_query(search.raw_query)
        targets = screen_targets(query)
        if targets is not None:
            result = services.search.search(query)  # pages come from the response cache
            _post_screen(services, respond, result, targets, search.lang, search_ref=ref, replace=True)

    _on_prompt(ack, body, action, respond, context, logger, work)


def skip_screen(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    def work(services: Services, search: SavedSearch, ref: str) -> None:
        respond(**screen_skipped_message(search.lang), replace_original=True, delete_original=False)

    _on_prompt(ack, body, action, respond, context, logger, work)


def _on_prompt(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    work: Callable[[Services, SavedSearch, str], None],
) -> None:
    """Ack, then run `work` after the ack with the prompt's saved search (this workspace's only)."""
    ack()
    services: Services = context["services"]

    def run() -> None:
        ref = ScreenValue.decode(action.get("value")).search_ref
        search = required_search(services, body, ref)
        answer_in(search.lang)
        work(services, search, ref)

    lang = label_lang(services, action)  # the prompt's, until the saved search says
    run_after_ack(context, respond, lang, logger, run, task=SlackTask.AUDIENCE_SCREEN)
