"""Posting to Slack at most once per queued job, however often the job runs.

A job (`bot.queue`) runs again when its worker died or a transient fault hit it. Each post is
keyed by its job, its destination and text (and how many such posts the run made before it);
its answer is recorded (`bot.store.job_posts`) right after Slack gave it, and a run that makes
the same post again gets the recorded answer (the message's `ts`, say) without posting. Clients
handed out while a job runs (`running`, which `SlackClients.for_workspace` and the Slack job
adapter consult) post this way. The one window left is a crash between Slack's answer and the
record.
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
from slack_sdk.web import SlackResponse

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
    """A `respond` (response_url) that sends each of a job's responses once."""

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
    the recorded answer without posting."""
    clone = copy.copy(client)
    call = client.api_call

    def api_call(api_method: str, **kwargs: Any) -> SlackResponse:
        if api_method not in POSTING:
            return call(api_method, **kwargs)
        key = run.post_key(api_method, kwargs)
        if (recorded := run.posts.recall(key)) is not None:
            url = f"{client.base_url}{api_method}"
            data = json.loads(recorded)
            return SlackResponse(
                client=clone,
                http_verb="POST",
                api_url=url,
                req_args={},
                data=data,
                headers={},
                status_code=200,
            )
        response = call(api_method, **kwargs)
        run.posts.record(key, json.dumps(response.data if isinstance(response.data, dict) else {}))
        return response

    clone.api_call = api_call  # type: ignore[method-assign]
    return clone
