"""Everything a `/kol digest` command can refuse, in Chinese and English, with what to do next.

Bad schedules, time zones and search grammar raise the core's `QueryError` instead (it names
the offending part); these cover the digest command itself. Nothing is stored when one is raised.
"""

from __future__ import annotations

from bot.digests.vocabulary import EXAMPLE_ADD
from bot.errors import KolbotError, QueryError
from bot.i18n import Text, slash_command


class DigestError(KolbotError):
    """A refused digest command; nothing was stored."""


def _usage() -> Text:
    return Text("Example: %(example)s", example=f"{slash_command()} {EXAMPLE_ADD}")


def unknown_id(short_id: str) -> DigestError:
    return DigestError(
        Text("No digest with id “%(short_id)s”.", short_id=short_id),
        hint=Text("List this channel's digests with %(command)s digest list."),
    )


def already_scheduled(short_id: str) -> DigestError:
    return DigestError(
        Text("Digest %(short_id)s already posts that search here on that schedule.", short_id=short_id),
        hint=Text(
            "See it with %(command)s digest show %(short_id)s, or choose another time.", short_id=short_id
        ),
    )


def other_workspace() -> DigestError:
    return DigestError(
        Text("That digest belongs to another Slack workspace; nothing was changed."),
        hint=Text("Use a digest id from this workspace."),
    )


def needs_id(verb: str) -> DigestError:
    return DigestError(
        Text("`digest %(verb)s` needs a digest id.", verb=verb),
        hint=Text(
            "Example: %(command)s digest %(verb)s k3x9ab (ids are in %(command)s digest list).",
            verb=verb,
        ),
    )


def unknown_verb(verb: str) -> DigestError:
    return DigestError(
        Text("Unknown digest command “%(verb)s”.", verb=verb),
        hint=Text(
            "Use add, list, show, pause, resume, remove, run or tz; see %(command)s digest help.",
        ),
    )


def missing_quotes() -> QueryError:
    return QueryError(
        "add",
        Text("Put the search in quotes, then the schedule."),
        usage=_usage(),
    )


def unclosed_quote(text: str) -> QueryError:
    return QueryError(text, Text("The search has no closing quote."), usage=_usage())


def empty_query() -> QueryError:
    return QueryError('""', Text("The search in quotes is empty."), usage=_usage())


def missing_schedule() -> QueryError:
    return QueryError(
        "",
        Text("Say when to post: a schedule such as daily 09:30 follows the quoted search."),
        usage=_usage(),
    )


def bad_option(token: str, rule: Text) -> QueryError:
    return QueryError(
        token,
        Text("“%(token)s”: %(rule)s", token=token, rule=rule),
        usage=Text("Options: top=1-20 · pages=N · quiet=yes|no"),
    )


def too_many_pages(pages: int, cap: int) -> QueryError:
    return QueryError(
        f"pages={pages}",
        Text(
            "A digest fetches at most %(cap)s page(s) per run; pages=%(pages)s is more.", cap=cap, pages=pages
        ),
        usage=Text("Use pages=1 to pages=%(cap)s.", cap=cap),
    )


def not_posted(short_id: str, error: str, *, paused: bool) -> DigestError:
    what = (
        Text(
            "Digest %(short_id)s was not posted: Slack refused the message (%(error)s). The digest "
            "paused itself.",
            short_id=short_id,
            error=error,
        )
        if paused
        else Text(
            "Digest %(short_id)s was not posted: Slack refused the message (%(error)s).",
            short_id=short_id,
            error=error,
        )
    )
    return DigestError(
        what,
        hint=Text(
            "If the bot was removed from the channel, invite it back, then %(command)s digest resume "
            "%(short_id)s.",
            short_id=short_id,
        ),
    )
