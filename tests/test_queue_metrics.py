"""`/metrics` on PostgreSQL says how many queued jobs wait for a worker, and for how long: with no
`kolbot worker` running, every ack still says "searching…" and nothing else would show it."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.observability import metrics
from bot.services import Services
from tests.queue_fixtures import needs_pg


def gauges() -> dict[str, float]:
    text = generate_latest(metrics._CurrentRegistry()).decode()  # what a scrape of /metrics reads
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}


@needs_pg
def test_jobs_no_worker_has_started_are_counted_with_the_age_of_the_oldest(queued: Services) -> None:
    assert queued.queue is not None
    before = gauges()["kolbot_jobs_waiting"]
    queued.queue.defer("search", "T:waiting-1", {})
    queued.queue.defer("search", "T:waiting-2", {})
    after = gauges()
    assert after["kolbot_jobs_waiting"] == before + 2
    assert after["kolbot_oldest_job_wait_seconds"] >= 0


@needs_pg
def test_a_database_that_cannot_be_read_leaves_the_gauges_out_not_the_scrape(queued: Services) -> None:
    metrics.watch_queue(lambda: (_ for _ in ()).throw(OSError("database down")))
    try:
        names = gauges()
    finally:
        metrics.watch_queue(None)
    assert "kolbot_jobs_waiting" not in names


def test_sqlite_reports_no_queue(services: Services) -> None:
    assert "kolbot_jobs_waiting" not in gauges()
