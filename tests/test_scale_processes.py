"""kolbot as several processes on one PostgreSQL (`tests/scale_harness.py`): acknowledged work
survives a killed web process or worker, and each result reaches the user once."""

from __future__ import annotations

import bisect
import json
import signal
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from tests.db_fixtures import url_text
from tests.fakes.tcp_proxy import SilentableProxy
from tests.scale_harness import hold_first, wait_until

if TYPE_CHECKING:
    from tests.scale_harness import Cluster
    from tests.test_server_process import Kolbot


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


def test_a_worker_killed_during_20_shortlist_adds_loses_none_and_posts_each_card_once(
    cluster: Cluster,
) -> None:
    """The doomed worker runs one job at a time and is killed while that job waits on Slack, after
    it stored its creator (kill -9 mid-job, at a point the test controls); the other worker,
    started then, finishes every add, that job included."""
    webs = [cluster.serve(), cluster.serve()]
    doomed = cluster.worker(KOLBOT_WORKER_CONCURRENCY="1")
    slack = cluster.slack
    cluster.post(webs[0], cluster.requests("searcher").command("护肤 pages=1"))
    slack.wait_for(lambda: bool(slack.responses("searcher")), timeout=30)
    star_ids = [star for (star,) in cluster.query("SELECT star_id FROM creator_snapshots ORDER BY star_id")][
        :20
    ]
    assert len(star_ids) == 20
    cluster.post(webs[1], cluster.requests("creator").command('shortlist new "Spring"'))
    slack.wait_for(lambda: bool(slack.responses("creator")), timeout=30)
    held, release = hold_first(slack, "chat.update")

    def add(index: int) -> None:
        request = cluster.requests(f"adder{index}").command(f'shortlist add "Spring" {star_ids[index]}')
        cluster.post(webs[index % 2], request)

    try:
        with ThreadPoolExecutor(20) as pool:
            list(pool.map(add, range(20)))  # all 20 acknowledged
        assert held.wait(30), "the doomed worker never reached Slack"
        doomed.proc.kill()  # kill -9 while its job waits on chat.update
        doomed.proc.wait()
    finally:
        release.set()
    cluster.worker()

    def all_carded() -> bool:
        rows = cluster.query("SELECT count(*) FROM shortlist_items WHERE card_ts IS NOT NULL")
        return rows[0][0] == 20 and cluster.jobs("todo", "doing") == 0

    wait_until(all_carded, 60, "20 creators with a card each")
    cards = [json.dumps(c.body, ensure_ascii=False) for c in slack.calls_to("chat.postMessage")]
    cards = [card for card in cards if '"thread_ts"' in card]
    for star_id in star_ids:  # exactly one thread card each
        assert sum(star_id in card for card in cards) == 1, star_id
    assert len(cards) == 20
    assert len(cluster.query("SELECT DISTINCT card_ts FROM shortlist_items")) == 20
    [(parent_ts,)] = cluster.query("SELECT parent_ts FROM shortlists")
    summaries = [c for c in slack.calls_to("chat.update") if c.body.get("ts") == parent_ts]
    assert "*Creators*\\n20" in json.dumps(summaries[-1].body["blocks"], ensure_ascii=False)


def test_two_clocks_and_a_worker_killed_mid_digest_post_every_due_digest_once(cluster: Cluster) -> None:
    """Four digests fall due; two clocks queue them; the worker running the first dies while it
    fetches from TikHub, and another worker posts all four, each once."""
    web = cluster.serve()
    cluster.worker()
    channels = [f"C0DIGEST{n}" for n in range(4)]
    for n, channel in enumerate(channels):
        request = cluster.requests(f"digest{n}", channel_id=channel).command('digest add "护肤" daily 09:00')
        cluster.post(web, request)
    slack = cluster.slack
    wait_until(lambda: cluster.query("SELECT count(*) FROM digests")[0][0] == 4, 30, "four digests")
    cluster.kill_workers()
    cluster.query("UPDATE digests SET last_period_key = NULL RETURNING id")  # all four are due
    cluster.tikhub.hold()
    doomed = cluster.worker(KOLBOT_WORKER_CONCURRENCY="1")
    try:
        cluster.clock(KOLBOT_DIGEST_TICK_S="0.5")
        cluster.clock(KOLBOT_DIGEST_TICK_S="0.5")
        cluster.tikhub.wait_for_calls(1, timeout=30)  # the doomed worker is mid-digest
        doomed.proc.kill()
        doomed.proc.wait()
    finally:
        cluster.tikhub.release()
    cluster.worker()

    def all_posted() -> bool:
        rows = cluster.query("SELECT count(*) FROM digest_runs WHERE status = 'posted'")
        return rows[0][0] == 4 and cluster.jobs("todo", "doing") == 0

    wait_until(all_posted, 60, "four digests posted")
    posts = [
        c.body["channel"] for c in slack.calls_to("chat.postMessage") if c.body.get("channel") in channels
    ]
    assert sorted(posts) == sorted(channels)  # each channel's digest exactly once
    assert len(cluster.query("SELECT id FROM digest_runs")) == 4


