"""A strict fake of the Slack Web API and of `response_url` endpoints, served over real HTTP.

`FakeSlackApi` runs a `ThreadingHTTPServer` on 127.0.0.1, port 0, in a daemon thread. Point a
`WebClient(base_url=fake.api_url)` at it and give payloads `response_url=fake.response_url(...)`.
Every request is recorded as a `SlackCall`; canned answers mimic Slack's shapes; errors are
injected per method with `fail()` (`ok: false`) or `throttle()` (HTTP 429 + Retry-After).
Unknown methods answer 404 and make `close()` raise, so a new API call is never missed.

Extend it by adding a method to `_CANNED` below, or per test with `fake.on(method, handler)`.

Many workspaces: `add_workspace(team_id)` gives a workspace its own bot token and OAuth `code`;
`oauth.v2.access` (with the client id and secret of `oauth_client`) exchanges the code for the
token, `auth.test` answers for the token's workspace, and every call records the token it used
(`SlackCall.token`). `auth.revoke` and `revoke()` make a token answer `token_revoked`.

Conversations: messages posted with chat.postMessage and files shared by
files.completeUploadExternal are kept (`messages(channel)`, with their metadata and files), and
conversations.history / conversations.replies serve them as Slack does: only messages after
`oldest` (and before `latest`), history newest first and without thread replies, replies the
thread's parent then its replies oldest first, `limit` per page with `has_more` and a
`response_metadata.next_cursor`, and message metadata only with `include_all_metadata`. A
message's `ts` is the wall clock's second (frozen or moved by time_machine like the app's) and a
counter, so `oldest=` windows from the app's clock select as they would in Slack.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

JsonDict = dict[str, Any]
MethodHandler = Callable[["FakeSlackApi", JsonDict], JsonDict]

TEAM_ID = "T0TEST"
BOT_USER_ID = "U0KOLBOT"
BOT_ID = "B0KOLBOT"
APP_ID = "A0KOLBOT"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"
_NO_BEARER = {"oauth.v2.access"}  # authenticated with the app's client id and secret instead

# Form fields that slack_sdk sends as JSON strings; decoded so tests can inspect them.
_JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")
_RESPONSE_PATH = re.compile(r"^/response/(?P<name>[\w.-]+)$")
_UPLOAD_PATH = re.compile(r"^/upload/(?P<file_id>\w+)$")


@dataclass(frozen=True)
class SlackCall:
    """One request received by the fake: `path` like "/chat.postMessage" or "/response/r1"."""

    path: str
    body: JsonDict
    auth: str | None
    raw: bytes = b""
    received_at: float = field(default_factory=time.monotonic)  # when the fake got it (pacing checks)

    @property
    def method(self) -> str:
        return self.path.lstrip("/")

    @property
    def token(self) -> str | None:
        """The bearer token the call used."""
        return self.auth.removeprefix("Bearer ") if self.auth and self.auth.startswith("Bearer ") else None


@dataclass(frozen=True)
class FakeWorkspace:
    """A workspace kolbot can be installed in: `code` is what Slack's redirect would carry."""

    team_id: str
    bot_token: str
    code: str
    enterprise_id: str | None = None
    org_wide: bool = False  # an Enterprise Grid org-wide install

    @property
    def url(self) -> str:
        return f"https://{self.team_id.lower()}.slack.com/"


@dataclass
class _Fault:
    error: str
    status: int = 200
    retry_after: int | None = None


@dataclass
class _State:
    calls: list[SlackCall] = field(default_factory=list)
    faults: dict[str, deque[_Fault]] = field(default_factory=lambda: defaultdict(deque))
    unknown: list[str] = field(default_factory=list)
    handlers: dict[str, MethodHandler] = field(default_factory=dict)
    workspaces: dict[str, FakeWorkspace] = field(default_factory=dict)  # by bot token
    revoked: set[str] = field(default_factory=set)
    messages: dict[str, list[JsonDict]] = field(default_factory=lambda: defaultdict(list))  # by channel


