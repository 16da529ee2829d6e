"""Smoke test of an installed kolbot wheel, run by scripts/smoke-wheel from a temporary directory.

Usage: python smoke_wheel.py VENV_BIN
Standard library only, and it never imports kolbot: everything goes through the installed
`kolbot` command, as a user would run it. It checks that

1. the `bot` package is imported from the venv, not from a checkout;
2. `kolbot search "护肤" --blocks` prints a Block Kit message (not the plain-text fallback), labelled in
   Chinese from the message catalog the wheel ships;
3. `kolbot serve` (a real process on 127.0.0.1, port 0) answers a correctly signed `/kol 护肤`
   with a blocks message posted to a fake `response_url`, served by a fake Slack Web API here;
4. the default SQLite database was created under ./data in the working directory.

Every wait is for an exact event (a line on stdout, a recorded POST), bounded by a timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SECRET = "smoke-signing-secret"
BOT_TOKEN = "xoxb-smoke-bot-token"
QUERY = "护肤"
TIMEOUT_S = 120.0
LISTENING = re.compile(r"^kolbot listening on (?P<host>[^\s:]*):(?P<port>\d+)/")  # HOST:PORT/slack/events


class FakeSlack(ThreadingHTTPServer):
    """The Slack Web API (`/api/<method>`, every call `ok`) and `response_url`s (`/respond/<name>`)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SlackHandler)
        self.responses: queue.Queue[dict[str, Any]] = queue.Queue()
        self.api_calls: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _SlackHandler(BaseHTTPRequestHandler):
    server: FakeSlack

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/respond/"):
            self.server.responses.put(json.loads(body))
            self._reply({"ok": True})
            return
        method = self.path.removeprefix("/api/")
        self.server.api_calls.append(method)
        answer: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            answer |= {"team_id": "T0SMOKE", "user_id": "U0KOLBOT", "bot_id": "B0KOLBOT", "team": "Smoke"}
        self._reply(answer)

    def _reply(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def fail(message: str) -> None:
    print(f"smoke: FAIL: {message}", file=sys.stderr)
    raise SystemExit(1)


def kolbot_env(slack: FakeSlack) -> dict[str, str]:
    """This process's environment without kolbot settings, plus the fake Slack; demo data, SQLite."""
    prefixes = ("SLACK_", "TIKHUB_", "KOLBOT_", "DATABASE_URL", "PORT", "HOST")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{slack.url}/api/",
        "PORT": "0",
        "HOST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
        "NO_PROXY": "127.0.0.1,localhost",  # every address here is loopback
        "no_proxy": "127.0.0.1,localhost",
    }
    return env


def check_installed_package(bin_dir: Path, env: dict[str, str]) -> None:
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import bot; print(bot.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT_S,
    ).stdout.strip()
    if "site-packages" not in where or not where.startswith(str(bin_dir.parent)):
        fail(f"bot is imported from {where}, not from the wheel installed in {bin_dir.parent}")
    print(f"smoke: bot imported from {where}")


def check_search_blocks(bin_dir: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(bin_dir / "kolbot"), "search", QUERY, "--blocks"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    if done.returncode != 0:
        fail(f"kolbot search exited {done.returncode}:\n{done.stderr}")
    message = json.loads(done.stdout)
    if not message.get("blocks") or "failed to render" in done.stderr:
        fail(f"kolbot search printed the plain-text fallback:\n{done.stdout[:2000]}\n{done.stderr}")
    if "粉丝" not in done.stdout:  # the Chinese card's labels come from the packaged message catalog
        fail(f"kolbot search printed no Chinese labels: is bot/locale in the wheel?\n{done.stdout[:2000]}")
    print(f"smoke: kolbot search --blocks printed {len(message['blocks'])} blocks, labelled in Chinese")


def signed_command(text: str, response_url: str) -> tuple[bytes, dict[str, str]]:
    """A slash command as Slack sends it: form body, `v0` HMAC-SHA256 over `v0:{ts}:{body}`."""
    body = urlencode(
        {
            "team_id": "T0SMOKE",
            "team_domain": "smoke",
            "channel_id": "C0SMOKE",
            "channel_name": "smoke",
            "user_id": "U0SMOKE",
            "user_name": "smoke",
            "command": "/kol",
            "text": text,
            "api_app_id": "A0KOLBOT",
            "response_url": response_url,
            "trigger_id": "1.2.smoke",
        }
    )
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }
    return body.encode(), headers


def wait_for_port(server: subprocess.Popen[str]) -> int:
    """The port `kolbot serve` prints once it listens (its stdout is read on a thread, bounded)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            fail("kolbot serve did not start listening in time")
        if line is None:
            fail(f"kolbot serve exited {server.wait()} before listening")
        assert line is not None
        if match := LISTENING.match(line):
            if match["host"] != "127.0.0.1":
                fail(f"kolbot serve listens on {match['host']}, not HOST=127.0.0.1")
            return int(match["port"])


def check_serve(bin_dir: Path, env: dict[str, str], slack: FakeSlack, log_path: Path) -> None:
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(bin_dir / "kolbot"), "serve"], env=env, stdout=subprocess.PIPE, stderr=log, text=True
        )
    try:
        port = wait_for_port(server)
        print(f"smoke: kolbot serve listening on 127.0.0.1:{port}")
        body, headers = signed_command(QUERY, f"{slack.url}/respond/r1")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers, method="POST"
        )
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(request, timeout=TIMEOUT_S) as answer:
            if answer.status != 200:
                fail(f"/kol {QUERY} got HTTP {answer.status}")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                posted = slack.responses.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                fail(f"no blocks message reached response_url; server log:\n{log_path.read_text()}")
            if posted.get("blocks"):
                break
            if "failed to render" in log_path.read_text():
                fail(f"a card fell back to plain text:\n{log_path.read_text()}")
        print(f"smoke: /kol {QUERY} posted {len(posted['blocks'])} blocks to response_url")
    finally:
        server.terminate()
        server.wait(timeout=TIMEOUT_S)
    if "failed to render" in log_path.read_text():
        fail(f"a card fell back to plain text:\n{log_path.read_text()}")


def main() -> None:
    bin_dir = Path(sys.argv[1]).resolve()
    work = Path.cwd()
    with FakeSlack() as slack:
        threading.Thread(target=slack.serve_forever, daemon=True).start()
        env = kolbot_env(slack)
        check_installed_package(bin_dir, env)
        check_search_blocks(bin_dir, env)
        check_serve(bin_dir, env, slack, work / "serve.log")
        slack.shutdown()
    if not (work / "data" / "kolbot.db").is_file():
        fail(f"the default database is not in ./data under the working directory {work}")
    print("smoke: the default database is ./data/kolbot.db in the working directory")
    print("smoke: the installed wheel works (4 checks)")


if __name__ == "__main__":
    main()