def test_sigterm_stops_a_worker_cleanly(cluster: Cluster) -> None:
    worker = cluster.worker(KOLBOT_LOG_LEVEL="INFO", KOLBOT_SHUTDOWN_GRACE_S="7")
    worker.proc.send_signal(signal.SIGTERM)
    code, err = worker.finish()
    assert code == 0 and "Traceback" not in err
    assert "kolbot worker stopped" in "".join(worker.stdout)
    # The log says it is stopping, what it finishes and for how long, then that it stopped.
    [stopping] = [line for line in err.splitlines() if " stopping: " in line]
    assert "stopping: finishing 0 running jobs, up to KOLBOT_SHUTDOWN_GRACE_S=7 s" in stopping
    assert err.splitlines().index(stopping) < len(err.splitlines()) - 1
    assert err.splitlines()[-1].endswith(" stopped")


def busiest_second(times: list[float]) -> int:
    """The most calls that arrived within any one second."""
    times = sorted(times)
    return max((bisect.bisect_left(times, start + 1.0) - i for i, start in enumerate(times)), default=0)


def post_all(cluster: Cluster, webs: list[str], commands: list[tuple[str, str]]) -> None:
    """Post `(response name, text)` commands, spread over the web processes, eight at a time."""

    def post(n: int) -> None:
        name, text = commands[n]
        cluster.post(webs[n % len(webs)], cluster.requests(name).command(text))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(post, range(len(commands))))


def test_fifty_identical_searches_over_two_web_processes_make_one_call_per_page(cluster: Cluster) -> None:
    webs = [cluster.serve(), cluster.serve()]
    cluster.worker()
    cluster.worker()
    post_all(cluster, webs, [(f"same{n}", "护肤 pages=3") for n in range(50)])
    slack = cluster.slack
    slack.wait_for(lambda: all(slack.responses(f"same{n}") for n in range(50)), timeout=120)
    pages = Counter(r.params.get("page") for r in cluster.tikhub.requests if r.route.startswith("search"))
    assert sum(pages.values()) >= 1 and set(pages.values()) == {1}, pages  # one paid call per page


def test_two_hundred_mixed_commands_never_exceed_the_rate_limit_in_any_second(cluster: Cluster) -> None:
    qps = 10
    webs = [cluster.serve(KOLBOT_TIKHUB_QPS=str(qps)), cluster.serve(KOLBOT_TIKHUB_QPS=str(qps))]
    cluster.worker(KOLBOT_TIKHUB_QPS=str(qps))
    cluster.worker(KOLBOT_TIKHUB_QPS=str(qps))
    mix = [
        lambda n: (f"new{n}", f"护肤 批次{n} pages=1"),  # a new search: a paid call each
        lambda n: (f"help{n}", "help"),  # answered in the ack, no TikHub
        lambda n: (f"again{n}", "护肤 pages=2"),  # the same search: paid once, then cached
        lambda n: (f"other{n}", f"美妆 批次{n} pages=1"),
    ]
    commands = [mix[n % len(mix)](n) for n in range(200)]
    post_all(cluster, webs, commands)
    searches = [name for name, text in commands if text != "help"]
    slack = cluster.slack
    slack.wait_for(lambda: all(slack.responses(name) for name in searches), timeout=240)
    arrivals = [r.at for r in cluster.tikhub.requests]
    assert len(arrivals) > 2 * qps  # enough calls to test the limit
    assert busiest_second(arrivals) <= qps


