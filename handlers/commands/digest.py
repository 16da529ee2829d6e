"""`/kol digest …`: scheduled digests (add, list, show, pause, resume, remove, run, tz, help).

Everything but `run` is a quick database call answered in the ack (visible to the user only);
`run` acks first, then fetches and posts the digest in the channel. Failures are answered with a
bilingual message naming the problem; nothing is saved when the input is bad.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.digest_views import digest_detail_message, digest_help_message, digest_list_message
from bot.cards.render import SlackMessage
from bot.cards.views import notice_message
from bot.digests import errors
from bot.digests.models import Digest
from bot.digests.vocabulary import VERB_ALIASES
from bot.errors import KolbotError
from bot.i18n import Text, tr
from bot.models import Lang
from bot.services import Services
from handlers.background import run_after_ack
from handlers.commands.registry import Subcommand, Subcommands
from handlers.jobs import SlackTask
from handlers.middleware import idempotency_key
from handlers.replies import refusal, send_failure


@dataclass(frozen=True)
class Call:
    """One `/kol digest` invocation."""

    services: Services
    team_id: str
    channel_id: str
    user_id: str
    lang: Lang
    args: str  # what follows the verb
    request: str  # the Slack request's idempotency key: a job run again serves the same request
    verb: str = ""  # the verb as typed (`恢复`), for a reply that quotes it

    @property
    def digest_id(self) -> str:
        return self.args.split()[0] if self.args.split() else ""


@dataclass(frozen=True)
class AfterAck:
    """A subcommand's answer when it has slow work: the ack, and the work to run after it."""

    message: SlackMessage
    work: Callable[[], object]


def digest_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    rest: str,
    lang: Lang,  # of the whole text: `/kol 推送 …` answers in Chinese whatever follows
) -> None:
    services: Services = context["services"]
    text = rest.strip()
    match = SUBCOMMANDS.match(text)
    call = Call(
        services,
        command["team_id"],
        command["channel_id"],
        command["user_id"],
        lang,
        match.rest.strip(),
        idempotency_key(command) or f"command:{uuid4().hex}",
        match.verb,
    )
    try:
        if match.help:
            answer: SlackMessage | AfterAck = _help(call)
        elif match.subcommand is None:
            raise errors.unknown_verb(match.verb)
        else:
            answer = match.subcommand.handler(call)
    except KolbotError as err:
        ack(**refusal(err, call.lang))
        return
    except Exception as err:
        ack()
        failed = Text("`%(command)s digest %(verb)s` failed.", verb=match.verb or "help")
        send_failure(respond, err, call.lang, logger, failed=failed)
        return
    if isinstance(answer, AfterAck):
        ack(**answer.message)
        run_after_ack(context, respond, call.lang, logger, answer.work, task=SlackTask.DIGEST_RUN_NOW)
    else:
        ack(**answer)


def _add(call: Call) -> SlackMessage:
    digests = call.services.digests
    detail = digests.add(call.team_id, call.channel_id, call.user_id, call.args, call.lang)
    query = digests.query(detail.digest)
    return digest_detail_message(detail, query, detail.digest.lang, saved=True)  # as it will post


def _list(call: Call) -> SlackMessage:
    found = call.services.digests.channel(call.team_id, call.channel_id)
    return digest_list_message(found.digests, found.latest, call.lang, tz=found.tz)


def _show(call: Call) -> SlackMessage:
    digests = call.services.digests
    detail = digests.show(call.team_id, _require_id(call, "show"))
    return digest_detail_message(detail, digests.query(detail.digest), call.lang)


def _pause(call: Call) -> SlackMessage:
    digest = call.services.digests.pause(call.team_id, _managed(call, "pause"), call.user_id)
    return notice_message(
        tr(
            call.lang,
            "Digest %(short_id)s “%(raw_query)s” is paused. Resume it "
            "with %(command)s digest resume %(short_id)s.",
            short_id=digest.short_id,
            raw_query=digest.raw_query,
        )
    )


