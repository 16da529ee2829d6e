"""Running a search and posting the results card through `respond()`."""

from __future__ import annotations

from collections.abc import Callable

from bot.cards.views import results_message
from bot.models import Lang, Query
from bot.services import Services
from handlers.actions.screen import offer_screen
from handlers.replies import Respond


def send_results(
    services: Services,
    respond: Respond,
    query: Query,
    lang: Lang,
    *,
    ref_for: Callable[[], str],
    replace: bool = False,
) -> None:
    """Search, then post the results card (in the channel unless configured otherwise).

    `ref_for` gives the search ref the card's buttons carry; it is asked for only once the search
    succeeded, so a new search is saved then (not before a failure, nor while others wait to ack).
    """
    result = services.search.search(query)
    ref = ref_for()
    visibility = "in_channel" if services.settings.kolbot_results_in_channel else "ephemeral"
    respond(
        **results_message(result, lang, search_ref=ref, command=services.settings.kolbot_command),
        response_type=visibility,
        replace_original=replace,
        delete_original=False,
    )
    if (
        not replace
    ):  # audience targets: screen portraits (a re-sorted card's screen already ran or was offered)
        offer_screen(services, respond, result, lang, search_ref=ref)
