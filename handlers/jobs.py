"""The Slack side of the job queue (`bot.queue`): a request's slow work as a named job.

Each feature's slow work is a named task (`SlackTask`: `search`, `search.more`, `deepdive`,
`compare`, `shortlist.add`, `digest.run_now`, …), so the queue, its logs and the worker's metrics
say what is waiting and what failed. `kolbot serve` with PostgreSQL claims a request and commits
its job, named by the listener that asked for the work, carrying the request's raw body
(JSON-serialisable, no closures); a command's claim and its job are one transaction, one
statement for a burst of commands (`bot.store.requests`).
Bolt answers Slack only after the listener returned (`process_before_response`), so the job is
committed before the ack is sent. `kolbot worker` runs the job by dispatching the same body
through the same Bolt app with signature checks off and `JOB` in the context: the listener
parses it as before, its `ack` goes nowhere, and `run_after_ack` runs the work at once instead
of queueing it. One listener, one parser, one piece of work code for both paths; the
in-process path (SQLite) is unchanged.

The job also carries the request id `kolbot serve` logged the request under; the worker's replay
uses it, so the request's lines from both processes (its two trace lines, and the line of any
failure the worker reports, with its reference) share one id.

In a job, `context.client` and `context.respond` post once per job (`bot.post_once`), so a job
run again after a worker died posts only what it had not posted yet.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.i18n import Text
from bot.observability.trace import REQUEST_ID, current_trace, request_id_or_none
from bot.post_once import JobRun, PostOnce, once_client, running
from bot.queue import JobInfo, JobRows, TaskRegistry, Transient
from bot.spend.payer import Feature
from bot.store.job_posts import JobPosts
from handlers.middleware import JOB, Next, first_delivery, idempotency_key

log = logging.getLogger(__name__)

RAW_REQUEST = "kolbot_raw_request"  # context key: (body, content type) of the request being served
# Jobs queued under the one name all Slack work had before the named tasks: still run.
LEGACY_TASK = "slack.request"


class SlackTask(StrEnum):
    """The named task of each feature's slow work (`procrastinate_jobs.task_name`)."""

    SEARCH = "search"
    MORE_RESULTS = "search.more"
    RESORT = "search.resort"
    RERUN = "search.rerun"  # App Home's Re-run
    SEARCH_FORM = "search.form"
    AUDIENCE_SCREEN = "search.screen"
    DEEP_DIVE = "deepdive"  # `/kol show` and Details, with their charts
    COMPARE = "compare"
    SHORTLIST_NEW = "shortlist.new"
    SHORTLIST_ADD = "shortlist.add"
    SHORTLIST_REMOVE = "shortlist.remove"
    SHORTLIST_LIST = "shortlist.list"
    SHORTLIST_SHOW = "shortlist.show"
    SHORTLIST_HISTORY = "shortlist.history"
    SHORTLIST_EXPORT = "shortlist.export"
    SHORTLIST_CLOSE = "shortlist.close"
    SHORTLIST_REOPEN = "shortlist.reopen"
    SHORTLIST_RENAME = "shortlist.rename"
    SHORTLIST_CARD = "shortlist.card"  # a vote or a status set on a creator's card
    SHORTLIST_EDIT = "shortlist.edit"  # quote and note, from the card's modal
    PLAN = "plan"
    PLAN_LIST = "plan.list"
    PLAN_SHOW = "plan.show"
    PLAN_ADD = "plan.add"  # a plan's creators added to a shortlist
    DIGEST_RUN_NOW = "digest.run_now"
    BUDGET = "budget"
    HOME = "home"  # App Home, published when opened

    @property
    def feature(self) -> Feature:
        """What the task's paid TikHub calls are charged to."""
        return _FEATURES.get(self, Feature.SEARCH)

    @property
    def failed(self) -> Text:
        """What the user is told failed when the task's work does (`replies.failure_message`)."""
        return _FAILED[self]