class FakeSlackApi:
    """The fake server. Use as a context manager, or call `close()`."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.RLock())
        self._state = _State()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    # -- addresses -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """For `WebClient(base_url=...)` / `SLACK_API_URL` (trailing slash included)."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base_url}/response/{name}"

    # -- behaviour -------------------------------------------------------------------
    def fail(self, method: str, error: str, *, times: int = 1, status: int = 200) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error}`, HTTP
        `status` (Slack's refusals are 200; its outages 5xx)."""
        self._add_faults(method, _Fault(error, status=status), times)

    def refuse_responses(self, error: str, *, status: int = 404, times: int = 1) -> None:
        """Answer the next `times` response_url posts as Slack refuses one: `status` and a one-word
        body (`expired_url`, `used_url` with 404; `invalid_blocks`, `msg_too_long` with 400)."""
        self._add_faults("response", _Fault(error, status=status), times)

    def throttle(self, method: str, *, retry_after: int = 0, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and `Retry-After`."""
        self._add_faults(method, _Fault("ratelimited", status=429, retry_after=retry_after), times)

    def on(self, method: str, handler: MethodHandler) -> None:
        """Serve `method` with `handler(fake, body) -> response dict` (overrides the canned one)."""
        with self._cond:
            self._state.handlers[method] = handler

    def add_workspace(
        self, team_id: str, *, enterprise_id: str | None = None, org_wide: bool = False
    ) -> FakeWorkspace:
        """A workspace with its own bot token, installable with its OAuth `code` (again for the same
        team: a reinstall, with a new token)."""
        n = next(self._ts)
        workspace = FakeWorkspace(
            team_id=team_id,
            bot_token=f"xoxb-{team_id.lower()}-{n}",
            code=f"code-{team_id.lower()}-{n}",
            enterprise_id=enterprise_id,
            org_wide=org_wide,
        )
        with self._cond:
            self._state.workspaces[workspace.bot_token] = workspace
        return workspace

    def revoke(self, token: str) -> None:
        """From now on calls with `token` answer `token_revoked` (an uninstall)."""
        with self._cond:
            self._state.revoked.add(token)

    def workspace_of(self, token: str | None) -> FakeWorkspace | None:
        with self._cond:
            return self._state.workspaces.get(token or "")

    def next_ts(self) -> str:
        """A fresh message ts: this second by the wall clock, and a counter (unique, increasing)."""
        n = next(self._ts)
        return f"{int(time.time())}.{n:06d}"

    def keep(self, channel: str, message: JsonDict) -> None:
        """Add `message` to `channel`'s history (as a post to Slack does)."""
        with self._cond:
            self._state.messages[channel].append(message)

    def messages(self, channel: str) -> list[JsonDict]:
        """`channel`'s messages, oldest first, thread replies included."""
        with self._cond:
            return list(self._state.messages.get(channel, []))

    # -- inspection ------------------------------------------------------------------
    @property
    def calls(self) -> list[SlackCall]:
        with self._cond:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[SlackCall]:
        """Calls of one API method ("chat.postMessage"), or "response" for all response_url posts."""
        if method == "response":
            return [c for c in self.calls if _RESPONSE_PATH.match(c.path)]
        return [c for c in self.calls if c.path == f"/api/{method}"]

    def responses(self, name: str | None = None) -> list[JsonDict]:
        """Bodies posted to response_url(name) (or to any response_url)."""
        return [c.body for c in self.calls_to("response") if name is None or c.path == f"/response/{name}"]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Block until `predicate()` holds (re-checked on every request); AssertionError on timeout."""
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                seen = [c.path for c in self._state.calls]
                raise AssertionError(f"condition not met within {timeout}s; Slack calls so far: {seen}")

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[SlackCall]:
        self.wait_for(lambda: len(self.calls_to(method)) >= count, timeout)
        return self.calls_to(method)

    def reset(self) -> None:
        with self._cond:
            self._state = _State()

    # -- lifecycle -------------------------------------------------------------------
    def close(self, *, check: bool = True) -> None:
        """Stop the server; fail loudly if any unknown path was called."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if check and self._state.unknown:
            raise AssertionError(f"the app called unknown Slack paths: {self._state.unknown}")

    def __enter__(self) -> FakeSlackApi:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.close(check=exc_type is None)

    # -- request handling (server threads) ------------------------------------------
    def _add_faults(self, method: str, fault: _Fault, times: int) -> None:
        with self._cond:
            self._state.faults[method].extend([fault] * times)

    def _record(self, call: SlackCall) -> None:
        with self._cond:
            self._state.calls.append(call)
            self._cond.notify_all()

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            queue = self._state.faults.get(method)
            return queue.popleft() if queue else None

    def _answer(self, call: SlackCall) -> tuple[int, dict[str, str], bytes]:
        if _RESPONSE_PATH.match(call.path) or _UPLOAD_PATH.match(call.path):
            self._record(call)
            refused = self._take_fault("response") if _RESPONSE_PATH.match(call.path) else None
            if refused is not None:
                return refused.status, {"Content-Type": "text/plain"}, refused.error.encode()
            return 200, {"Content-Type": "text/plain"}, b"ok"
        method = call.path.removeprefix("/api/")
        with self._cond:
            handler = self._state.handlers.get(method) or _CANNED.get(method)
            if handler is None or not call.path.startswith("/api/"):
                self._state.unknown.append(call.path)
                self._cond.notify_all()
                return 404, {"Content-Type": "application/json"}, b'{"ok": false, "error": "unknown_method"}'
        self._record(call)
        return self._api_answer(method, handler, call)

    def _api_answer(
        self, method: str, handler: MethodHandler, call: SlackCall
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if method in _NO_BEARER:
            if not _client_credentials(call):
                return 200, headers, b'{"ok": false, "error": "invalid_client_id"}'
        elif not (call.auth or "").startswith(("Bearer xox", "Bearer xapp-")):
            return 200, headers, b'{"ok": false, "error": "not_authed"}'
        elif call.token in self._state.revoked:
            return 200, headers, b'{"ok": false, "error": "token_revoked"}'
        if method in ("auth.test", "auth.revoke"):
            body = {**call.body, "_token": call.token}  # these answer about the calling token
            call = SlackCall(call.path, body, call.auth, call.raw, call.received_at)
        fault = self._take_fault(method)
        if fault is not None:
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            return fault.status, headers, json.dumps({"ok": False, "error": fault.error}).encode()
        return 200, headers, json.dumps(handler(self, call.body), ensure_ascii=False).encode()


# -- canned Web API answers --------------------------------------------------------------


def _client_credentials(call: SlackCall) -> bool:
    """The app's client id and secret, as HTTP basic auth or form fields."""
    if call.auth and call.auth.startswith("Basic "):
        return base64.b64decode(call.auth.removeprefix("Basic ")).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"
    return (call.body.get("client_id"), call.body.get("client_secret")) == (CLIENT_ID, CLIENT_SECRET)


def _auth_test(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    workspace = fake.workspace_of(body.get("_token"))
    if workspace is None:
        workspace = FakeWorkspace(TEAM_ID, "", "")
        url = "https://kolbot-test.slack.com/"
    else:
        url = workspace.url
    return {
        "ok": True,
        "url": url,
        "team": f"Team {workspace.team_id}",
        "user": "kolbot",
        "team_id": None if workspace.org_wide else workspace.team_id,
        "enterprise_id": workspace.enterprise_id,
        "is_enterprise_install": workspace.org_wide,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
    }


def _auth_revoke(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    fake.revoke(body["_token"])
    return {"ok": True, "revoked": True}


def _oauth_access(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    """oauth.v2.access: the code of an `add_workspace` workspace becomes its bot token."""
    with fake._cond:
        found = [w for w in fake._state.workspaces.values() if w.code == body.get("code")]
    if not found:
        return {"ok": False, "error": "invalid_code"}
    workspace = found[0]
    team = None if workspace.org_wide else {"id": workspace.team_id, "name": f"Team {workspace.team_id}"}
    enterprise = {"id": workspace.enterprise_id, "name": "Grid"} if workspace.enterprise_id else None
    return {
        "ok": True,
        "access_token": workspace.bot_token,
        "token_type": "bot",
        "scope": "commands,chat:write",
        "bot_user_id": BOT_USER_ID,
        "app_id": APP_ID,
        "team": team,
        "enterprise": enterprise,
        "is_enterprise_install": workspace.org_wide,
        "authed_user": {"id": "U0INSTALLER"},
    }


def _post_message(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    ts = fake.next_ts()
    message = {"type": "message", "ts": ts, "text": body.get("text", ""), "blocks": body.get("blocks", [])}
    if body.get("thread_ts"):
        message["thread_ts"] = body["thread_ts"]
    fake.keep(str(body.get("channel")), {**message, "bot_id": BOT_ID, "metadata": body.get("metadata")})
    return {"ok": True, "channel": body.get("channel"), "ts": ts, "message": message}


def _update(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts"), "text": body.get("text", "")}


def _post_ephemeral(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    return {"ok": True, "message_ts": fake.next_ts()}


def _views_open(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    view = body.get("view") or {}
    return {"ok": True, "view": {"id": f"V{fake.next_ts().replace('.', '')}", **view}}


def _views_publish(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    view = body.get("view") or {}
    return {"ok": True, "view": {"id": f"V{fake.next_ts().replace('.', '')}", "type": "home", **view}}


def _upload_url(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    file_id = f"F{fake.next_ts().replace('.', '')}"
    return {"ok": True, "upload_url": f"{fake.base_url}/upload/{file_id}", "file_id": file_id}


def _complete_upload(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    """Shares the files in `channel_id` (a message carrying them, in `thread_ts` if given)."""
    files = [{"id": f.get("id"), "title": f.get("title", "")} for f in body.get("files") or []]
    if body.get("channel_id"):
        message = {"type": "message", "ts": fake.next_ts(), "text": body.get("initial_comment", "")}
        thread = {"thread_ts": body["thread_ts"]} if body.get("thread_ts") else {}
        shared = {**message, **thread, "bot_id": BOT_ID, "files": files, "upload": True}
        fake.keep(str(body["channel_id"]), shared)
    return {"ok": True, "files": files}


def _history(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    """conversations.history: the channel's messages (no thread replies), newest first."""
    kept = [m for m in fake.messages(body.get("channel", "")) if m.get("thread_ts", m["ts"]) == m["ts"]]
    return _page(list(reversed(kept)), body)


def _replies(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    """conversations.replies: a thread's parent, then its replies, oldest first."""
    ts = body.get("ts")
    thread = [m for m in fake.messages(body.get("channel", "")) if ts in (m["ts"], m.get("thread_ts"))]
    if not thread:
        return {"ok": False, "error": "thread_not_found"}
    return _page(thread, body)


def _page(messages: list[JsonDict], body: JsonDict) -> JsonDict:
    """One page of `messages` in (`oldest`, `latest`), from `cursor` (an offset), `limit` long."""
    oldest, latest = float(body.get("oldest") or 0), float(body.get("latest") or "inf")
    shown = [m for m in messages if oldest < float(m["ts"]) < latest]
    if str(body.get("include_all_metadata")).lower() not in ("1", "true"):
        shown = [{k: v for k, v in m.items() if k != "metadata"} for m in shown]
    start, limit = int(body.get("cursor") or 0), int(body.get("limit") or 100)
    more = start + limit < len(shown)
    page = [{k: v for k, v in m.items() if v is not None} for m in shown[start : start + limit]]
    return {
        "ok": True,
        "messages": page,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def _permalink(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    channel, ts = body.get("channel", ""), str(body.get("message_ts", ""))
    return {
        "ok": True,
        "channel": channel,
        "permalink": f"https://kolbot-test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
    }


def _ok(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    return {"ok": True}


def _reactions_get(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    message = {"type": "message", "ts": body.get("timestamp"), "reactions": []}
    return {"ok": True, "type": "message", "channel": body.get("channel"), "message": message}


def _conversations_info(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    channel = body.get("channel", "")
    return {
        "ok": True,
        "channel": {"id": channel, "name": f"chan-{channel.lower()}", "is_channel": True, "is_member": True},
    }


def _users_info(fake: FakeSlackApi, body: JsonDict) -> JsonDict:
    user = body.get("user", "")
    profile = {"display_name": f"user-{user.lower()}", "real_name": f"User {user}"}
    found = {"id": user, "name": f"user-{user.lower()}", "tz": "Asia/Shanghai", "profile": profile}
    if str(body.get("include_locale")).lower() in ("1", "true"):
        found["locale"] = "en-US"
    return {"ok": True, "user": found}


_CANNED: dict[str, MethodHandler] = {
    "auth.test": _auth_test,
    "auth.revoke": _auth_revoke,
    "oauth.v2.access": _oauth_access,
    "chat.postMessage": _post_message,
    "chat.update": _update,
    "chat.postEphemeral": _post_ephemeral,
    "chat.getPermalink": _permalink,
    "views.open": _views_open,
    "views.publish": _views_publish,
    "files.getUploadURLExternal": _upload_url,
    "files.completeUploadExternal": _complete_upload,
    "reactions.add": _ok,
    "reactions.remove": _ok,
    "reactions.get": _reactions_get,
    "conversations.info": _conversations_info,
    "conversations.history": _history,
    "conversations.replies": _replies,
    "users.info": _users_info,
}


# -- HTTP plumbing -----------------------------------------------------------------------


def _parse_body(raw: bytes, content_type: str) -> JsonDict:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    if "x-www-form-urlencoded" not in content_type:
        return {}
    body: JsonDict = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
    for key in _JSON_FIELDS:
        if isinstance(body.get(key), str) and body[key][:1] in "[{":
            body[key] = json.loads(body[key])
    return body


def _make_handler(fake: FakeSlackApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            # Upload URLs receive the file's raw bytes (kept in `SlackCall.raw`), not a form.
            is_upload = _UPLOAD_PATH.match(self.path.split("?")[0]) is not None
            body = {} if is_upload else _parse_body(raw, self.headers.get("Content-Type", ""))
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}  # a GET's arguments
            path, auth = self.path.split("?")[0], self.headers.get("Authorization")
            call = SlackCall(path, {**query, **body}, auth, raw)
            status, headers, payload = fake._answer(call)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST  # a GET to an API method still counts; unknown paths still fail loudly

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler
