"""Running a search or a creator lookup and posting the card through `respond()`."""

from __future__ import annotations

from bot.cards.views import detail_message, results_message
from bot.models import Duration, Lang, Query
from bot.services import Services
from handlers.replies import Respond, respond_ephemeral, unknown_creator


def send_results(
    services: Services, respond: Respond, query: Query, ref: str, lang: Lang, *, replace: bool = False
) -> None:
    """Search, then post the results card (in the channel unless configured otherwise)."""
    result = services.search.search(query)
    visibility = "in_channel" if services.settings.kolbot_results_in_channel else "ephemeral"
    respond(
        **results_message(result, lang, search_ref=ref, command=services.settings.kolbot_command),
        response_type=visibility,
        replace_original=replace,
        delete_original=False,
    )


def send_details(
    services: Services, respond: Respond, star_id: str, lang: Lang, duration: Duration = Duration.MEDIUM
) -> None:
    """The detail card of a creator seen in an earlier search, to the requesting user only."""
    snapshot = services.snapshots.get(star_id)
    if snapshot is None:
        raise unknown_creator(star_id, services.settings.kolbot_command)
    card = detail_message(
        snapshot.creator, lang, duration=duration, live=snapshot.live, fetched_at=snapshot.fetched_at
    )
    respond_ephemeral(respond, card)