_FAILED: dict[SlackTask, Text] = {
    SlackTask.SEARCH: Text("Your search failed."),
    SlackTask.MORE_RESULTS: Text("Loading more results failed."),
    SlackTask.RESORT: Text("Re-sorting the results failed."),
    SlackTask.RERUN: Text("Running the search again failed."),
    SlackTask.SEARCH_FORM: Text("Your search failed."),
    SlackTask.AUDIENCE_SCREEN: Text("The audience screen failed."),
    SlackTask.DEEP_DIVE: Text("The deep-dive failed."),
    SlackTask.COMPARE: Text("The comparison failed."),
    SlackTask.SHORTLIST_NEW: Text("Creating the shortlist failed."),
    SlackTask.SHORTLIST_ADD: Text("Adding to the shortlist failed."),
    SlackTask.SHORTLIST_REMOVE: Text("Removing from the shortlist failed."),
    SlackTask.SHORTLIST_LIST: Text("Listing the shortlists failed."),
    SlackTask.SHORTLIST_SHOW: Text("Showing the shortlist failed."),
    SlackTask.SHORTLIST_HISTORY: Text("Loading the shortlist's history failed."),
    SlackTask.SHORTLIST_EXPORT: Text("Exporting the shortlist failed."),
    SlackTask.SHORTLIST_CLOSE: Text("Closing the shortlist failed."),
    SlackTask.SHORTLIST_REOPEN: Text("Reopening the shortlist failed."),
    SlackTask.SHORTLIST_RENAME: Text("Renaming the shortlist failed."),
    SlackTask.SHORTLIST_CARD: Text("Updating the creator's card failed."),
    SlackTask.SHORTLIST_EDIT: Text("Saving the quote and note failed."),
    SlackTask.PLAN: Text("The campaign plan failed."),
    SlackTask.PLAN_LIST: Text("Listing the plans failed."),
    SlackTask.PLAN_SHOW: Text("Showing the plan failed."),
    SlackTask.PLAN_ADD: Text("Adding the plan to the shortlist failed."),
    SlackTask.DIGEST_RUN_NOW: Text("Running the digest failed."),
    SlackTask.BUDGET: Text("Changing the budget failed."),
    SlackTask.HOME: Text("Loading the Home tab failed."),
}

_FEATURES = {
    SlackTask.DEEP_DIVE: Feature.DEEP_DIVE,
    SlackTask.COMPARE: Feature.DEEP_DIVE,
    SlackTask.DIGEST_RUN_NOW: Feature.DIGESTS,
}


class KeepRequest(Middleware):
    """Remembers the raw request and its key, which `run_after_ack` queues as the job."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        content_type = req.headers.get("content-type", [""])
        key = idempotency_key(req.body) or hashlib.sha256(req.raw_body.encode()).hexdigest()[:32]
        req.context[RAW_REQUEST] = (
            req.raw_body,
            content_type[0] if content_type else "",
            key,
            work_name(req.body),
        )
        return next()


def work_name(body: dict[str, Any]) -> str:
    """What a request asks for, for logs: `/kol`, `block_actions:more_results`, `view_submission:…`."""
    if body.get("command"):
        return str(body["command"])
    kind = body.get("type") or "request"
    detail = (body.get("actions") or [{}])[0].get("action_id") or (body.get("view") or {}).get("callback_id")
    detail = detail or (body.get("event") or {}).get("type")
    return f"{kind}:{detail}" if detail else str(kind)


class PostOncePerJob(Middleware):
    """In a job, the listener's client and respond post each message once."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse | None:
        context = req.context
        run: JobRun | None = context.get(JOB)
        if run is not None:
            if context.client is not None:
                context["client"] = once_client(context.client, run)
            if context.respond is not None:
                context["respond"] = PostOnce(context.respond, run)
        return next()


def defer_slack_work(context: BoltContext, logger: logging.Logger, task: SlackTask) -> None:
    """Claim the request being served (a command's claim waits until here) and commit its job as
    `task` (`kolbot serve` with the queue), in one transaction: both commit, or neither (a failed
    enqueue leaves no claim, so Slack's retry is served); a duplicate delivery queues nothing."""
    body, content_type, key, name = context[RAW_REQUEST]
    args = {"body": body, "content_type": content_type, "work": name}
    if (trace := current_trace()) is not None:
        args["request_id"] = trace.request_id  # the worker logs under the same id
    queue = context["services"].queue

    def enqueue(jobs: JobRows) -> None:
        queue.defer(task, f"{context.team_id}:{key}", args, within=jobs)

    first_delivery(context, logger, along=enqueue)


def register_slack_tasks(registry: TaskRegistry, app: App, posts: JobPosts) -> None:
    """Every `SlackTask` (and `LEGACY_TASK`): replay a queued request through `app` (built with
    `for_worker=True`); the listener that queued it runs its work as the task it named."""

    def run(job: JobInfo, *, body: str, content_type: str, work: str, request_id: str | None = None) -> None:
        """`request_id`: the id `kolbot serve` logged the request under (absent in jobs queued
        before it was carried): the replay, its log lines and any failure it reports use it."""
        log.info(
            "job %s: %s %s (attempt %d)",
            job.key,
            job.name,
            work,
            job.attempt + 1,
            extra={"request_id": request_id_or_none(request_id) or "-"},
        )
        headers: dict[str, str | Sequence[str]] = {"content-type": content_type}
        with running(JobRun(job, posts)) as current:
            context: dict[str, Any] = {JOB: current}
            if request_id:
                context[REQUEST_ID] = request_id
            app.dispatch(BoltRequest(body=body, headers=headers, context=context))
        if current.transient is not None:
            raise Transient(str(current.transient)) from current.transient

    for name in (*SlackTask, LEGACY_TASK):
        registry.register(name, run)
