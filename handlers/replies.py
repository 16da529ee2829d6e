"""What listeners say back: the user's language, progress notes, and failures as clear messages.

Every failure a user sees goes through `answer_failures` (or, for slow work, `handlers.background`):
a `KolbotError` explains itself in the user's language; anything else becomes a generic message
with a short reference that is also in the (redacted) log line, so an admin can find it. Never a
stack trace, never a token.

Work that learns the user's language only once it has read what it acts on (a saved search, a
shortlist) says so with `answer_in(lang)`, and lets its failures propagate: the one handler around
it (`answering`) tells them, with what failed, in that language. A listener never catches its own
work's failures, so a queued job's transient fault still reaches the queue's retry.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx
from slack_bolt import Respond
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.cards.env import mrkdwn
from bot.cards.render import SlackMessage
from bot.cards.views import error_message
from bot.errors import KolbotError, UpstreamError
from bot.i18n import Text, tr
from bot.models import Lang
from bot.observability.trace import note_failure
from bot.slack_io.shortlists import slack_problem


def searching_note(keyword: str, lang: Lang) -> str:
    """The ack of a search; the keyword is escaped, so `<!here>` or `<@U…>` stay plain text."""
    shown = mrkdwn(keyword)
    return tr(lang, "Searching Xingtu for “%(shown)s”…", shown=shown)


def unexpected_error(ref: str) -> KolbotError:
    return KolbotError(
        Text("Something went wrong on our side."),
        hint=Text("Please try again; if it keeps happening, tell your admin (ref %(ref)s).", ref=ref),
    )


STORAGE_UNAVAILABLE = KolbotError(
    Text("Storage is unavailable right now."),
    hint=Text("Please try again in a minute."),
)
NETWORK_UNAVAILABLE = KolbotError(
    Text("A network connection failed."),
    hint=Text("Please try again in a minute."),
)
# Slack refusals with a remedy the user can apply (invite kolbot, use another channel, wait).
_SLACK_REMEDIES = frozenset({"not_in_channel", "channel_not_found", "is_archived", "ratelimited"})
# A click's trigger_id lasts 3 s and opens one form: past that (a slow moment, a double click) it is spent.
_TRIGGER_SPENT = frozenset({"expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"})
FORM_TOO_LATE = KolbotError(
    Text("Slack allows 3 seconds to open a form after a click, and they ran out."),
    hint=Text("Click the button again."),
)
_SQL_STORAGE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)


def storage_errors() -> tuple[type[Exception], ...]:
    """What a database that is down, unreachable, locked or too slow raises: through SQLAlchemy,
    its connection pool, or the job queue's connector. The connector's error is named only once
    procrastinate is loaded, as none of its errors can exist before: the embedded default (SQLite,
    no queue) never imports it, about 13 MB of resident memory (`tests/test_app_imports.py`)."""
    queue = sys.modules.get("procrastinate.exceptions")
    return _SQL_STORAGE_ERRORS if queue is None else (*_SQL_STORAGE_ERRORS, queue.ConnectorException)


# A network briefly gone (TikHub's or Slack's connection; not an answer they gave).
NETWORK_ERRORS = (OSError, httpx.TransportError)


def expired_search() -> KolbotError:
    return KolbotError(
        Text("This search is unknown here: it expired or belongs to another workspace."),
        hint=Text("Run the search again with %(command)s."),
    )


def unknown_creator(star_id: str) -> KolbotError:
    return KolbotError(
        Text("No data for creator %(star_id)s yet.", star_id=star_id),
        hint=Text(
            "Creators become available after they appear in a %(command)s search; check the id.",
        ),
    )


def respond_ephemeral(respond: Respond, message: Mapping[str, Any]) -> None:
    respond(**message, response_type="ephemeral", replace_original=False, delete_original=False)


def send_failure(
    respond: Respond | None,
    error: BaseException,
    lang: Lang,
    logger: logging.Logger,
    *,
    failed: Text | None = None,
) -> None:
    """Tell the user what went wrong (when there is a response_url) and log it. `failed`: what
    failed (`SlackTask.failed`), said first unless the error is the user's own to fix."""
    message = failure_message(error, lang, logger, failed=failed)
    if respond is not None:
        respond_ephemeral(respond, message)