def test_a_worker_stopped_mid_job_leaves_it_to_another_after_the_grace(cluster: Cluster) -> None:
    """The job waits on a TikHub call that never answers; SIGTERM gives it the grace (1 s), then the
    worker exits 0 instead of waiting out the call, and another worker delivers the results."""
    web = cluster.serve()
    worker = cluster.worker(KOLBOT_SHUTDOWN_GRACE_S="1", KOLBOT_LOG_LEVEL="INFO")
    cluster.tikhub.hold()
    cluster.post(web, cluster.requests("held").command("护肤 pages=1"))
    cluster.tikhub.wait_for_calls(1, timeout=30)
    worker.proc.send_signal(signal.SIGTERM)
    code, err = worker.finish(timeout=20)  # the held call's 30 s timeout would be too late
    assert code == 0 and "Traceback" not in err
    assert "will run again on another worker" in "".join(worker.stdout)
    assert "stopping: finishing 1 running jobs, up to KOLBOT_SHUTDOWN_GRACE_S=1 s" in err
    assert "stopped: 1 unfinished jobs will run again on another worker" in err.splitlines()[-1]
    cluster.tikhub.release()
    cluster.worker()
    cluster.slack.wait_for(lambda: bool(cluster.slack.responses("held")), timeout=60)
    assert len(cluster.slack.responses("held")) == 1


def scrape_totals(url: str) -> Counter[tuple[str, tuple[tuple[str, str], ...]]]:
    """A real GET of a Prometheus page: each sample's value by (name, labels), plus each name
    summed over its labels under (name, ())."""
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    totals: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            totals[(sample.name, labels)] += sample.value
            if labels:
                totals[(sample.name, ())] += sample.value
    return totals


def test_a_worker_serves_metrics_with_the_tikhub_spend_of_the_jobs_it_ran(cluster: Cluster) -> None:
    """With the queue `kolbot serve` makes no TikHub call: the worker does, and with
    `KOLBOT_METRICS=on` it serves /metrics on `PORT` (0 here: a free port, which it prints)."""
    web = cluster.serve()
    worker = cluster.worker(KOLBOT_METRICS="on", HOST="127.0.0.1", PORT="0")
    url = admin_url(worker, "kolbot worker") + "/metrics"
    assert scrape_totals(url)[("kolbot_tikhub_calls_total", ())] == 0
    cluster.post(web, cluster.requests("spender").command("护肤 pages=2"))
    cluster.slack.wait_for(lambda: bool(cluster.slack.responses("spender")), timeout=30)
    cluster.wait_until_queue_empty()  # the job ended, and with it the request's trace
    totals = scrape_totals(url)
    calls = len(cluster.tikhub.requests)
    assert calls == 2  # one paid call per page, all made by this worker
    assert totals[("kolbot_tikhub_calls_total", ())] == calls
    assert abs(totals[("kolbot_tikhub_cost_usd_total", ())] - 0.02 * calls) < 1e-9
    requests = ("kolbot_slack_requests_total", (("kind", "command"), ("outcome", "ok")))
    assert totals.get(requests, 0) == 0  # the request was counted by serve, which acked it
    jobs = ("kolbot_jobs_total", (("outcome", "done"), ("task", "search")))
    assert totals[jobs] == 1  # the worker counts the job's run


def admin_url(process: Kolbot, name: str) -> str:
    """The base URL of a worker's or clock's `/healthz` and `/metrics`, from the line it prints."""
    prefix = f"{name}: health on "
    [line] = [line for line in process.stdout if line.startswith(prefix)]
    url = "http://" + line.removeprefix(prefix).strip()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/healthz")
    return url.removesuffix("/healthz")


def test_a_worker_and_a_clock_answer_healthz_and_a_worker_without_its_database_fails_it(
    cluster: Cluster,
) -> None:
    """A probe of `/healthz` sees the worker's database and event loop, and the clock's database
    and tick: 200 while they work, 503 naming the database once it stops answering."""
    clock = cluster.clock(KOLBOT_METRICS="on", HOST="127.0.0.1", PORT="0")
    health = httpx.get(admin_url(clock, "kolbot clock") + "/healthz", timeout=10)
    assert (health.status_code, health.json()) == (200, {"ok": True, "mode": "clock"})
    database = make_url(cluster.database_url)
    with SilentableProxy((database.host or "127.0.0.1", database.port or 5432)) as proxy:
        through_proxy = url_text(database.set(host="127.0.0.1", port=proxy.port))
        worker = cluster.worker(DATABASE_URL=through_proxy, KOLBOT_METRICS="on", HOST="127.0.0.1", PORT="0")
        url = admin_url(worker, "kolbot worker") + "/healthz"
        health = httpx.get(url, timeout=10)
        assert (health.status_code, health.json()) == (200, {"ok": True, "mode": "worker"})
        proxy.silence()
        # The last answer is reused for 2 s; after that the probe's query waits 2 s at most.
        wait_until(lambda: httpx.get(url, timeout=10).status_code == 503, 30, "the worker's health fails")
        down = httpx.get(url, timeout=10).json()
        assert down["ok"] is False and down["problem"].startswith("database")
        worker.proc.kill()


