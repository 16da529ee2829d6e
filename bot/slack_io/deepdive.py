"""Posting a deep-dive or comparison card, then its charts into the card's thread.

The card goes out with `chat.postMessage`, because an answer through `response_url` has no ts
to thread under. Where the bot may not post (`not_in_channel`, `channel_not_found`: a private
channel it was not invited to, a DM between people) the card goes to the requester privately
instead, saying that charts need the bot invited. Charts are drawn only once the card is up and
uploaded in one `files_upload_v2` call; when that fails the card stays and its thread says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.cards.deepdive_views import (
    archived_note,
    audience_chart_title,
    chart_failure_note,
    compare_chart_title,
    follower_chart_title,
    invite_note,
    private_note,
)
from bot.cards.render import SlackMessage
from bot.charts import audience_png, compare_png, follower_trend_png
from bot.deepdive.compare import Comparison, MetricKey
from bot.deepdive.flags import flagged_days
from bot.deepdive.models import DeepDive
from bot.errors import SLACK_REINSTALL_CODES, KolbotError
from bot.i18n import Text
from bot.models import Lang

log = logging.getLogger(__name__)

NO_ACCESS = frozenset({"not_in_channel", "channel_not_found"})
_TITLE_CHARS = 80

CardFor = Callable[[str | None], SlackMessage]  # the card, with an optional notice at its top


@dataclass(frozen=True)
class Chart:
    filename: str
    title: str
    draw: Callable[[], bytes]  # PNG bytes; called only when the chart is uploaded


def deep_dive_charts(dive: DeepDive, lang: Lang) -> list[Chart]:
    """The follower trend (flagged days marked) and the audience breakdown, for the parts that arrived."""
    name = (dive.nickname or dive.star_id)[:_TITLE_CHARS]
    charts = []
    if dive.daily_fans.data and dive.daily_fans.data.points:
        days = len(dive.daily_fans.data.points)
        title = follower_chart_title(name, days, lang)
        flagged = flagged_days(dive.flags)
        draw = partial(follower_trend_png, dive.daily_fans.data, flagged, lang, title=title)
        charts.append(Chart(f"{dive.star_id}-followers-{days}d.png", title, draw))
    portrait = dive.audience.data or dive.fans.data
    if portrait is not None:
        title = audience_chart_title(name, lang, viewers=dive.audience.data is not None)
        charts.append(
            Chart(f"{dive.star_id}-audience.png", title, partial(audience_png, portrait, lang, title=title))
        )
    return charts


def compare_charts(comparison: Comparison, lang: Lang) -> list[Chart]:
    """CPM against engagement rate, when at least one creator has both."""
    pairs = zip(comparison.values(MetricKey.CPM), comparison.values(MetricKey.ER), strict=True)
    if not any(cpm is not None and rate is not None for cpm, rate in pairs):
        return []
    title = compare_chart_title(lang)
    return [Chart("compare-cpm-vs-interaction.png", title, partial(compare_png, comparison, lang))]


def _chart_failure_note(error: str | None, lang: Lang) -> str:
    return chart_failure_note(error, lang, not_member=error in NO_ACCESS)


def _post_failed(error: str | None) -> KolbotError:
    if error in SLACK_REINSTALL_CODES:
        hint = Text("Slack no longer accepts kolbot's access here: ask your Slack admin to reinstall kolbot.")
    else:
        hint = Text("Try again; if it keeps happening, tell your admin.")
    return KolbotError(Text("Slack did not accept the card (%(error)s).", error=error), hint=hint)


def deliver(
    client: WebClient,
    channel: str,
    card_for: CardFor,
    charts: Sequence[Chart],
    *,
    reply_privately: Callable[[SlackMessage], object],
    lang: Lang,
    public: bool = True,
    thread_ts: str | None = None,
) -> str | None:
    """Post `card_for(None)` in `channel`, then `charts` in its thread; return the card's ts.

    With `thread_ts` the card is a reply in that thread, and so are the charts. Returns None
    when the card went to `reply_privately` instead (not public, or no access). Raises
    `KolbotError` when Slack refuses the card for another reason.
    """
    if not public:
        reply_privately(card_for(private_note(lang) if charts else None))
        return None
    card = card_for(None)
    try:
        answer = client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=card.text,
            blocks=card.blocks or None,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error not in NO_ACCESS and error != "is_archived":
            raise _post_failed(error) from exc
        log.info("cannot post in %s (%s); answering privately", channel, error)
        reply_privately(card_for(archived_note(lang) if error == "is_archived" else invite_note(lang)))
        return None
    ts = answer["ts"]
    if charts:
        upload_charts(client, channel, thread_ts or ts, charts, lang)
    return ts


def upload_charts(
    client: WebClient, channel: str, thread_ts: str, charts: Sequence[Chart], lang: Lang
) -> None:
    """Draw and upload `charts` into the thread; on failure, say so in the thread (never raise)."""
    try:
        files = [
            {"file": c.draw(), "filename": c.filename, "title": c.title, "alt_txt": c.title} for c in charts
        ]
    except Exception:  # a drawing bug must not turn a posted card into an error message
        log.exception("charts for %s could not be drawn", [c.filename for c in charts])
        _thread_note(client, channel, thread_ts, _chart_failure_note(None, lang))
        return
    try:
        client.files_upload_v2(channel=channel, thread_ts=thread_ts, file_uploads=files)
    except SlackClientError as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else "upload_failed"
        log.warning("chart upload to %s failed: %s", channel, error)
        _thread_note(client, channel, thread_ts, _chart_failure_note(error, lang))


def _thread_note(client: WebClient, channel: str, thread_ts: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
    except SlackClientError as exc:
        log.warning("could not post the chart note in %s: %s", channel, exc)
