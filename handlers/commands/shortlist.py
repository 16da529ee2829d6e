"""`/kol shortlist …`: start, fill, decide on and share shortlists that live in a channel thread.

A shortlist is named by its name, the start of its name or its short id; names with spaces can
be quoted (`"618 beauty"`, also with “curly” quotes). Every reply is ephemeral: the shared view
is the shortlist's own message and thread, kept up to date by `ShortlistSync`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.render import SlackMessage
from bot.cards.shortlist_views import (
    help_message,
    history_message,
    list_message,
    parent_message,
    reply_message,
)
from bot.chinese import simplified
from bot.errors import QueryError
from bot.i18n import Text
from bot.models import Duration, Lang
from bot.services import Services
from bot.shortlists.errors import ShortlistError, not_an_export, one_to_remove
from bot.shortlists.export import to_csv, to_xlsx
from bot.shortlists.inputs import clean_name, new_list_args, parse_budget, parse_duration, words
from bot.shortlists.models import Shortlist
from bot.shortlists.service import ShortlistService
from bot.shortlists.vocabulary import ALIASES, EXPORT_FORMATS
from bot.slack_io.shortlists import ShortlistSync
from handlers.background import run_after_ack
from handlers.commands.registry import Subcommand, Subcommands
from handlers.jobs import SlackTask
from handlers.middleware import idempotency_key
from handlers.replies import refusal, respond_ephemeral

HISTORY_LIMIT = 100
FILE_KIND = re.compile(r"\.?(?:pdf|xls|docx?|pptx?|png|jpe?g|txt|json|tsv|html?|numbers)", re.IGNORECASE)
WRITERS: dict[str, Callable[..., bytes]] = {"csv": to_csv, "xlsx": to_xlsx}  # by EXPORT_FORMATS' format
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class Invocation:
    """One `/kol shortlist` call: who, where, in which language, and the services to use."""

    services: Services
    sync: ShortlistSync
    respond: Respond
    team_id: str
    channel_id: str
    user_id: str
    lang: Lang
    request: str | None = None  # the Slack request's idempotency key (the same in its job's runs)
    verb: str = ""  # the subcommand as typed (`导出`), for a reply that quotes it

    @property
    def shortlists(self) -> ShortlistService:
        return self.services.shortlists

    def reply(self, message: SlackMessage) -> None:
        respond_ephemeral(self.respond, message)

    def resolve(self, ref: str) -> Shortlist:
        return self.shortlists.resolve(self.team_id, self.channel_id, ref)

    def thread_url(self, shortlist: Shortlist) -> str | None:
        return self.sync.thread_url(self.team_id, shortlist.short_id)


def shortlist_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    text: str,
    lang: Lang,
) -> None:
    """Dispatch `/kol shortlist <verb> …`; `text` is what follows `shortlist`."""
    services: Services = context["services"]
    match = SUBCOMMANDS.match(text)
    subcommand = match.subcommand
    if match.help:
        ack(**help_message(lang))
        return
    if subcommand is None:
        ack(**refusal(_unknown_verb(match.verb), lang))
        return
    try:
        args = words(match.rest, closed=True)
    except ShortlistError as err:
        ack(**refusal(err, lang))
        return
    ack()
    call = Invocation(
        services=services,
        sync=services.shortlist_sync(context.client),
        respond=respond,
        team_id=command["team_id"],
        channel_id=command["channel_id"],
        user_id=command["user_id"],
        lang=lang,
        request=idempotency_key(command),
        verb=match.verb,
    )
    run, task = subcommand.handler, subcommand.task
    assert task is not None  # every shortlist subcommand names its task
    run_after_ack(context, respond, lang, logger, lambda: run(call, args), task=task)


def _new(call: Invocation, args: list[str]) -> None:
    name, options = new_list_args(args)
    name, budget = clean_name(name), parse_budget(options.get("budget"))
    duration = parse_duration(options.get("duration", Duration.MEDIUM))
    call.sync.check_channel(call.channel_id)
    shortlist = call.shortlists.create(
        call.team_id, call.channel_id, call.user_id, name, budget, duration, lang=call.lang
    )
    call.sync.refresh(shortlist)
    call.reply(reply_message("created", shortlist, call.lang, thread_url=call.thread_url(shortlist)))


def _add(call: Invocation, args: list[str]) -> None:
    if len(args) < 2:
        raise _usage_error("add", call)
    shortlist = call.resolve(args[0])
    call.sync.check_channel(call.channel_id)
    # Keyed by the request: its job run again after a crash recognises what it added before.
    result = call.shortlists.add(
        call.team_id, shortlist.short_id, call.user_id, args[1:], request=call.request
    )
    call.sync.refresh(result.shortlist)
    added = [i.creator.nickname for i in result.added]
    url = call.thread_url(shortlist)
    call.reply(
        reply_message(
            "added",
            result.shortlist,
            call.lang,
            thread_url=url,
            creators=added,
            already=[i.creator.nickname for i in result.already],
        )
    )


def _remove(call: Invocation, args: list[str]) -> None:
    if len(args) < 2:
        raise _usage_error("remove", call)
    if len(args) > 2:
        raise one_to_remove(" ".join(args[1:]))
    shortlist = call.resolve(args[0])
    item = call.shortlists.remove(call.team_id, shortlist.short_id, call.user_id, args[1])
    call.sync.mark_removed(shortlist, item, call.user_id)
    call.sync.refresh(shortlist)
    call.reply(reply_message("removed", shortlist, call.lang, creators=[item.creator.nickname]))


def _close(call: Invocation, args: list[str]) -> None:
    shortlist = call.resolve(_ref(args, "close", call))
    closed = call.shortlists.close(call.team_id, shortlist.short_id, call.user_id)
    call.sync.refresh(closed)
    call.reply(reply_message("closed", closed, call.lang))


def _reopen(call: Invocation, args: list[str]) -> None:
    shortlist = call.resolve(_ref(args, "reopen", call))
    reopened = call.shortlists.reopen(call.team_id, shortlist.short_id, call.user_id)
    call.sync.refresh(reopened)
    call.reply(reply_message("reopened", reopened, call.lang))


def _rename(call: Invocation, args: list[str]) -> None:
    if len(args) < 2:
        raise _usage_error("rename", call)
    shortlist = call.resolve(args[0])
    renamed = call.shortlists.rename(call.team_id, shortlist.short_id, call.user_id, " ".join(args[1:]))
    call.sync.refresh(renamed)
    call.reply(reply_message("renamed", renamed, call.lang))


def _list(call: Invocation, _args: list[str]) -> None:
    call.reply(list_message(call.shortlists.list(call.team_id, call.channel_id), call.lang))


def _show(call: Invocation, args: list[str]) -> None:
    """The summary and a link to the thread; re-renders the parent (re-posting it if deleted)."""
    shortlist = call.resolve(_ref(args, "show", call))
    call.sync.refresh(shortlist)
    summary = call.shortlists.summary(call.team_id, shortlist.short_id)
    call.reply(parent_message(summary, call.lang, thread_url=call.thread_url(shortlist)))


def _history(call: Invocation, args: list[str]) -> None:
    shortlist = call.resolve(_ref(args, "history", call))
    events = call.shortlists.history(call.team_id, shortlist.short_id, limit=HISTORY_LIMIT)
    names = {
        i.star_id: i.creator.nickname for i in call.shortlists.summary(call.team_id, shortlist.short_id).items
    }
    gone = {e.star_id for e in events if e.star_id and e.star_id not in names}
    names |= {
        star_id: snap.creator.nickname for star_id, snap in call.services.snapshots.get_many(gone).items()
    }
    call.reply(history_message(shortlist, events, call.lang, names=names, limit=HISTORY_LIMIT))


def _export(call: Invocation, args: list[str]) -> None:
    """`export <shortlist> [csv|xlsx]`: the spreadsheet, uploaded into the shortlist's thread."""
    named = bool(args) and simplified(args[-1]).lower() in EXPORT_FORMATS
    extension = EXPORT_FORMATS[simplified(args[-1]).lower()] if named else "csv"
    if not named and args and FILE_KIND.fullmatch(args[-1]):  # `export Spring pdf`: not part of the name
        raise not_an_export(args[-1], "csv, xlsx")
    shortlist = call.resolve(_ref(args[:-1] if named else args, "export", call))
    write = WRITERS[extension]
    # posted into the shared thread: in the shortlist's language, as its messages there are
    data = write(call.shortlists.summary(call.team_id, shortlist.short_id), call.sync.lang(shortlist))
    filename = export_filename(shortlist, extension)
    call.sync.upload(call.team_id, shortlist.short_id, data, filename)
    url = call.thread_url(shortlist)
    call.reply(reply_message("exported", shortlist, call.lang, thread_url=url, filename=filename))


