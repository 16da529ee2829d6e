"""Slow work after the ack, on the bounded worker pool `Services.workers` (`KOLBOT_WORKERS` threads).

Bolt runs each listener on its listener executor and holds the HTTP request until the listener
calls `ack()`. A listener that went on searching after acking kept its executor thread, so a
burst of commands filled the executor and later commands could not ack within Slack's 3 s.
Listeners therefore only parse and ack, and hand the rest to `run_after_ack`; failures inside the
job reach the user exactly as they did in the listener (`answer_failures`). A slash command's
idempotency key is claimed in the job, before the work (`middleware.first_delivery`).

Modals are opened in the listener itself: a `trigger_id` expires 3 s after the click, too soon to
wait behind searches in the queue.

The job runs as the acting workspace and user (`bot.spend.payer.paying`), so every paid TikHub
call it makes is charged to them under `feature` and checked against the workspace's budget.

On shutdown (`handlers.server.serve`) the pool is drained: queued work gets a grace period, and a
user whose work could not finish in it is told so (`SHUT_DOWN`) at the request's response_url.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from slack_bolt import BoltContext, Respond

from bot.cards.views import error_message
from bot.errors import KolbotError
from bot.i18n import Text
from bot.models import Lang
from bot.observability.trace import error_kind, note_retry
from bot.post_once import JobRun
from bot.services import Services
from bot.spend.payer import Payer, paying
from handlers.jobs import LEGACY_TASK, SlackTask, defer_slack_work
from handlers.middleware import JOB, first_delivery
from handlers.replies import (
    NETWORK_ERRORS,
    answer_failures,
    answering,
    respond_ephemeral,
    send_failure,
    storage_errors,
)


def transient_errors() -> tuple[type[Exception], ...]:
    """Faults worth another attempt of a queued job: storage or a network briefly gone."""
    return (*storage_errors(), *NETWORK_ERRORS)


# Told to a user whose queued work could not finish before `kolbot serve` stopped (SIGTERM).
SHUT_DOWN = KolbotError(
    Text("kolbot restarted before your request could finish."),
    hint=Text("Please run it again in a minute."),
)


def run_after_ack(
    context: BoltContext,
    respond: Respond | None,
    lang: Lang,
    logger: logging.Logger,
    work: Callable[[], object],
    *,
    task: SlackTask,
) -> None:
    """Run `work`, the slow part of `task`, after the ack; any exception it raises becomes an
    ephemeral message saying what failed (`task.failed`), why and what to do, in `lang` or the
    language `work` found and named with `replies.answer_in` (or a log line when there is no
    `respond`, as for events). `work` lets its failures propagate: caught inside it, they would
    skip what failed and, on the queue, the retry of a transient fault. Paid calls are charged to
    the actor under the task's feature.

    With the queue (`handlers.jobs`): in `kolbot serve` the request is committed as a `task` job
    and `work` is dropped (the worker rebuilds it from the request); in the worker it runs now.
    Without the queue it goes on `Services.workers`."""
    services: Services = context["services"]
    payer = Payer(context.team_id or "", context.user_id or "", task.feature)
    run: JobRun | None = context.get(JOB)
    if run is not None:
        _check_task(run, task, logger)
        _run_in_job(context, work, respond, lang, logger, payer, run, task.failed)
    elif services.queue is not None:
        defer_slack_work(context, logger, task)
    else:
        tell = None if respond is None else partial(_tell_shut_down, respond, lang)
        services.workers.submit(
            _run_once, context, work, respond, lang, logger, payer, task.failed, on_abandon=tell
        )


def _check_task(run: JobRun, task: SlackTask, logger: logging.Logger) -> None:
    """A job replayed into another feature's work (a version deployed between queueing and running
    routes the request elsewhere) still runs, as the current code asks; the log says so."""
    if run.job.name not in (task, LEGACY_TASK):
        logger.warning("job %s was queued as %s and runs as %s", run.job.key, run.job.name, task.value)


def _tell_shut_down(respond: Respond, lang: Lang) -> None:
    respond_ephemeral(respond, error_message(SHUT_DOWN, lang))


def _run_once(
    context: BoltContext,
    work: Callable[[], object],
    respond: Respond | None,
    lang: Lang,
    logger: logging.Logger,
    payer: Payer,
    failed: Text,
) -> None:
    with answer_failures(respond, lang, logger, failed=failed), paying(payer):
        if first_delivery(context, logger):
            work()


def _run_in_job(
    context: BoltContext,
    work: Callable[[], object],
    respond: Respond | None,
    lang: Lang,
    logger: logging.Logger,
    payer: Payer,
    run: JobRun,
    failed: Text,
) -> None:
    """`work` as a queued job (claimed when it was queued): a transient fault is left for the
    queue to retry (the attempt's outcome is `retry`); the user hears of it only when the last
    attempt fails too, in the same words as on the in-process path (what failed, what to do)."""
    with answering(lang) as current:  # `work` may name the user's language (`answer_in`)
        try:
            with paying(payer):
                work()
        except transient_errors() as error:
            if not run.job.final:
                logger.warning("job %s: transient fault, retrying: %s", run.job.key, error_kind(error))
                note_retry(error)
                run.transient = error
                return
            send_failure(respond, error, current.lang, logger, failed=failed)
        except Exception as error:
            send_failure(respond, error, current.lang, logger, failed=failed)
