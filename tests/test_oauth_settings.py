"""OAuth mode's settings and start-up: all-or-nothing credentials, a required Fernet key, one
clear message (never a value) when something is wrong; and housekeeping's purge of workspaces
removed longer ago than the retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet

from bot.cli import main
from bot.housekeeping import Housekeeping, default_jobs
from bot.services import Services
from bot.settings import Settings
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import oauth_settings

OAUTH_ENV = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret-value",
    "SLACK_STATE_SECRET": "state-secret-value",
}


def start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str, **env: str
) -> str:
    """Run `kolbot <command>` with `env`; it must refuse with exit 2. Returns what it printed."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert all(value not in err for value in env.values() if "secret" in value or "xoxb" in value)
    return err


@pytest.mark.parametrize("missing", sorted(OAUTH_ENV))
def test_half_an_oauth_setup_names_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], missing: str
) -> None:
    env = {k: v for k, v in OAUTH_ENV.items() if k != missing}
    err = start(monkeypatch, capsys, "serve", KOLBOT_SECRET_KEY=Fernet.generate_key().decode(), **env)
    assert f"set {missing}" in err and err.count("\n") <= 2


def test_oauth_without_a_secret_key_does_not_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    err = start(monkeypatch, capsys, "serve", **OAUTH_ENV)
    assert "KOLBOT_SECRET_KEY is required" in err and "encrypts the stored bot tokens" in err


def test_a_malformed_secret_key_is_named_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = Fernet.generate_key().decode()
    err = start(monkeypatch, capsys, "clock", KOLBOT_SECRET_KEY=f"{good},secret-not-a-key")
    assert "KOLBOT_SECRET_KEY (key 2 is not a Fernet key" in err and "Value error" not in err
    assert good not in err and "secret-not-a-key" not in err


def test_a_bot_token_and_oauth_together_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Fernet.generate_key().decode()
    err = start(monkeypatch, capsys, "serve", SLACK_BOT_TOKEN="xoxb-1", KOLBOT_SECRET_KEY=key, **OAUTH_ENV)
    assert "either SLACK_BOT_TOKEN" in err


def test_kolbot_clock_runs_in_oauth_mode_without_a_bot_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {**OAUTH_ENV, "KOLBOT_SECRET_KEY": Fernet.generate_key().decode()}.items():
        monkeypatch.setenv(name, value)
    assert main(["clock", "--once"]) == 0
    assert "nothing due" in capsys.readouterr().out


def test_oauth_mode_needs_no_bot_token_to_serve_or_tick(slack: FakeSlackApi) -> None:
    settings = oauth_settings(slack)
    assert settings.oauth_enabled
    assert settings.missing_for_clock() == [] and settings.missing_for_http() == []
    assert Settings(_env_file=None).missing_for_http() == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    assert Settings(_env_file=None).kolbot_retention_days == 30


@pytest.fixture
def settings(slack: FakeSlackApi) -> Settings:
    return oauth_settings(slack, kolbot_retention_days=7)


def test_housekeeping_purges_expired_workspaces(services: Services) -> None:
    removed = services.searches.save("T0GONE", "C1", "U1", "护肤", "zh")
    kept = services.searches.save("T0STAYS", "C1", "U1", "护肤", "zh")
    services.workspaces.uninstalled("T0GONE", None)
    Housekeeping(default_jobs(services)).run_once()
    assert services.searches.get(removed, "T0GONE") is not None  # within the retention
    with time_machine.travel(datetime.now(UTC) + timedelta(days=8)):
        Housekeeping(default_jobs(services)).run_once()
    assert services.searches.get(removed, "T0GONE") is None
    assert services.searches.get(kept, "T0STAYS") is not None
