"""Posting to Slack once per queued job, however often the job runs (issue 10 §1).

A job (`bot.queue`) runs again when its worker died or a transient fault hit it. Each post is
keyed by its job, its destination and text (and how many such posts the run made before it).
Clients handed out while a job runs (`running`, which `SlackClients.for_workspace` and the Slack
job adapter consult) post this way (`bot.store.job_posts` holds the record):

- A post whose answer is recorded is never sent again: a run that makes it gets the recorded
  answer (the message's `ts`, say).
- A channel message (chat.postMessage) or file share (files.completeUploadExternal) is committed
  as an intent, then sent (a message carries a hash of its key as message metadata), then its
  answer is recorded. An intent without an answer, which only a worker dying in between leaves,
  makes the next run look for the post in its conversation (`bot.post_recovery`): found, its
  answer is recorded and nothing is sent; not there, it is sent. The normal path reads nothing
  from Slack. So a kill -9 at any point shows such a post once wherever kolbot can read the
  conversation (it is a member, and the install has the `*:history` scopes).

What is left is sent again after a kill between Slack's answer and its record (a window of one
database write): a channel message or file share where the lookup is refused (a public channel
kolbot posts in without having joined it, a DM addressed by user id, an install made before the
history scopes; logged); ephemeral messages (chat.postEphemeral and ephemeral responses: Slack
keeps nothing to read back); new messages sent through a response_url (`PostOnce`: Slack's
answer has no id and the job knows no channel to read); chat.scheduleMessage (kolbot schedules
nothing). A response that replaces the original message (`replace_original`), as More results
and re-sorts do, or deletes it, is harmless to send again: it replaces the same message with the
same content. Two runs of one job at the same moment (a worker wrongly thought dead) are not
kept apart: an intent is not a lock.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.post_recovery import FINDABLE, arguments, carries_marker, find, marked, markers
from bot.queue import JobInfo
from bot.store.job_posts import JobPosts

# Web API methods that show something to people: each is made once per job.
POSTING = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "files.completeUploadExternal"}
)
_CURRENT: ContextVar[JobRun | None] = ContextVar("kolbot_job_run", default=None)


@dataclass
class JobRun:
    """One run of a queued job: what it is, its post numbers, and a fault worth a retry."""

    job: JobInfo
    posts: JobPosts
    transient: BaseException | None = None
    _seen: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def post_key(self, method: str, content: dict[str, Any]) -> str:
        """The key of this post: its job, what it posts where, and how often this run posted the
        same before (a run that posts fewer messages than the last one still matches them up)."""
        digest = hashlib.sha256(
            json.dumps([method, _comparable(content)], sort_keys=True, default=str).encode()
        )
        with self._lock:
            seen = self._seen[digest.hexdigest()] = self._seen.get(digest.hexdigest(), -1) + 1
        return f"{self.job.key}#{digest.hexdigest()[:24]}#{seen}"


@contextmanager
def running(run: JobRun) -> Iterator[JobRun]:
    token = _CURRENT.set(run)
    try:
        yield run
    finally:
        _CURRENT.reset(token)


def current_run() -> JobRun | None:
    return _CURRENT.get()


# What identifies a post across runs of a job: where it goes and its text, not its blocks (which
# may carry ids made afresh by each run, such as a results card's search ref).
_IDENTITY = ("channel", "channel_id", "thread_ts", "text", "initial_comment", "response_type", "files")


def _comparable(content: dict[str, Any]) -> dict[str, Any]:
    """The identifying fields of a post, whether given as keywords (respond) or as a Web API
    call's `json` / `params` / `data`; uploaded files by title (their ids differ on each run)."""
    fields: dict[str, Any] = {}
    for part in (content, *(content.get(p) for p in ("json", "params", "data"))):
        if isinstance(part, dict):
            fields.update({key: part[key] for key in _IDENTITY if key in part})
    if "files" in fields:
        files = json.loads(fields["files"]) if isinstance(fields["files"], str) else fields["files"]
        fields["files"] = [f.get("title") for f in files or []]
    return fields