def _resume(call: Call) -> SlackMessage:
    digest = call.services.digests.resume(call.team_id, _managed(call, "resume"))
    when = _local(digest)
    return notice_message(
        tr(
            call.lang,
            "Digest %(short_id)s “%(raw_query)s” is active again; next digest %(when)s.",
            short_id=digest.short_id,
            raw_query=digest.raw_query,
            when=when,
        )
    )


def _remove(call: Call) -> SlackMessage:
    digest = call.services.digests.remove(call.team_id, _managed(call, "remove", removing=True))
    return notice_message(
        tr(
            call.lang,
            "Digest %(short_id)s “%(raw_query)s” is removed, with its history.",
            short_id=digest.short_id,
            raw_query=digest.raw_query,
        )
    )


def _tz(call: Call) -> SlackMessage:
    digests = call.services.digests
    if not call.args:
        tz = digests.timezone(call.team_id)
        return notice_message(
            tr(
                call.lang,
                "New digests in this workspace use %(tz)s time. Change "
                "it: %(command)s digest tz Europe/Berlin",
                tz=tz,
            )
        )
    tz = digests.set_timezone(call.team_id, call.user_id, call.args)
    return notice_message(
        tr(
            call.lang,
            "New digests in this workspace now use %(tz)s time; existing digests keep theirs.",
            tz=tz,
        )
    )


def _help(call: Call) -> SlackMessage:
    settings = call.services.settings
    tz = call.services.digests.timezone(call.team_id)
    return digest_help_message(call.lang, tz=tz, max_pages=settings.kolbot_digest_max_pages)


def _run(call: Call) -> AfterAck:
    """Ack at once; fetching and posting (slow work, queued) can take longer than Slack's 3 seconds."""
    digest = call.services.digests.in_channel(call.team_id, _require_id(call, "run"), call.channel_id)
    digest_id = digest.short_id
    note = (
        tr(call.lang, "Posting digest %(digest_id)s…", digest_id=digest_id)
        if digest.active
        else tr(call.lang, "Posting digest %(digest_id)s once; it stays paused.", digest_id=digest_id)
    )
    return AfterAck(
        notice_message(note),
        lambda: call.services.digests.run_now(call.team_id, digest_id, request=call.request),
    )


def _managed(call: Call, verb: str, *, removing: bool = False) -> str:
    """The id of the digest `verb` changes: this channel's, else refused."""
    digests = call.services.digests
    return digests.in_channel(
        call.team_id, _require_id(call, verb), call.channel_id, removing=removing
    ).short_id


def _require_id(call: Call, verb: str) -> str:
    if not call.digest_id:
        raise errors.needs_id(call.verb or verb)
    return call.digest_id


def _local(digest: Digest) -> str:
    """The next run in the digest's own zone: "2026-11-24 09:30 Asia/Shanghai"."""
    schedule = digest.schedule
    return f"{schedule.next_due(datetime.now(UTC)).astimezone(schedule.zone):%Y-%m-%d %H:%M} {schedule.tz}"


SUBCOMMANDS: Subcommands[Callable[[Call], SlackMessage | AfterAck]] = Subcommands(
    Subcommand("add", _add, aliases=VERB_ALIASES["add"]),
    Subcommand("list", _list, aliases=VERB_ALIASES["list"]),
    Subcommand("show", _show, aliases=VERB_ALIASES["show"]),
    Subcommand("pause", _pause, aliases=VERB_ALIASES["pause"]),
    Subcommand("resume", _resume, aliases=VERB_ALIASES["resume"]),
    Subcommand("remove", _remove, aliases=VERB_ALIASES["remove"]),
    Subcommand("run", _run, aliases=VERB_ALIASES["run"]),
    Subcommand("tz", _tz, aliases=VERB_ALIASES["tz"]),
)
