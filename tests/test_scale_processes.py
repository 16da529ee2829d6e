"""kolbot as several processes on one PostgreSQL (`tests/scale_harness.py`): acknowledged work
survives a killed web process or worker, and each result reaches the user once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.scale_harness import Cluster

pytest_plugins = ["tests.scale_harness"]


def test_a_search_acked_by_a_killed_web_process_is_delivered_once_by_a_worker(cluster: Cluster) -> None:
    web = cluster.serve()
    acked = cluster.post(web, cluster.requests("searcher").command("护肤 pages=1"))
    assert "护肤" in acked.text
    cluster.processes[0].proc.kill()  # kill -9 right after the ack; no worker was running yet
    cluster.processes[0].proc.wait()
    cluster.worker()
    [results] = cluster.slack.wait_for_calls("response", timeout=30)
    assert results.path == "/response/searcher" and results.body["response_type"] == "in_channel"
    cluster.worker()  # a second worker finds nothing left to do: the user got the results once
    cluster.wait_until_queue_empty()
    assert len(cluster.slack.calls_to("response")) == 1
