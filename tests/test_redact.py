"""Secrets never reach text or logs: configured values and generic token shapes."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from rich.console import Console
from rich.logging import RichHandler

from bot.redact import MASK, RedactingFilter, Redactor, install_log_redaction, remove_log_redaction
from bot.settings import Settings

SECRET = "tk-9f8e7d6c5b4a"


@pytest.fixture
def redaction() -> Iterator[RedactingFilter]:
    installed = install_log_redaction([SECRET])
    yield installed
    remove_log_redaction()


def test_configured_secrets_are_replaced_longest_first() -> None:
    redact = Redactor(["abc123", SecretStr("abc123-long"), None, ""])
    assert redact("x abc123-long y abc123 z") == f"x {MASK} y {MASK} z"


@pytest.mark.parametrize(
    "echo",
    ["Kx9/Tq+7zzAbC==", "Kx9%2FTq%2B7zzAbC%3D%3D", "Kx9%2FTq%2B7zzAbC%3d%3d", "KX9/TQ+7ZZABC=="],
    ids=["as given", "percent-encoded", "lower-case escapes", "upper-cased"],
)
def test_a_configured_secret_is_replaced_however_it_is_echoed(echo: str) -> None:
    assert Redactor(["Kx9/Tq+7zzAbC=="])(f"401 body: token={echo}&x=1") == f"401 body: token={MASK}&x=1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer a.b/c+d==", f"Authorization: Bearer {MASK}"),
        (
            '{"Authorization": "Bearer s3cr3t", "Host": "api"}',
            f'{{"Authorization": "Bearer {MASK}", "Host": "api"}}',
        ),
        ("token xoxb-1234-5678-AbCd here", f"token {MASK} here"),
        ("xoxp-1-2-3 and xapp-1-A0B-99-ff", f"{MASK} and {MASK}"),
        (
            "Invalid API token, your submitted API token is abc.def. Please",
            f"Invalid API token, your submitted API token is {MASK} Please",
        ),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_generic_token_shapes_are_replaced_without_configuration(text: str, expected: str) -> None:
    assert Redactor()(text) == expected


def test_redactor_from_settings_knows_every_secret() -> None:
    secrets = ["tikhub-key-1", "xoxb-bot", "xapp-app", "signing-secret-1"]
    settings = Settings(
        _env_file=None,
        tikhub_api_key=secrets[0],
        slack_bot_token=secrets[1],
        slack_app_token=secrets[2],
        slack_signing_secret=secrets[3],
    )
    assert Redactor.from_settings(settings)(" ".join(secrets)) == " ".join([MASK] * 4)


def test_log_messages_and_args_are_scrubbed(redaction, caplog) -> None:
    logging.getLogger("kolbot.some.module").warning("calling with %s", SECRET)
    logging.getLogger("kolbot.some.module").warning("key=%(key)s", {"key": SECRET})
    assert SECRET not in caplog.text
    assert caplog.text.count(MASK) == 2
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def test_exception_text_is_scrubbed(redaction, caplog) -> None:
    try:
        raise RuntimeError(f"upstream said: Bearer {SECRET}")
    except RuntimeError:
        logging.getLogger("kolbot").exception("fetch failed")
    assert SECRET not in caplog.text
    assert "RuntimeError: upstream said: Bearer [REDACTED]" in caplog.text


def test_handlers_on_non_propagating_loggers_are_covered(redaction) -> None:
    stream = io.StringIO()
    logger = logging.getLogger("kolbot.isolated")
    logger.propagate, handler = False, logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        logger.error("token %s", SECRET)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == f"token {MASK}\n"


def test_rich_tracebacks_cannot_render_the_raw_exception(redaction) -> None:
    stream = io.StringIO()
    logger = logging.getLogger("kolbot.rich")
    logger.propagate, handler = False, RichHandler(console=Console(file=stream), rich_tracebacks=True)
    logger.addHandler(handler)
    try:
        raise RuntimeError(f"token {SECRET}")
    except RuntimeError:
        logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert "failed" in stream.getvalue() and SECRET not in stream.getvalue()


def test_a_bad_format_string_does_not_break_logging(redaction, caplog) -> None:
    logging.getLogger("kolbot").warning("%d items", SECRET)
    assert SECRET not in caplog.text and MASK in caplog.text


def test_filter_scrubs_records_created_elsewhere() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "auth %s", (f"Bearer {SECRET}",), None)
    assert RedactingFilter(Redactor([SECRET])).filter(record)
    assert record.getMessage() == f"auth Bearer {MASK}"


def test_remove_restores_plain_logging(caplog) -> None:
    install_log_redaction([SECRET])
    remove_log_redaction()
    logging.getLogger("kolbot").warning("key %s", SECRET)
    assert SECRET in caplog.text


def test_a_tiny_configured_value_does_not_garble_every_line() -> None:
    assert Redactor(["s", "verylongsecretvalue"])("slack_sdk: verylongsecretvalue") == "slack_sdk: [REDACTED]"
