"""Running a search and posting the results card through `respond()`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from slack_bolt import Respond

from bot.cards.form_views import with_notes
from bot.cards.views import results_message
from bot.db.batch import batched_writes
from bot.i18n import tr
from bot.models import Lang, Query, SearchResult
from bot.services import Services
from bot.spend.payer import current_payer
from handlers.actions.screen import offer_screen


def send_results(
    services: Services,
    respond: Respond,
    query: Query,
    lang: Lang,
    *,
    ref_for: Callable[[], str],
    replace: bool = False,
    notes: Sequence[str] = (),
    run: Callable[[Query], SearchResult] | None = None,
) -> None:
    """Search, then post the results card (in the channel unless configured otherwise).

    `ref_for` gives the search ref the card's buttons carry; it is asked for only once the search
    succeeded, so a new search is saved then (not before a failure, nor while others wait to ack).
    `notes` go under the card's header, after the workspace's budget warning (from 80 % spent).
    `run` searches instead of `services.search.search` (*More results*: `SearchService.more`).
    """
    with batched_writes():  # the search's writes and its saved ref: one transaction, before the card
        result = (run or services.search.search)(query)
        ref = ref_for()
    visibility = "in_channel" if services.settings.kolbot_results_in_channel else "ephemeral"
    payer = current_payer()
    budget_warning = services.budget.status(payer.team_id).warning() if payer else None
    warning = None if budget_warning is None else tr(lang, budget_warning)
    message = results_message(result, lang, search_ref=ref)
    respond(
        **with_notes(message, [n for n in (warning, *notes) if n]),
        response_type=visibility,
        replace_original=replace,
        delete_original=False,
    )
    if (
        not replace
    ):  # audience targets: screen portraits (a re-sorted card's screen already ran or was offered)
        offer_screen(services, respond, result, lang, search_ref=ref)
