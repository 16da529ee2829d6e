"""Typed errors that know how to explain themselves to a marketer, in Chinese or English.

Anything a user can see goes through `KolbotError.user_message(lang)`; handlers never show
`str(exc)` of an arbitrary exception.
"""

from __future__ import annotations

from enum import StrEnum

from bot.models import Lang


class KolbotError(Exception):
    """Base class: a failure with a bilingual what-happened and what-to-do."""

    def __init__(self, en: str, zh: str, *, hint_en: str = "", hint_zh: str = "") -> None:
        super().__init__(en)
        self.en, self.zh, self.hint_en, self.hint_zh = en, zh, hint_en, hint_zh

    def user_message(self, lang: Lang) -> str:
        what, hint = (self.zh, self.hint_zh) if lang == "zh" else (self.en, self.hint_en)
        return f"{what}\n{hint}".strip()


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


_UPSTREAM_TEXT: dict[UpstreamKind, tuple[str, str, str, str]] = {
    UpstreamKind.AUTH: (
        "TikHub rejected the API key.",
        "TikHub 拒绝了 API 密钥。",
        "Ask your admin to check TIKHUB_API_KEY.",
        "请管理员检查 TIKHUB_API_KEY 设置。",
    ),
    UpstreamKind.PERMISSION: (
        "The TikHub API key lacks permission for this data.",
        "TikHub API 密钥没有访问该数据的权限。",
        "Ask your admin to enable the Douyin Xingtu scopes for the key in the TikHub dashboard.",
        "请管理员在 TikHub 后台为该密钥开通抖音星图接口权限。",
    ),
    UpstreamKind.BALANCE: (
        "The TikHub account is out of credit.",
        "TikHub 账户余额不足。",
        "Ask your admin to top up the TikHub balance, then try again.",
        "请管理员为 TikHub 账户充值后重试。",
    ),
    UpstreamKind.BAD_REQUEST: (
        "TikHub could not process this request.",
        "TikHub 无法处理这个请求。",
        "Try a simpler keyword; if it keeps failing, tell your admin.",
        "请换一个更简单的关键词；若仍失败，请联系管理员。",
    ),
    UpstreamKind.NOT_FOUND: (
        "TikHub has no data for that creator.",
        "TikHub 没有该达人的数据。",
        "Check the id and try again.",
        "请检查 ID 后重试。",
    ),
    UpstreamKind.RATE_LIMITED: (
        "TikHub is rate-limiting us right now.",
        "TikHub 当前限流。",
        "Wait a minute and try again.",
        "请稍等一分钟后重试。",
    ),
    UpstreamKind.REFUSED: (
        "Xingtu refused to return data for this request (upstream code {code}).",
        "星图暂时拒绝返回数据（上游代码 {code}）。",
        "This is usually temporary: try again in a few minutes.",
        "这通常是暂时的：请几分钟后重试。",
    ),
    UpstreamKind.GATEWAY: (
        "TikHub is temporarily unavailable.",
        "TikHub 暂时不可用。",
        "Try again in a few minutes.",
        "请几分钟后重试。",
    ),
    UpstreamKind.TIMEOUT: (
        "TikHub did not answer in time.",
        "TikHub 响应超时。",
        "Try again, or ask for fewer pages (pages=1).",
        "请重试，或减少页数（pages=1）。",
    ),
    UpstreamKind.CONNECTION: (
        "Could not reach TikHub.",
        "无法连接 TikHub。",
        "Try again shortly; if it persists, tell your admin.",
        "请稍后重试；若持续出现，请联系管理员。",
    ),
    UpstreamKind.BAD_RESPONSE: (
        "TikHub sent an answer we could not read.",
        "TikHub 返回了无法解析的数据。",
        "Try again in a few minutes.",
        "请几分钟后重试。",
    ),
    UpstreamKind.BUDGET: (
        "This request would exceed the upstream call budget.",
        "该请求会超出接口调用预算。",
        "Ask for fewer pages (pages=N).",
        "请减少页数（pages=N）。",
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
        en, zh, hint_en, hint_zh = _UPSTREAM_TEXT[kind]
        code = upstream_code if upstream_code is not None else status
        super().__init__(en.format(code=code), zh.format(code=code), hint_en=hint_en, hint_zh=hint_zh)
        self.kind, self.status, self.upstream_code = kind, status, upstream_code
        self.detail, self.retry_after_s, self.billed = detail, retry_after_s, billed
        # What the failed request spent, retries included (0 for coalesced followers).
        self.upstream_calls, self.cost_usd = upstream_calls, cost_usd

    def __str__(self) -> str:
        return f"UpstreamError({self.kind}, status={self.status}, code={self.upstream_code}): {self.detail}"


class QueryError(KolbotError):
    """A bad argument. `token` is the offending part of the input, shown back to the user."""

    def __init__(self, token: str, en: str, zh: str, *, usage_en: str = "", usage_zh: str = "") -> None:
        super().__init__(en, zh, hint_en=usage_en, hint_zh=usage_zh)
        self.token = token