class PostOnce:
    """A `respond` (response_url) that sends each of a job's responses once its answer is
    recorded; after a kill between sending and recording, the response is sent again (see the
    module's docstring: harmless when it replaces the original message)."""

    def __init__(self, respond: Callable[..., Any], run: JobRun) -> None:
        self._respond, self._run = respond, run
        self.response_url = getattr(respond, "response_url", None)

    def __call__(self, **kwargs: Any) -> Any:
        key = self._run.post_key("respond", kwargs)
        if self._run.posts.recall(key) is not None:
            return None
        answer = self._respond(**kwargs)
        self._run.posts.record(key, "{}")
        return answer


def once_client(client: WebClient, run: JobRun) -> WebClient:
    """A copy of `client` whose posting methods (`POSTING`) run once per job: a job run again gets
    the recorded answer, or the post it finds in Slack (`FINDABLE`), without posting."""
    clone = copy.copy(client)
    call = client.api_call

    def api_call(api_method: str, **kwargs: Any) -> SlackResponse:
        if api_method not in POSTING or carries_marker(kwargs):
            return call(api_method, **kwargs)  # not a post, or one keyed by what it is (`post_keyed`)
        key = run.post_key(api_method, kwargs)
        post = run.posts.recall(key)
        if post is not None and post.response is not None:
            return _replayed(clone, api_method, json.loads(post.response))
        if api_method in FINDABLE:
            args = arguments(kwargs)
            found = None if post is None else find(client, api_method, args, post.since, post.markers)
            if found is not None:
                run.posts.record(key, json.dumps(found))
                return _replayed(clone, api_method, found)
            run.posts.intend(key, markers(api_method, key, args))
            kwargs = marked(api_method, key, kwargs)
        try:
            response = call(api_method, **kwargs)
        except SlackApiError:
            run.posts.forget(key)  # Slack answered no: nothing was posted, nothing to look for
            raise
        run.posts.record(key, json.dumps(response.data if isinstance(response.data, dict) else {}))
        return response

    clone.api_call = api_call  # type: ignore[method-assign]
    return clone


def post_keyed(
    client: WebClient, posts: JobPosts, key: str, method: str, args: dict[str, Any]
) -> dict[str, Any]:
    """Make post `key` (a `FINDABLE` Web API `method` with `args`) once, whichever job, request or
    process makes it: a post keyed by what it is (a shortlist creator's thread card) rather than
    by the job making it, so a `/kol shortlist show` repairing the thread meets the card an add
    job posted before it was killed. The same intent, record and read-back as `once_client`:
    answered before, that answer; intended and never answered, looked for in its conversation
    (found: recorded, not sent); else intended, sent with its marker, recorded. A job's
    `once_client` passes such a marked post through unkeyed. Returns Slack's answer."""
    post = posts.recall(key)
    if post is not None and post.response is not None:
        return dict(json.loads(post.response))
    found = None if post is None else find(client, method, args, post.since, post.markers)
    if found is not None:
        posts.record(key, json.dumps(found))
        return found
    posts.intend(key, markers(method, key, args))
    try:
        response = client.api_call(method, **marked(method, key, {"json": args}))
    except SlackApiError:
        posts.forget(key)  # Slack answered no: nothing was posted, nothing to look for
        raise
    data = response.data if isinstance(response.data, dict) else {}
    posts.record(key, json.dumps(data))
    return data


def _replayed(client: WebClient, api_method: str, data: dict[str, Any]) -> SlackResponse:
    """Slack's answer to an earlier run's post, as if Slack had just given it."""
    url = f"{client.base_url}{api_method}"
    return SlackResponse(
        client=client, http_verb="POST", api_url=url, req_args={}, data=data, headers={}, status_code=200
    )