def export_filename(shortlist: Shortlist, extension: str) -> str:
    stem = _UNSAFE_FILENAME.sub("_", shortlist.name).strip("_")[:60] or "shortlist"
    return f"{stem}-{shortlist.short_id}.{extension}"


ShortlistHandler = Callable[[Invocation, list[str]], None]

SUBCOMMANDS: Subcommands[ShortlistHandler] = Subcommands(
    Subcommand("new", _new, aliases=ALIASES["new"], task=SlackTask.SHORTLIST_NEW),
    Subcommand(
        "add",
        _add,
        aliases=ALIASES["add"],
        task=SlackTask.SHORTLIST_ADD,
        usage=Text("<shortlist> <name|star_id> …"),
    ),
    Subcommand(
        "remove",
        _remove,
        aliases=ALIASES["remove"],
        task=SlackTask.SHORTLIST_REMOVE,
        usage=Text("<shortlist> <name|star_id>"),
    ),
    Subcommand("list", _list, aliases=ALIASES["list"], task=SlackTask.SHORTLIST_LIST),
    Subcommand("show", _show, aliases=ALIASES["show"], task=SlackTask.SHORTLIST_SHOW),
    Subcommand("history", _history, aliases=ALIASES["history"], task=SlackTask.SHORTLIST_HISTORY),
    Subcommand("export", _export, aliases=ALIASES["export"], task=SlackTask.SHORTLIST_EXPORT),
    Subcommand("close", _close, aliases=ALIASES["close"], task=SlackTask.SHORTLIST_CLOSE),
    Subcommand("reopen", _reopen, aliases=ALIASES["reopen"], task=SlackTask.SHORTLIST_REOPEN),
    Subcommand(
        "rename",
        _rename,
        aliases=ALIASES["rename"],
        task=SlackTask.SHORTLIST_RENAME,
        usage=Text("<shortlist> <new name>"),
    ),
)


def _ref(args: list[str], verb: str, call: Invocation) -> str:
    if not args:
        raise _usage_error(verb, call)
    return " ".join(args)


def _unknown_verb(token: str) -> QueryError:
    return QueryError(
        token,
        Text("“%(token)s” is not a shortlist command.", token=token),
        usage=Text("See %(command)s shortlist help."),
    )


def _usage_error(verb: str, call: Invocation) -> QueryError:
    """`verb` needs more words; the reply quotes it as typed (`导出`, not `export`)."""
    args = SUBCOMMANDS[verb].usage or Text("<shortlist>")
    typed = call.verb or verb
    return QueryError(
        typed,
        Text(
            "`%(verb)s` needs more: %(command)s shortlist %(verb)s %(args)s",
            verb=typed,
            args=args,
        ),
        usage=Text("Names with spaces go in quotes; %(command)s shortlist help shows every command."),
    )
