"""Logging for every kolbot process, configured once from `KOLBOT_LOG_LEVEL` and `KOLBOT_LOG_FORMAT`.

One handler on the root logger writes to standard error, as text or as one JSON object per line
(python-json-logger). Each record carries `request_id` (the Slack request it belongs to, `-`
outside one). Secrets never reach the output: `install_log_redaction` scrubs every record when it
is made (`build_services`), and this handler's formatter scrubs its own output again, which also
covers fields passed as `extra` (set after the record is made).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from bot.observability.outages import DatabaseOutages
from bot.observability.trace import current_trace
from bot.redact import Redactor
from bot.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ("levelname", "name", "request_id", "message")
JSON_RENAMES = {"levelname": "level", "name": "logger"}
# Chatty at INFO: one line per HTTP call (TikHub URLs) or per connection.
# Below WARNING these log every request or job with its arguments (a job's carry the Slack body:
# the user's text and response_url), so they speak at INFO only when kolbot is at DEBUG.
# alembic.runtime.plugins: seven "setup plugin …" lines before every migration, plumbing only.
# alembic.runtime.migration: "Running upgrade" lines; `kolbot migrate` shows them, a first search doesn't.
MIGRATION_LOGGER = "alembic.runtime.migration"
QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "urllib3",
    "procrastinate",
    "alembic.runtime.plugins",
    "matplotlib",  # "generated new fontManager" on a machine's first chart
    MIGRATION_LOGGER,
)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is at the time (pytest and daemons swap it). A database
    outage is written as one short warning per kind per minute (`DatabaseOutages`)."""

    def __init__(self, outages: DatabaseOutages | None = None) -> None:
        super().__init__(sys.stderr)
        self.outages = outages or DatabaseOutages()

    def emit(self, record: logging.LogRecord) -> None:
        line = self.outages.rewrite(record)  # under the handler's lock: counted one at a time
        if line is not None:
            super().emit(line)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class RequestIdFilter(logging.Filter):
    """Adds `request_id`: the current Slack request's, or `-`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            trace = current_trace()
            record.request_id = trace.request_id if trace else "-"
        return True


class RedactedFormatter(logging.Formatter):
    """Formats with `inner`, then scrubs secrets from the whole output."""

    def __init__(self, inner: logging.Formatter, redact: Redactor) -> None:
        super().__init__()
        self.inner, self.redact = inner, redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(self.inner.format(record))


def make_formatter(fmt: str, redact: Redactor) -> logging.Formatter:
    """`text` (one readable line) or `json` (one object per line, `extra` fields as keys)."""
    if fmt == "json":
        inner: logging.Formatter = JsonFormatter(
            list(JSON_FIELDS),
            rename_fields=JSON_RENAMES,
            timestamp="time",  # ISO 8601, UTC
            reserved_attrs=[*RESERVED_ATTRS, "_kolbot_redacted", "_kolbot_error"],
            json_ensure_ascii=False,
        )
    else:
        inner = logging.Formatter(TEXT_FORMAT)
    return RedactedFormatter(inner, redact)


_handler: logging.Handler | None = None


def configure_logging(settings: Settings) -> logging.Handler:
    """Install kolbot's one root handler (replacing an earlier one) and the level.

    The record-level redaction is installed by `build_services`, which every process calls; this
    handler's formatter redacts its own output regardless.
    """
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    handler = StderrHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(make_formatter(settings.kolbot_log_format, Redactor.from_settings(settings)))
    root.addHandler(handler)
    root.setLevel(settings.kolbot_log_level)
    level = logging.getLevelName(settings.kolbot_log_level)
    quiet = level if level <= logging.DEBUG else max(level, logging.WARNING)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    _handler = handler
    return handler
