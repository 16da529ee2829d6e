"""Keep secrets out of logs and error details.

TikHub echoes the caller's token back (in 401 messages and in 403 `detail.headers.Authorization`),
and any exception text may carry a header, so every log record and every `UpstreamError.detail`
is scrubbed: configured secrets are replaced, as given, percent-encoded or in another letter case,
and well-known token shapes are replaced even when they are not configured (a stale token, a token
from another workspace).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

from bot.observability.outages import record_error
from bot.settings import Settings

MASK = "[REDACTED]"

_GENERIC = [
    (re.compile(r"\b(Bearer)\s+[^\s\"'<>]+", re.IGNORECASE), rf"\1 {MASK}"),
    (re.compile(r"(API token is)\s+[^\s\"'<>]+", re.IGNORECASE), rf"\1 {MASK}"),  # TikHub 401 echo
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"), MASK),  # Slack bot/user/app-level tokens
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), MASK),
    # Bolt logs a request with a bad signature whole: the user's text and its response_url, which
    # can post to the channel for 30 minutes. A wrong signing secret would log every request.
    (re.compile(r"(Invalid request signature detected .*?body: ).*", re.DOTALL), rf"\1{MASK})"),
]


MIN_SECRET_CHARS = 6


class Redactor:
    """Replaces known secrets and generic token patterns in text with `[REDACTED]`."""

    def __init__(self, secrets: Iterable[str | SecretStr | None] = ()) -> None:
        values = {s.get_secret_value() if isinstance(s, SecretStr) else s for s in secrets}
        # A value this short is no real secret, and scrubbing it would garble every line ("s").
        real = [v for v in values if v and len(v) >= MIN_SECRET_CHARS]
        # As echoed in a URL or a form body too (`/` → `%2F`, `+` → `%2B`), in any letter case.
        forms = {form for v in real for form in (v, quote(v, safe=""), quote_plus(v, safe=""))}
        ordered = sorted(forms, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Redactor:
        return cls(
            [
                settings.tikhub_api_key,
                settings.slack_bot_token,
                settings.slack_app_token,
                settings.slack_signing_secret,
            ]
        )

    def __call__(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(MASK, text)
        for pattern, replacement in _GENERIC:
            text = pattern.sub(replacement, text)
        return text


class RedactingFilter(logging.Filter):
    """Rewrites a record in place so that no handler can format a secret.

    The message is rendered with its args and scrubbed; exception and stack text are rendered
    and scrubbed too, and `exc_info` is dropped so no formatter re-renders the raw traceback.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_kolbot_redacted", False):
            return True
        # The exception the record is about, kept for `bot.observability.outages` (args are dropped
        # and the traceback becomes text below).
        record._kolbot_error = record_error(record)
        record.msg, record.args = self.redact(_render(record)), None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record._kolbot_redacted = True
        return True


_installed: RedactingFilter | None = None
_base_factory = logging.getLogRecordFactory()


def install_log_redaction(secrets: Iterable[str | SecretStr | None]) -> RedactingFilter:
    """Scrub every log record from now on; replaces any previous installation.

    The filter sits on the root logger and its handlers, and also on the record factory, so
    records reach handlers added later (Bolt's, pytest's) or on other loggers already scrubbed.
    """
    global _installed
    remove_log_redaction()
    _installed = RedactingFilter(Redactor(secrets))
    root = logging.getLogger()
    root.addFilter(_installed)
    for handler in root.handlers:
        handler.addFilter(_installed)
    logging.setLogRecordFactory(_scrubbing_factory)
    return _installed


def remove_log_redaction() -> None:
    """Undo `install_log_redaction` (tests, or re-configuration with new secrets)."""
    global _installed
    if _installed is None:
        return
    root = logging.getLogger()
    root.removeFilter(_installed)
    for handler in root.handlers:
        handler.removeFilter(_installed)
    logging.setLogRecordFactory(_base_factory)
    _installed = None


def _render(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string must not break the caller's logging call
        return f"{record.msg!s} {record.args!r}"


def _scrubbing_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if _installed is not None:
        _installed.filter(record)
    return record