def failure_message(
    error: BaseException, lang: Lang, logger: logging.Logger, *, failed: Text | None = None
) -> SlackMessage:
    """Log `error` (and note it as the request's outcome) and return what the user is told about it:
    what failed (`failed`, e.g. "Adding to the shortlist failed."), why, and what to do: the remedy
    when one is known (TikHub's balance or quota, inviting kolbot to the channel), else to try again.
    A refusal of what the user asked (bad input, an unknown id) explains itself without `failed`."""
    note_failure(error)
    code = error.response.get("error") if isinstance(error, SlackApiError) else None
    if isinstance(error, KolbotError):
        logger.warning("request failed: %s", error)
        shown = error
    elif code in _SLACK_REMEDIES:
        logger.warning("Slack refused: %s", code)
        shown = slack_problem(str(code), saved=None)
    elif code in _TRIGGER_SPENT:
        logger.warning("Slack refused to open a form: %s", code)
        shown = FORM_TOO_LATE
    elif isinstance(error, storage_errors()):
        logger.warning("storage unavailable: %s", error.__class__.__name__, exc_info=error)
        shown = STORAGE_UNAVAILABLE
    elif isinstance(error, NETWORK_ERRORS):
        logger.warning("network unavailable: %s", error.__class__.__name__, exc_info=error)
        shown = NETWORK_UNAVAILABLE
    else:
        ref = uuid.uuid4().hex[:8]
        logger.error("unexpected error (ref %s)", ref, exc_info=error)
        shown = unexpected_error(ref)
    if failed is not None and not _users_to_fix(error):
        shown = KolbotError(Text("%(failed)s %(what)s", failed=failed, what=shown.what), hint=shown.hint)
    return error_message(shown, lang)


def _users_to_fix(error: BaseException) -> bool:
    """A refusal of the request itself (bad input, an unknown id, a channel kolbot is not in…),
    which says what was refused; not a failure of kolbot, TikHub, Slack or the network."""
    return isinstance(error, KolbotError) and not isinstance(error, UpstreamError)


def failure_ack(
    body: dict[str, Any], respond: Respond | None, error: BaseException, lang: Lang, logger: logging.Logger
) -> dict[str, Any]:
    """The HTTP 200 answer to a request that failed before its ack (the database is down, say):
    a command gets the message in the ack, a modal submission a modal on top of the form (kept,
    so nothing typed is lost), a click the message at its response_url; an event nothing."""
    message = failure_message(error, lang, logger)
    if body.get("command"):
        return {**message.to_dict(), "response_type": "ephemeral"}
    if body.get("type") == "view_submission":
        return {"response_action": "push", "view": notice_modal(message, lang)}
    if respond is not None and body.get("response_url"):
        respond_ephemeral(respond, message)
    return {}


def notice_modal(message: SlackMessage, lang: Lang) -> dict[str, Any]:
    """A modal showing `message`, to push over a submitted form (which stays, with what was typed)."""
    blocks = message.blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": message.text}}]
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "kolbot"},
        "close": {"type": "plain_text", "text": tr(lang, "Back")},
        "blocks": blocks,
    }


@dataclass
class Answering:
    """The language a failure of the work under way is told in: the listener's best guess (the
    clicked button's label, the workspace default) until the work finds the user's own."""

    lang: Lang


_ANSWERING: ContextVar[Answering | None] = ContextVar("kolbot_answering", default=None)


@contextmanager
def answering(lang: Lang) -> Iterator[Answering]:
    """Around work whose failures are told to the user: `answer_in` inside it changes `lang`."""
    current = Answering(lang)
    token = _ANSWERING.set(current)
    try:
        yield current
    finally:
        _ANSWERING.reset(token)


def answer_in(lang: Lang) -> None:
    """From here on, a failure of the work under way is told in `lang` (the saved search's or the
    shortlist's language, known once the work has read it). Outside `answering`: nothing."""
    current = _ANSWERING.get()
    if current is not None:
        current.lang = lang


@contextmanager
def answer_failures(
    respond: Respond | None, lang: Lang, logger: logging.Logger, *, failed: Text | None = None
) -> Iterator[None]:
    """Run a listener body; any exception becomes an ephemeral message to the user (without
    `respond`: a log line), in `lang` or the language given to `answer_in` inside it. `failed`:
    what failed, as `send_failure`."""
    with answering(lang) as current:
        try:
            yield
        except Exception as error:
            send_failure(respond, error, current.lang, logger, failed=failed)


def refusal(error: KolbotError, lang: Lang) -> SlackMessage:
    """The answer refusing a request (bad input, unknown id…); also the request's logged outcome."""
    note_failure(error)
    return error_message(error, lang)
