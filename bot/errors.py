"""Typed errors that know what to tell a marketer: what happened and what to do next.

An error carries `Text` (a message id and its parameters), not words in a language; the rendering
layer shows it with `bot.cards.errors.error_text(err, lang)`. Handlers never show `str(exc)` of an
arbitrary exception.
"""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import N_, Text

# Slack error codes that mean kolbot's installation in the workspace, not the request or the
# channel, is the problem: retrying cannot help, a Slack admin reinstalling kolbot can.
SLACK_REINSTALL_CODES = frozenset(
    {"token_revoked", "account_inactive", "invalid_auth", "not_authed", "app_uninstalled", "not_installed"}
)


class KolbotError(Exception):
    """Base class: a failure with a what-happened and, usually, a what-to-do."""

    def __init__(self, what: Text, *, hint: Text | None = None) -> None:
        super().__init__(str(what))
        self.what, self.hint = what, hint


class UpstreamKind(StrEnum):
    AUTH = "auth"  # 401
    PERMISSION = "permission"  # 403
    BALANCE = "balance"  # 402
    BAD_REQUEST = "bad_request"  # 400 / 422
    NOT_FOUND = "not_found"  # 404
    RATE_LIMITED = "rate_limited"  # 429 after retries
    REFUSED = "refused"  # base_resp.status_code != 0 inside HTTP 200 (e.g. 10003)
    GATEWAY = "gateway"  # 502/503/504 after retries, HTML bodies
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    BAD_RESPONSE = "bad_response"  # malformed JSON, missing authors
    BUDGET = "budget"  # our own page/cost cap


_UPSTREAM_TEXT: dict[UpstreamKind, tuple[str, str]] = {
    UpstreamKind.AUTH: (
        N_("TikHub rejected the API key."),
        N_("Ask your admin to check TIKHUB_API_KEY."),
    ),
    UpstreamKind.PERMISSION: (
        N_("The TikHub API key lacks permission for this data."),
        N_("Ask your admin to enable the Douyin Xingtu scopes for the key in the TikHub dashboard."),
    ),
    UpstreamKind.BALANCE: (
        N_("The TikHub account is out of credit."),
        N_("Ask your admin to top up the TikHub balance, then try again."),
    ),
    UpstreamKind.BAD_REQUEST: (
        N_("TikHub could not process this request."),
        N_("Check what you typed (the keyword or the creator id); if it keeps failing, tell your admin."),
    ),
    UpstreamKind.NOT_FOUND: (
        N_("TikHub has no data for this request."),
        N_("Check the keyword or the creator id and try again."),
    ),
    UpstreamKind.RATE_LIMITED: (
        N_("TikHub is rate-limiting us right now."),
        N_("Wait a minute and try again."),
    ),
    UpstreamKind.REFUSED: (
        N_("Xingtu refused to return data for this request (upstream code %(code)s)."),
        N_("This is usually temporary: try again in a few minutes."),
    ),
    UpstreamKind.GATEWAY: (
        N_("TikHub is temporarily unavailable."),
        N_("Try again in a few minutes."),
    ),
    UpstreamKind.TIMEOUT: (
        N_("TikHub did not answer in time."),
        N_("Try again in a minute; a search with fewer pages (pages=1) answers sooner."),
    ),
    UpstreamKind.CONNECTION: (
        N_("Could not reach TikHub."),
        N_("Try again shortly; if it persists, tell your admin."),
    ),
    UpstreamKind.BAD_RESPONSE: (
        N_("TikHub sent an answer we could not read."),
        N_("Try again in a few minutes."),
    ),
    UpstreamKind.BUDGET: (
        N_("This request would exceed the upstream call budget."),
        N_("Ask for fewer pages (pages=N)."),
    ),
}


class UpstreamError(KolbotError):
    """A TikHub/Xingtu failure, already classified. `detail` is redacted and for logs only."""

    def __init__(
        self,
        kind: UpstreamKind,
        *,
        status: int | None = None,
        upstream_code: int | None = None,
        detail: str = "",
        retry_after_s: float | None = None,
        billed: bool = False,
        upstream_calls: int = 0,
        cost_usd: float = 0.0,
    ) -> None:
        what, hint = _UPSTREAM_TEXT[kind]
        code = upstream_code if upstream_code is not None else status
        super().__init__(Text(what, code=code), hint=Text(hint))
        self.kind, self.status, self.upstream_code = kind, status, upstream_code
        self.detail, self.retry_after_s, self.billed = detail, retry_after_s, billed
        # What the failed request spent, retries included (0 for coalesced followers).
        self.upstream_calls, self.cost_usd = upstream_calls, cost_usd

    def __str__(self) -> str:
        return f"UpstreamError({self.kind}, status={self.status}, code={self.upstream_code}): {self.detail}"


class QueryError(KolbotError):
    """A bad argument. `token` is the offending part of the input, shown back to the user."""

    def __init__(self, token: str, what: Text, *, usage: Text | None = None) -> None:
        super().__init__(what, hint=usage)
        self.token = token
