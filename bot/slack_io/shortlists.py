"""Keeps a shortlist's Slack messages in step with the database: the parent message in the channel
(name, owner, status, live summary) and one card per creator in its thread.

Every render recomputes the summary from the database and posts whatever is missing, so a change
whose Slack update was lost (a crash, a rate limit, a deleted message) shows up with the next
change or with `show`. Renders of one shortlist are coalesced by an `UpdateGate` within a
process and serialised across processes by `ShortlistService.render_lock` (a PostgreSQL advisory
lock), so Slack never gets an older summary after a newer one; a card is set once per creator
(`set_item_ts` compares and sets).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.cards.render import SlackMessage
from bot.cards.shortlist_views import item_message, parent_message, removed_message, reply_message
from bot.errors import SLACK_REINSTALL_CODES, KolbotError
from bot.i18n import Text, detect_lang
from bot.models import Lang
from bot.post_once import post_keyed
from bot.shortlists.models import Shortlist, ShortlistItem, ShortlistSummary
from bot.shortlists.service import ShortlistService
from bot.store.job_posts import JobPosts

log = logging.getLogger(__name__)

MESSAGE_GONE = "message_not_found"
_POST = "chat.postMessage"
_NOT_A_MEMBER = {"not_in_channel", "channel_not_found"}


class SlackProblem(KolbotError):
    """A refusal from the Slack Web API, explained; `code` is Slack's error string."""

    def __init__(self, code: str, what: Text, *, hint: Text) -> None:
        super().__init__(what, hint=hint)
        self.code = code


def slack_problem(code: str, *, saved: bool | None) -> SlackProblem:
    """What a Slack error means for the user. `saved`: whether the change is already in the
    database (True), was refused before storing anything (False), or neither applies (None)."""
    outcome = (
        None if saved is None else Text("Your change is saved.") if saved else Text("Nothing was saved.")
    )
    show = Text("Then `%(command)s shortlist show <name>` brings its messages up to date.") if saved else None
    if code in _NOT_A_MEMBER:
        what = Text("I can't post in this channel because I'm not a member of it.")
        hint = Text("Invite me with `/invite @kolbot`, then try again.")
    elif code == "is_archived":
        what, hint, show = (
            Text("This channel is archived, so I can't post in it."),
            Text("Use shortlists in an active channel."),
            None,
        )
    elif code == "ratelimited":
        what = Text("Slack is limiting how fast I can post right now.")
        hint = Text("Wait a minute and try again.")
    elif code in SLACK_REINSTALL_CODES:
        what = Text("Slack no longer accepts kolbot's access to this workspace.")
        hint, show = Text("Ask your Slack admin to reinstall kolbot."), None
    else:
        what = Text("Slack refused to update the shortlist messages (%(code)s).", code=code)
        hint = Text("Try again in a minute.")
    return SlackProblem(
        code,
        what if outcome is None else Text("%(what)s %(outcome)s", what=what, outcome=outcome),
        hint=hint if show is None else Text("%(hint)s %(show)s", hint=hint, show=show),
    )


class UpdateGate:
    """Coalesces Slack renders per shortlist within this process.

    While one thread renders a shortlist, other threads only add the cards they changed to its
    pending work and return; the rendering thread loops until nothing is pending. A burst of
    changes costs a few `chat.update` calls, and the last render reads the last write.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, set[str]] = {}
        self._busy: set[str] = set()

    def run(self, key: str, cards: Iterable[str], render: Callable[[set[str]], None]) -> None:
        with self._lock:
            self._pending.setdefault(key, set()).update(cards)
            if key in self._busy:
                return
            self._busy.add(key)
        try:
            while (todo := self._take(key)) is not None:
                render(todo)
        except BaseException:
            with self._lock:
                self._busy.discard(key)  # what others left pending runs with the next change
            raise

    def _take(self, key: str) -> set[str] | None:
        with self._lock:
            todo = self._pending.pop(key, None)
            if todo is None:
                self._busy.discard(key)
            return todo


class ShortlistSync:
    """Slack side of shortlists, through a bot-token `WebClient`. Shared messages are written in
    the shortlist's language: Chinese when its name is, else the workspace default."""

    def __init__(
        self,
        service: ShortlistService,
        client: WebClient,
        *,
        gate: UpdateGate,
        default_lang: Lang = "en",
        posts: JobPosts | None = None,
    ) -> None:
        """`posts`: the post ledger that makes each creator's card (and the parent) a post made
        once, whoever makes it (`bot.post_once.post_keyed`); None posts without it (tests)."""
        self._service, self._client, self._gate = service, client, gate
        self._default_lang = default_lang
        self._posts = posts

    def lang(self, shortlist: Shortlist) -> Lang:
        """The language it was made in; for one made before that was kept, its name's."""
        return shortlist.lang or detect_lang(shortlist.name, self._default_lang)

    def check_channel(self, channel_id: str) -> None:
        """Before storing anything new: the bot must be a member to post here and see reactions."""
        info = self._call(self._client.conversations_info, saved=False, channel=channel_id)
        channel = info.get("channel") or {}
        if channel.get("is_archived"):
            raise slack_problem("is_archived", saved=False)
        if channel.get("is_member") is False:
            raise slack_problem("not_in_channel", saved=False)

    def refresh(self, shortlist: Shortlist, cards: Iterable[str] = ()) -> None:
        """Re-render the parent (posting it again if it is missing) and the `cards` of these
        creators, and post the card of every creator that has none yet."""
        team_id, short_id = shortlist.team_id, shortlist.short_id
        self._gate.run(short_id, cards, lambda todo: self._render_locked(team_id, short_id, todo))

    def mark_removed(self, shortlist: Shortlist, item: ShortlistItem, user_id: str) -> None:
        """Turn the removed creator's card into a one-line note (its buttons go with it)."""
        if item.card_ts is None:
            return
        message = removed_message(item, self.lang(shortlist), user_id=user_id)
        self._update_or_gone(shortlist.channel_id, item.card_ts, message)

    def thread_url(self, team_id: str, short_id: str) -> str | None:
        """Permalink of the parent message, or None when there is none (yet)."""
        shortlist = self._service.get(team_id, short_id)
        if shortlist.parent_ts is None:
            return None
        channel = shortlist.parent_channel_id or shortlist.channel_id
        try:
            answer = self._client.chat_getPermalink(channel=channel, message_ts=shortlist.parent_ts)
        except SlackApiError as err:
            log.warning("no permalink for shortlist %s: %s", short_id, err.response.get("error"))
            return None
        return answer.get("permalink")

    def upload(self, team_id: str, short_id: str, data: bytes, filename: str) -> None:
        """Upload a file into the shortlist's thread (files upload v2)."""
        shortlist = self._service.get(team_id, short_id)
        self._call(
            self._client.files_upload_v2,
            saved=None,
            channel=shortlist.parent_channel_id or shortlist.channel_id,
            thread_ts=shortlist.parent_ts,
            file=data,
            filename=filename,
            title=filename,
        )

    # -- rendering ----------------------------------------------------------------------------
    def _render_locked(self, team_id: str, short_id: str, changed: set[str]) -> None:
        with self._service.render_lock(team_id, short_id):
            self._render(team_id, short_id, changed)

    def _render(self, team_id: str, short_id: str, changed: set[str]) -> None:
        summary = self._service.summary(team_id, short_id)
        lang = self.lang(summary.shortlist)
        parent_ts = self._show_parent(summary, lang)
        for item in summary.items:
            if item.card_ts is None or item.star_id in changed:
                self._show_card(summary.shortlist, parent_ts, item, lang)

    def _show_parent(self, summary: ShortlistSummary, lang: Lang) -> str:
        s = summary.shortlist
        message = parent_message(summary, lang)
        if s.parent_ts and self._update_or_gone(s.parent_channel_id or s.channel_id, s.parent_ts, message):
            return s.parent_ts
        ts = self._post(
            s.channel_id, message, once=f"shortlist-parent:{s.team_id}:{s.short_id}:{s.parent_ts}"
        )
        self._service.set_parent_ts(s.team_id, s.short_id, s.channel_id, ts)
        if s.parent_ts:  # someone deleted it: say so where the team will look
            log.info("shortlist %s: parent message was deleted, posted again", s.short_id)
            self._post(s.channel_id, reply_message("reposted", s, lang), thread_ts=ts)
        return ts

    def _show_card(self, shortlist: Shortlist, parent_ts: str, item: ShortlistItem, lang: Lang) -> None:
        message = item_message(shortlist, item, lang)
        if item.card_ts and self._update_or_gone(shortlist.channel_id, item.card_ts, message):
            return
        # One card per creator added (and per card it replaces): a card posted by a run that died
        # before `set_item_ts` is found again here, not posted twice.
        added = item.added_at.isoformat()
        once = (
            f"shortlist-card:{shortlist.team_id}:{shortlist.short_id}:{item.star_id}:{added}:{item.card_ts}"
        )
        ts = self._post(shortlist.channel_id, message, thread_ts=parent_ts, once=once)
        if not self._service.set_item_ts(
            shortlist.team_id, shortlist.short_id, item.star_id, ts, replacing=item.card_ts
        ):
            log.warning("shortlist %s: %s got a card elsewhere first", shortlist.short_id, item.star_id)

    def _update_or_gone(self, channel: str, ts: str, message: SlackMessage) -> bool:
        """chat.update; False when the message was deleted."""
        try:
            self._call(self._client.chat_update, channel=channel, ts=ts, **message.to_dict())
        except SlackProblem as problem:
            if problem.code != MESSAGE_GONE:
                raise
            return False
        return True

    def _post(
        self, channel: str, message: SlackMessage, *, thread_ts: str | None = None, once: str | None = None
    ) -> str:
        """chat.postMessage; with `once`, the post's own key: made once whoever makes it."""
        if once is not None and self._posts is not None:
            args = {"channel": channel, **message.to_dict()}
            if thread_ts is not None:
                args["thread_ts"] = thread_ts
            posts = self._posts

            def post_once(**args: Any) -> dict[str, Any]:
                return post_keyed(self._client, posts, once, _POST, args)

            return str(self._call(post_once, **args)["ts"])
        answer = self._call(
            self._client.chat_postMessage, channel=channel, thread_ts=thread_ts, **message.to_dict()
        )
        return str(answer["ts"])

    def _call(self, method: Callable[..., Any], *, saved: bool | None = True, **kwargs: Any) -> Any:
        try:
            return method(**kwargs)
        except SlackClientError as err:
            code = (
                err.response.get("error", "unknown") if isinstance(err, SlackApiError) else "request_failed"
            )
            log.warning("Slack %s failed: %s", getattr(method, "__name__", "call"), code)
            raise slack_problem(str(code), saved=saved) from None
