"""Everything a `/kol digest` command can refuse, in Chinese and English, with what to do next.

Bad schedules, time zones and search grammar raise the core's `QueryError` instead (it names
the offending part); these cover the digest command itself. Nothing is stored when one is raised.
"""

from __future__ import annotations

from bot.digests.models import SLACK_PREFIX, TIKHUB_PREFIX
from bot.digests.vocabulary import EXAMPLE_KEYWORD
from bot.errors import SLACK_REINSTALL_CODES, KolbotError, QueryError
from bot.i18n import N_, Text


class DigestError(KolbotError):
    """A refused digest command; nothing was stored."""


def _usage() -> Text:
    return Text(
        'Example: %(command)s digest add "%(keyword)s followers>=10w" daily 09:30 top=10',
        keyword=EXAMPLE_KEYWORD,
    )


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


def run_under_way(short_id: str) -> DigestError:
    return DigestError(
        Text("Digest %(short_id)s is being posted right now.", short_id=short_id),
        hint=Text("It will appear in a moment; run it again after that if you need another."),
    )


def other_workspace() -> DigestError:
    return DigestError(
        Text("That digest belongs to another Slack workspace; nothing was changed."),
        hint=Text("Use a digest id from this workspace."),
    )


def other_channel(short_id: str, channel_id: str) -> DigestError:
    return DigestError(
        Text(
            "Digest %(short_id)s posts in <#%(channel)s>; nothing was changed.",
            short_id=short_id,
            channel=channel_id,
        ),
        hint=Text("Pause, resume, run or remove it from that channel."),
    )


def already_paused(short_id: str) -> DigestError:
    return DigestError(
        Text("Digest %(short_id)s is already paused.", short_id=short_id),
        hint=Text("Resume it with %(command)s digest resume %(short_id)s.", short_id=short_id),
    )


def already_active(short_id: str) -> DigestError:
    return DigestError(
        Text("Digest %(short_id)s is already active.", short_id=short_id),
        hint=Text("See its next run with %(command)s digest show %(short_id)s.", short_id=short_id),
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
    """`error`: the run's last error (`slack:<code>` when Slack refused the post), said in words
    with what to do about it; never the raw code when kolbot knows it."""
    reason = run_error(error)
    what = (
        Text(
            "Digest %(short_id)s was not posted: %(reason)s. The digest paused itself.",
            short_id=short_id,
            reason=reason,
        )
        if paused
        else Text("Digest %(short_id)s was not posted: %(reason)s.", short_id=short_id, reason=reason)
    )
    code = error.removeprefix(SLACK_PREFIX) if error.startswith(SLACK_PREFIX) else ""
    if code in _REMEDIES:
        remedy = _REMEDIES[code]
    elif code in SLACK_REINSTALL_CODES:
        remedy = N_("Ask your Slack admin to reinstall kolbot, then %(command)s digest resume %(short_id)s.")
    elif paused:
        remedy = N_("Resume it when the cause is fixed: %(command)s digest resume %(short_id)s.")
    else:  # a card Slack refused, the network, TikHub: not the channel's fault
        remedy = N_(
            "Try again in a few minutes with %(command)s digest run %(short_id)s; "
            "if it keeps failing, tell your admin."
        )
    return DigestError(what, hint=Text(remedy, short_id=short_id))


# Why Slack refused a digest's post, as the user is told (card and error alike).
_SLACK_REASONS: dict[str, str] = {
    "channel_not_found": N_("the channel was deleted, or the bot cannot see it"),
    "not_in_channel": N_("the bot was removed from the channel"),
    "is_archived": N_("the channel was archived"),
    "account_inactive": N_("the bot's Slack account was deactivated"),
    "app_uninstalled": N_("kolbot was removed from this workspace"),
    "not_installed": N_("kolbot is not installed in this workspace"),
    "token_revoked": N_("kolbot's access to this workspace was revoked"),
    "invalid_auth": N_("Slack no longer accepts kolbot's token here"),
}
_REMEDIES: dict[str, str] = {
    "is_archived": N_("Unarchive the channel, then %(command)s digest resume %(short_id)s."),
    "channel_not_found": N_(
        "If the channel is gone, remove the digest with %(command)s digest remove %(short_id)s."
    ),
    "not_in_channel": N_("Invite the bot back to the channel, then %(command)s digest resume %(short_id)s."),
}


def run_error(error: str) -> Text:
    """A run's recorded error in words: Slack's reasons kolbot knows, else what refused it and the
    code it gave (`slack:…`, `tikhub:…`)."""
    if error.startswith(SLACK_PREFIX):
        code = error.removeprefix(SLACK_PREFIX)
        known = _SLACK_REASONS.get(code)
        return Text(known) if known else Text("Slack refused the post (%(code)s)", code=code)
    if error.startswith(TIKHUB_PREFIX):
        return Text("Xingtu's data could not be fetched (%(code)s)", code=error.removeprefix(TIKHUB_PREFIX))
    return Text("an unexpected error (%(code)s)", code=error)