def test_kol_digest_run_through_the_queue_posts_the_digest_exactly_once(cluster: Cluster) -> None:
    """Two web processes, two workers, two clocks: `/kol digest run` is acked by one web process
    (its Slack retry reaches the other and is dropped), queued, run by one worker, and the digest
    reaches its channel once; the clocks, which find nothing due, post nothing."""
    webs = [cluster.serve(), cluster.serve()]
    cluster.worker()
    cluster.worker()
    cluster.clock(KOLBOT_DIGEST_TICK_S="0.5")
    cluster.clock(KOLBOT_DIGEST_TICK_S="0.5")
    slack, channel = cluster.slack, "C0DIGESTRUN"
    # Scheduled half a day from now (the default zone, Asia/Shanghai): the clocks find it not due.
    at = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(hours=12)
    add = cluster.requests("adder", channel_id=channel).command(f'digest add "护肤" daily {at:%H}:00')
    cluster.post(webs[0], add)
    wait_until(lambda: cluster.query("SELECT count(*) FROM digests")[0][0] == 1, 30, "the digest")
    [(short_id,)] = cluster.query("SELECT short_id FROM digests")

    def posts() -> list[dict]:
        return [c.body for c in slack.calls_to("chat.postMessage") if c.body.get("channel") == channel]

    assert posts() == []  # adding it posts nothing to the channel
    run = cluster.requests("runner", channel_id=channel).command(f"digest run {short_id}")
    acked = cluster.post(webs[1], run)
    assert short_id in acked.text  # "Posting digest <id>…", in the ack
    cluster.post(webs[0], run.retried())  # Slack's retry, at the other web process
    slack.wait_for(lambda: bool(posts()), timeout=60)  # a worker posted the digest
    cluster.wait_until_queue_empty()  # every job ended: nothing more is on its way
    [posted] = posts()
    assert "护肤" in json.dumps(posted, ensure_ascii=False)
    assert cluster.query("SELECT status FROM digest_runs") == [("posted",)]
    assert slack.responses("runner") == []  # posted: nothing to tell the user besides the ack


def request_ids(process: Kolbot, line_of: str = " slack request ") -> list[str]:
    """The request ids of the process's request lines (or `job run` lines: `line_of`; its stderr,
    text format) so far."""
    lines = [line.split(line_of, 1)[1] for line in list(process._stderr) if line_of in line]
    return [line.split("request_id=", 1)[1].split(" ", 1)[0] for line in lines]


def test_serve_and_the_worker_log_a_queued_request_under_one_request_id(cluster: Cluster) -> None:
    web_url = cluster.serve(KOLBOT_LOG_LEVEL="INFO")
    [web] = cluster.processes
    worker = cluster.worker(KOLBOT_LOG_LEVEL="INFO")
    cluster.post(web_url, cluster.requests("traced").command("护肤 pages=1"))
    cluster.slack.wait_for(lambda: bool(cluster.slack.responses("traced")), timeout=30)
    wait_until(lambda: bool(request_ids(web)) and bool(request_ids(worker, " job run ")), 30, "both lines")
    [acked], [ran] = request_ids(web), request_ids(worker, " job run ")
    assert len(acked) == 12 and ran == acked
    assert request_ids(worker) == []  # the replay is the job's run, not a second request


def test_a_worker_stopped_while_the_database_is_silent_with_no_job_stops_at_once(cluster: Cluster) -> None:
    """Its sign-off would wait on a database that does not answer; with no job running there is
    nothing to give the grace (10 minutes here) to, and no unfinished job to speak of."""
    database = make_url(cluster.database_url)
    with SilentableProxy((database.host or "127.0.0.1", database.port or 5432)) as proxy:
        through_proxy = url_text(database.set(host="127.0.0.1", port=proxy.port))
        worker = cluster.worker(
            DATABASE_URL=through_proxy, KOLBOT_LOG_LEVEL="INFO", KOLBOT_SHUTDOWN_GRACE_S="600"
        )
        proxy.silence()
        worker.proc.send_signal(signal.SIGTERM)
        code, err = worker.finish(timeout=120)  # well before the grace
    assert code == 0 and "Traceback" not in err
    assert "stopping: finishing 0 running jobs, up to KOLBOT_SHUTDOWN_GRACE_S=600 s" in err
    assert err.splitlines()[-1].endswith(" stopped without waiting for the database: no job was running")
    assert "unfinished" not in err and "unfinished" not in "".join(worker.stdout)
    assert "kolbot worker stopped" in "".join(worker.stdout)
