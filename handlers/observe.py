"""One trace per Slack request: Bolt's `App` with a `RequestTrace` around each dispatch.

A request queued by `kolbot serve` and replayed by `kolbot worker` is the same request: the job
carries its request id (`handlers.jobs`). `serve` writes the request's line when it acks; the
worker's replay runs under the job's own trace (`JobTrace`, opened by `bot.queue.TaskRegistry`),
which writes a `job run` line with that id and counts job metrics, not a second request.

A Bolt middleware cannot see the ack go out (its `next()` returns before the listener runs), so
the trace wraps `dispatch`, which HTTP mode and Socket Mode both call and which returns when Slack
gets its ack. The trace stays open while the listener and the work it hands to `TracingExecutor`
pools run (`bot.observability.trace`), then writes the request's log line.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.observability.trace import (
    REQUEST_ID,
    JobTrace,
    RequestTrace,
    current_trace,
    request_id_or_none,
    tracing,
)
from handlers.commands.kol import SUBCOMMANDS
from handlers.payloads import team_of

_KINDS = {
    "block_actions": "action",
    "block_suggestion": "action",
    "shortcut": "action",
    "message_action": "action",
    "view_submission": "view",
    "view_closed": "view",
    "event_callback": "event",
    "url_verification": "event",
}


class ObservedApp(App):
    """Bolt's `App`; each request gets a `RequestTrace`, current while Bolt dispatches it."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        job = current_trace()
        if isinstance(job, JobTrace):
            # A worker replaying a queued request: `kolbot serve` wrote the request's line and
            # counted it; this run is the job's (`bot.queue.TaskRegistry.run`), told what it serves.
            job.kind, job.subcommand, job.team = describe(req.body)
            response = super().dispatch(req)
            job.acked(response.status)
            return response
        trace = RequestTrace(*describe(req.body))
        if given := request_id_or_none(req.context.get(REQUEST_ID)):
            trace.request_id = given  # a queued request replayed by a worker keeps its id
        status = 500
        try:
            with tracing(trace):
                response = super().dispatch(req)
            status = response.status
            return response
        finally:
            trace.acked(status)


def describe(body: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, subcommand, team) of a request body. Never the user's text: only routing names."""
    team = str(body.get("team_id") or team_of(body) or "-")
    if body.get("command"):
        return "command", command_verb(str(body.get("text") or "")), team
    kind = _KINDS.get(str(body.get("type")), "other")
    if kind == "action":
        actions = body.get("actions") or [{}]
        return (
            kind,
            str(actions[0].get("action_id") or body.get("action_id") or body.get("callback_id")),
            team,
        )
    if kind == "view":
        return kind, str((body.get("view") or {}).get("callback_id")), team
    if kind == "event":
        return kind, str((body.get("event") or {}).get("type") or body.get("type")), team
    return kind, str(body.get("type") or "-"), team


def command_verb(text: str) -> str:
    """The `/kol` subcommand a text asks for (`search` unless a known verb comes first; `help` for
    help and for no text, which opens the search form)."""
    match = SUBCOMMANDS.match(text)
    if match.help or not match.verb:
        return "help"
    return match.subcommand.name if match.subcommand else "search"
