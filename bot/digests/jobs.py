"""Digest runs as queued jobs (`bot.queue`): the clock claims what is due and queues it; workers
post it. A run's job is keyed by the run, and runs in one channel share a lock (one at a time,
in order, as the channel's pacing wants). A worker that dies mid-run leaves the job to another
worker within about a minute (`KOLBOT_WORKER_STALLED_S`), not after the run's 15-minute lease;
the run is still posted once (`bot.post_once`, and a run that ended is never made again).
"""

from __future__ import annotations

import logging

from bot.digests.models import Job
from bot.digests.service import DigestService
from bot.post_once import JobRun, running
from bot.queue import JobInfo, JobQueue, TaskRegistry
from bot.store.job_posts import JobPosts

log = logging.getLogger(__name__)

DIGEST_TASK = "digest.run"


def enqueue_digest_run(queue: JobQueue, job: Job) -> None:
    run_id = job.run.id
    queue.defer(
        DIGEST_TASK, f"digest-run:{run_id}", {"run_id": run_id}, lock=f"channel:{job.digest.channel_id}"
    )


def register_digest_task(tasks: TaskRegistry, digests: DigestService, posts: JobPosts) -> None:
    """`digest.run`: make a run the clock claimed, unless it ended already."""

    def run(job: JobInfo, *, run_id: int) -> None:
        with running(JobRun(job, posts)):
            status = digests.execute_pending(run_id)
        log.info("digest run %d: %s", run_id, status or "already done")

    tasks.register(DIGEST_TASK, run)
