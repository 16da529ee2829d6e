"""Digest cards: the digest itself (split into parts when long), its notes, list, detail and help.

Same rules as the search cards: labels live in the templates, every creator or user string is
escaped there, links go through `link`. A long digest is never cut: its lines are packed into
section blocks under Slack's 3,000-character limit and the blocks into as many messages as needed,
each titled "(1/2)", "(2/2)"…; a part that fails to render falls back to its full plain text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.cards import digest_lines
from bot.cards.env import clip, link, mrkdwn
from bot.cards.errors import error_text
from bot.cards.render import SlackMessage, render
from bot.cards.views import notice_message, sort_labels
from bot.chinese import first_chinese
from bot.digests.changes import Change
from bot.digests.errors import run_error
from bot.digests.models import (
    BAD_QUERY,
    PAUSED_BY_PREFIX,
    SLACK_PREFIX,
    Digest,
    DigestDetail,
    DigestRun,
    RunStatus,
)
from bot.digests.post import DigestPost
from bot.digests.vocabulary import EXAMPLE_KEYWORD, VERB_ALIASES
from bot.digests.watch import WatchGroup
from bot.errors import KolbotError
from bot.grammar import describe_filters
from bot.i18n import N_, slash_command, tr
from bot.models import Lang, Query, SortKey, xingtu_url
from bot.vocabulary import SUBCOMMAND_ALIASES

SECTION_CHARS = 2_900  # escaped text per section block (Slack: 3,000)
LINE_CHARS = 300  # one change line, before escaping (creator names can be long)
PART_BLOCKS = 40  # content blocks per message; header, context, summary and notes use the rest of 50
PART_CHARS = 12_000  # content characters per message, so a part stays readable
LISTED_DIGESTS = 40
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")

_RUN_STATUS = {
    RunStatus.PENDING: N_("in progress"),
    RunStatus.POSTED: N_("posted"),
    RunStatus.SKIPPED: N_("nothing changed, skipped (quiet)"),
    RunStatus.MISSED: N_("missed: no data this period"),
    RunStatus.FAILED: N_("failed: channel unavailable"),
}


@dataclass(frozen=True)
class _Block:
    title: str
    url: str | None
    lines: list[str]  # with bullets, clipped, escaped, each creator's name a link to their Xingtu page
    plain: list[str]  # the same lines as text, for the notification

    @property
    def size(self) -> int:
        return len(mrkdwn(self.title)) + len(self.url or "") + sum(len(line) + 1 for line in self.lines)

    @property
    def text(self) -> str:
        return "\n".join([self.title, *self.plain])


# -- the digest ---------------------------------------------------------------------------------


def digest_messages(post: DigestPost, *, now: datetime | None = None) -> list[SlackMessage]:
    """The digest as one or more messages, in order; nothing is left out."""
    lang = post.digest.lang
    parts = _paginate(_content_blocks(post, lang))
    return [_part(post, blocks, i, len(parts), now or datetime.now(UTC)) for i, blocks in enumerate(parts, 1)]


def nothing_changed_message(post: DigestPost) -> SlackMessage:
    """The one short line posted when nothing changed and the digest is not quiet."""
    lang, digest = post.digest.lang, post.digest
    line = tr(
        lang,
        "Digest %(short_id)s “%(keyword)s”: nothing changed since the last digest.",
        short_id=digest.short_id,
        keyword=post.query.keyword,
    )
    if post.late:
        schedule = digest.schedule
        due = f"{post.scheduled_for.astimezone(schedule.zone):%Y-%m-%d %H:%M} {schedule.tz}"
        line += tr(lang, " (Late: due %(due)s, sent after a pause in service.)", due=due)
    return notice_message(line)


def unavailable_message(
    digest: Digest, keyword: str, error: KolbotError, *, retry_at: datetime | None, next_run: datetime
) -> SlackMessage:
    """Posted once per period when the data cannot be fetched: what happened and when we try again."""
    lang = digest.lang
    context = {
        "lang": lang,
        "digest": digest,
        "keyword": keyword,
        "problem": error_text(error, lang),
        "retry_at": retry_at,
        "next_run": next_run,
    }
    when = retry_at or next_run
    fallback = tr(
        lang,
        "Digest %(short_id)s “%(keyword)s”: data unavailable. Next try: %(when)s UTC.",
        short_id=digest.short_id,
        keyword=keyword,
        when=format(when, "%Y-%m-%d %H:%M"),
    )
    return render("digest_unavailable.json.j2", context, fallback_text=fallback)


def _content_blocks(post: DigestPost, lang: Lang) -> list[_Block]:
    blocks: list[_Block] = []
    for section in digest_lines.sections(post.diff, lang, post.query, max_lines=sys.maxsize):
        title = section.title if post.diff.first_run else f"{section.title} · {len(section.lines)}"
        blocks += _split(title, None, list(zip(section.lines, section.creators, strict=True)), lang)
    for group, changes in _watched(post):
        name = group.shortlist.name
        title = tr(lang, "Shortlist “%(name)s”", name=name)
        lines = [(digest_lines.change_line(c, lang), (c.star_id, c.nickname)) for c in changes]
        blocks += _split(title, group.thread_url, lines, lang)
    return blocks


def _watched(post: DigestPost) -> list[tuple[WatchGroup, list[Change]]]:
    """Each shortlist's changes that the search's sections have not already said (a shortlisted
    creator in the results: its price change once, under Price changes)."""
    said = {change for _, changes in post.diff.groups() for change in changes}
    return [(group, [c.change for c in group.changes if c.change not in said]) for group in post.watch]


def _split(title: str, url: str | None, lines: list[tuple[str, tuple[str, str]]], lang: Lang) -> list[_Block]:
    """One titled group of lines as section-sized blocks; continuations say so in their title."""
    if not lines:
        return []
    more = tr(lang, "%(title)s (cont.)", title=title)
    blocks = [_Block(title, url, [], [])]
    for line, (star_id, nickname) in lines:
        plain = "• " + clip(line, LINE_CHARS)
        bullet = _linked(plain, star_id, nickname)
        if blocks[-1].lines and blocks[-1].size + len(bullet) + 1 > SECTION_CHARS:
            blocks.append(_Block(more, url, [], []))
        blocks[-1].lines.append(bullet)
        blocks[-1].plain.append(plain)
    return blocks


def _linked(line: str, star_id: str, nickname: str) -> str:
    """`line` escaped for mrkdwn, the creator's name in it a link to their Xingtu page: a digest names
    creators the team then wants to open (the link carries the id `/kol show` takes)."""
    escaped, name = mrkdwn(line), mrkdwn(nickname)
    lead = _LEAD.match(escaped)
    at = escaped.find(name, lead.end() if lead else 0) if name else -1  # not in `• #12` before it
    if at < 0:
        return escaped
    return escaped[:at] + link(xingtu_url(star_id), nickname) + escaped[at + len(name) :]


_LEAD = re.compile(r"• (?:#\d+ )?")  # the bullet and rank a line starts with, before the name


def _paginate(blocks: list[_Block]) -> list[list[_Block]]:
    """Blocks packed into messages of at most PART_BLOCKS blocks and PART_CHARS characters."""
    parts: list[list[_Block]] = [[]]
    for block in blocks:
        current = parts[-1]
        if current and (
            len(current) >= PART_BLOCKS or sum(b.size for b in current) + block.size > PART_CHARS
        ):
            parts.append([])
        parts[-1].append(block)
    return parts


def _part(post: DigestPost, blocks: list[_Block], number: int, total: int, now: datetime) -> SlackMessage:
    lang, digest = post.digest.lang, post.digest
    first, last = number == 1, number == total
    summary = _summary(post, lang) if first else ""
    caveats = digest_lines.notes(post.diff, lang) if last else []
    context: dict[str, Any] = {
        "lang": lang,
        "digest": digest,
        "keyword": post.query.keyword,
        "part": f" ({number}/{total})" if total > 1 else "",
        "schedule": tr(lang, digest.schedule.wording()),
        "filters": [tr(lang, text) for text in describe_filters(post.query)],
        "sort": None if post.query.sort is SortKey.SCORE else sort_labels(lang)[post.query.sort.value],
        "scheduled_for": post.scheduled_for,
        "late": post.late,
        "manual": post.manual,
        "stats": post.stats,
        "now": now,
        "summary": summary,
        "blocks": [{"title": b.title, "url": b.url, "lines": b.lines} for b in blocks],
        "first_run": post.diff.first_run,
        "notes": caveats,
        "last": last,
    }
    head = tr(lang, "Digest “%(keyword)s”", keyword=post.query.keyword) + context["part"]
    fallback = "\n".join([head, summary, *(b.text for b in blocks), *caveats])
    return render("digest.json.j2", context, fallback_text=fallback)


def _summary(post: DigestPost, lang: Lang) -> str:
    """Counts per kind of change (the first run's title says what it is, so it has none)."""
    counts = [] if post.diff.first_run or post.diff.is_empty else [digest_lines.summary(post.diff, lang)]
    if changes := sum(len(changes) for _, changes in _watched(post)):
        counts.append(tr(lang, "Shortlist changes: %(changes)s", changes=changes))
    return " · ".join(counts)


# -- managing digests ---------------------------------------------------------------------------


def digest_list_message(
    digests: Sequence[Digest],
    latest: dict[int, DigestRun],
    lang: Lang,
    *,
    tz: str,
    now: datetime | None = None,
) -> SlackMessage:
    """The channel's digests: id, search, schedule, status and the next or latest run."""
    now = now or datetime.now(UTC)
    shown = digests[:LISTED_DIGESTS]
    rows = [_row(d, latest.get(d.id), lang, now) for d in shown]
    context = {"lang": lang, "rows": rows, "more": len(digests) - len(shown), "tz": tz}
    fallback = "\n".join(
        [tr(lang, "Digests in this channel")]
        + [
            f"{d.short_id} “{d.raw_query}” — {tr(lang, d.schedule.wording())}" + ("" if d.active else " ⏸")
            for d in digests
        ]
    )
    return render("digest_list.json.j2", context, fallback_text=fallback)


def digest_detail_message(
    detail: DigestDetail,
    query: Query,
    lang: Lang,
    *,
    saved: bool = False,
    now: datetime | None = None,
) -> SlackMessage:
    """One digest: its search as understood, schedule, options, status and recent runs."""
    now = now or datetime.now(UTC)
    digest = detail.digest
    context = {
        "lang": lang,
        "saved": saved,
        "digest": digest,
        "filters": [tr(lang, text) for text in describe_filters(query)],
        "schedule": tr(lang, digest.schedule.wording()),
        "next_run": digest.schedule.next_due(now) if digest.active else None,
        "paused": pause_reason(digest.pause_reason, lang) if not digest.active else "",
        "manage": manage_line(digest, lang),
        "created_by": _mention(digest.created_by),
        "runs": [_run_view(run, lang) for run in detail.runs],
    }
    verb = tr(lang, " saved") if saved else ""
    fallback = tr(
        lang,
        "Digest %(short_id)s%(verb)s: “%(raw_query)s” — %(context)s",
        short_id=digest.short_id,
        verb=verb,
        raw_query=digest.raw_query,
        context=context["schedule"],
    )
    return render("digest_detail.json.j2", context, fallback_text=fallback)


def digest_help_message(lang: Lang, *, tz: str, max_pages: int) -> SlackMessage:
    """`/kol digest help`: what digests are and every digest command (not the search's help)."""
    lines = digest_usage(lang, tz=tz, max_pages=max_pages)
    return render("digest_help.json.j2", {"lang": lang, "lines": lines}, fallback_text=lines[0])


def digest_usage(lang: Lang, *, tz: str, max_pages: int) -> list[str]:
    return [
        tr(
            lang,
            "Scheduled digests: a saved search posted to this channel on a schedule, showing what changed"
            " since the last post (new and dropped creators, price and follower changes, rank moves) and"
            " changes on the channel's open shortlists.",
        ),
        tr(
            lang,
            '• `%(c)s digest add "%(keyword)s followers>=10w cpm<=80" daily 09:30 top=10` — the search in'
            " quotes, then the schedule, then options: `top=1-20` · `pages=1-%(max_pages)s` · `quiet=yes`"
            " (post nothing when nothing changed; default: one short line)",
            c=slash_command(),
            keyword=EXAMPLE_KEYWORD,
            max_pages=max_pages,
        ),
        tr(
            lang,
            "• Schedules: `daily 09:30` · `weekdays 10:00` · `weekly mon 09:00` · `monthly 1 09:00` ·"
            " `hourly` · `every 2h`, optionally followed by a time zone such as `Europe/Berlin`"
            " (this workspace's default: %(tz)s)",
            tz=tz,
        ),
        tr(
            lang,
            "• `%(c)s digest list` · `show <id>` · `pause <id>` · `resume <id>` · `remove <id>` ·"
            " `run <id>` (post one now)",
            c=slash_command(),
        ),
        tr(
            lang,
            "• `%(c)s digest tz Europe/Berlin` — the default time zone for new digests in this workspace",
            c=slash_command(),
        ),
        tr(
            lang,
            "• In Chinese: `%(c)s %(digest)s %(verbs)s`",
            c=slash_command(),
            digest=first_chinese(SUBCOMMAND_ALIASES["digest"]),
            verbs="|".join(first_chinese(aliases) or verb for verb, aliases in VERB_ALIASES.items()),
        ),
    ]


def manage_line(digest: Digest, lang: Lang) -> str:
    """What can be done with the digest now, as whole commands, where they work (mrkdwn)."""
    c, short_id, reason = mrkdwn(slash_command()), digest.short_id, digest.pause_reason or ""
    if reason == BAD_QUERY:  # resuming would pause it again at its next run
        return tr(
            lang,
            "Its search no longer reads: add it again with the search corrected, then in <#%(channel)s> "
            "`%(c)s digest remove %(short_id)s`.",
            channel=digest.channel_id,
            c=c,
            short_id=short_id,
        )
    if reason.startswith(SLACK_PREFIX):  # its channel refused it: resume once it is fixed, or remove
        return tr(
            lang,
            "Once the bot can post in <#%(channel)s> again, `%(c)s digest resume %(short_id)s` there; "
            "or `%(c)s digest remove %(short_id)s`, from any channel.",
            channel=digest.channel_id,
            c=c,
            short_id=short_id,
        )
    state = (
        tr(lang, "`%(c)s digest pause %(short_id)s` stops it", c=c, short_id=short_id)
        if digest.active
        else tr(lang, "`%(c)s digest resume %(short_id)s` starts it again", c=c, short_id=short_id)
    )
    return tr(
        lang,
        "In <#%(channel)s>: `%(c)s digest run %(short_id)s` posts one now · %(state)s · "
        "`%(c)s digest remove %(short_id)s` deletes it",
        channel=digest.channel_id,
        c=c,
        short_id=short_id,
        state=state,
    )


def pause_reason(reason: str | None, lang: Lang) -> str:
    """Why a digest is paused, as mrkdwn (a user mention is built only from a valid user id)."""
    reason = reason or ""
    if reason.startswith(PAUSED_BY_PREFIX):
        return tr(lang, "paused by ") + _mention(reason.removeprefix(PAUSED_BY_PREFIX))
    if reason.startswith(SLACK_PREFIX):
        return mrkdwn(tr(lang, "paused itself: %(why)s", why=run_error(reason)))
    if reason == BAD_QUERY:
        return tr(lang, "paused itself: its search can no longer be read")
    return tr(lang, "paused")


def _mention(user_id: str) -> str:
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else mrkdwn(user_id)


def _row(digest: Digest, run: DigestRun | None, lang: Lang, now: datetime) -> dict[str, Any]:
    return {
        "digest": digest,
        "schedule": tr(lang, digest.schedule.wording()),
        "paused": "" if digest.active else pause_reason(digest.pause_reason, lang),
        "next_run": digest.schedule.next_due(now) if digest.active else None,
        "last": _run_view(run, lang) if run else None,
    }


def _run_view(run: DigestRun, lang: Lang) -> dict[str, Any]:
    return {
        "at": run.completed_at or run.scheduled_for,
        "status": tr(lang, _RUN_STATUS[run.status]),
        "late": run.late,
        "manual": run.manual,
        "parts": run.parts,
        "attempts": run.attempts,
        "retry_at": run.next_attempt_at if run.status is RunStatus.PENDING and run.attempts else None,
        "error": tr(lang, run_error(run.last_error)) if run.last_error else None,
    }
