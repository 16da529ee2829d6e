"""Posting a deep-dive or comparison card, charts in its thread: shared by `/kol show`/`compare`
and the Details and Compare buttons."""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import BoltContext, Respond

from bot.cards.deepdive_views import compare_message, deepdive_message
from bot.cards.render import SlackMessage
from bot.models import AudienceTargets, Duration, Lang
from bot.services import Services
from bot.slack_io.deepdive import CardFor, Chart, compare_charts, deep_dive_charts, deliver
from handlers.replies import respond_ephemeral


def post_deep_dive(
    services: Services,
    context: BoltContext,
    channel: str,
    respond: Respond,
    identifier: str,
    lang: Lang,
    *,
    duration: Duration = Duration.MEDIUM,
    targets: AudienceTargets | None = None,
) -> None:
    """The deep-dive of `identifier` (star id, uid or handle): the card in `channel` (privately
    when the bot cannot post there), charts in its thread.

    `duration` is the video length to highlight and `targets` the audience targets to check: the
    command's own options, or the search behind a Details click.
    """
    dive, creator = services.deepdive.load(identifier)
    _deliver(
        services,
        context,
        channel,
        respond,
        lambda notice: deepdive_message(
            dive, lang, creator=creator, duration=duration, targets=targets, notice=notice
        ),
        deep_dive_charts(dive, lang),
        lang,
    )


def post_comparison(
    services: Services,
    context: BoltContext,
    channel: str,
    respond: Respond,
    identifiers: list[str],
    lang: Lang,
    *,
    duration: Duration,
    targets: AudienceTargets | None = None,
    thread_ts: str | None = None,
    left_out: Sequence[str] = (),
    swap: Sequence[str] = (),
) -> None:
    """The comparison card in `channel` (in `thread_ts` if given), its chart in the same thread;
    `left_out`: the names of the creators there was no room for, and `swap` the ids that compare
    the first of them instead (both on the card)."""
    comparison = services.deepdive.compare(identifiers, duration, targets=targets)
    live = services.deepdive.live

    def card(notice: str | None) -> SlackMessage:
        return compare_message(
            comparison, lang, live=live, targets=targets, notice=notice, left_out=left_out, swap=swap
        )

    _deliver(
        services,
        context,
        channel,
        respond,
        card,
        compare_charts(comparison, lang),
        lang,
        thread_ts=thread_ts,
    )


def _deliver(
    services: Services,
    context: BoltContext,
    channel: str,
    respond: Respond,
    card_for: CardFor,
    charts: Sequence[Chart],
    lang: Lang,
    *,
    thread_ts: str | None = None,
) -> None:
    """`deliver` as both cards go out: public per settings, privately when the bot cannot post."""
    deliver(
        context.client,
        channel,
        card_for,
        charts,
        reply_privately=lambda message: respond_ephemeral(respond, message),
        lang=lang,
        public=services.settings.kolbot_results_in_channel,
        thread_ts=thread_ts,
    )
