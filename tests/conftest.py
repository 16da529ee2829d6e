"""Test-wide isolation: no real Slack/TikHub credentials or developer `.env` leak into tests."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.db_fixtures"]

_ENV_PREFIXES = ("SLACK_", "TIKHUB_", "KOLBOT_", "DATABASE_URL", "PORT")
_KEEP = {"KOLBOT_TEST_DATABASE_URL", "KOLBOT_UPDATE_GOLDEN"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES) and name not in _KEEP:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KOLBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no developer .env is picked up
    from bot.settings import get_settings

    get_settings.cache_clear()
