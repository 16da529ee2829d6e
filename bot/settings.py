"""Runtime settings, read from the environment and an optional `.env` file.

Every setting is documented in the README table; keep the two in step.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "data"


class PriceUnit(StrEnum):
    """Unit of the raw price fields in search results. Real data says yuan (see README)."""

    YUAN = "yuan"
    FEN = "fen"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = 3000
    kolbot_command: str = "/kol"
    kolbot_results_in_channel: bool = True  # False: results cards only visible to the requester

    # TikHub
    tikhub_api_key: SecretStr | None = None
    tikhub_base_url: str = "https://api.tikhub.io"
    tikhub_rate_limit_per_s: float = Field(5.0, gt=0)
    tikhub_connect_timeout_s: float = Field(5.0, gt=0)
    tikhub_read_timeout_s: float = Field(30.0, gt=0)
    tikhub_max_retries: int = Field(3, ge=0, le=10)
    tikhub_cost_per_call_usd: float = 0.02

    # Search
    kolbot_price_unit: PriceUnit = PriceUnit.YUAN
    kolbot_cache_ttl_s: int = Field(6 * 3600, ge=0)
    kolbot_default_pages: int = Field(3, ge=1)
    kolbot_max_pages: int = Field(10, ge=1)
    kolbot_default_top: int = Field(10, ge=1, le=20)
    kolbot_lang: str = "auto"
    # Slow work after a Slack ack (searches, deep-dives, exports) runs on this many threads; the
    # TikHub rate limit means more in flight gains nothing.
    kolbot_workers: int = Field(16, ge=1)
    # An audience screen costing more than this (USD; cached portraits are free) asks first.
    kolbot_screen_confirm_usd: float = Field(0.20, ge=0)

    # Storage
    database_url: str | None = None
    kolbot_data_dir: Path = DEFAULT_DATA_DIR

    # Scheduled digests
    kolbot_digest_tz: str = "Asia/Shanghai"  # default zone of new digests until `/kol digest tz` sets one
    kolbot_digest_min_interval_min: int = Field(60, ge=1)  # most frequent schedule allowed
    kolbot_digest_max_pages: int = Field(3, ge=1)  # page cap per digest run
    kolbot_digest_followers_pct: float = Field(0.05, gt=0)  # follower change worth reporting…
    kolbot_digest_followers_abs: int = Field(50_000, ge=1)  # …either threshold
    kolbot_digest_rank_move: int = Field(3, ge=1)  # places gained or lost worth reporting
    kolbot_digest_tick_s: float = Field(30.0, gt=0)  # how often the clock looks for due digests
    kolbot_digest_retry_s: float = Field(300.0, gt=0)  # first retry after a data failure; doubles
    kolbot_digest_workers: int = Field(16, ge=1)  # channels posted to in parallel by the clock
    kolbot_digest_post_interval_s: float = Field(1.0, gt=0)  # per channel; Slack allows about 1/s

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, v: str) -> str:
        return v if v.endswith("/") else v + "/"

    @field_validator("kolbot_digest_tz")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"unknown IANA time zone {v!r}") from None
        return v

    @field_validator("tikhub_base_url")
    @classmethod
    def _no_trailing_slash(cls, v: str) -> str:
        return v.rstrip("/")

    @property
    def demo_mode(self) -> bool:
        """Without a TikHub key the bot serves the bundled synthetic dataset."""
        return self.tikhub_api_key is None or not self.tikhub_api_key.get_secret_value()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.kolbot_data_dir / 'kolbot.db'}"

    def missing_for_http(self) -> list[str]:
        """Settings that `kolbot serve` cannot start without."""
        return [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", self.slack_bot_token),
                ("SLACK_SIGNING_SECRET", self.slack_signing_secret),
            )
            if value is None or not value.get_secret_value()
        ]

    def missing_for_socket(self) -> list[str]:
        """Settings that `kolbot socket` cannot start without."""
        missing = [n for n in self.missing_for_http() if n != "SLACK_SIGNING_SECRET"]
        if self.slack_app_token is None or not self.slack_app_token.get_secret_value():
            missing.append("SLACK_APP_TOKEN")
        return missing


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def settings_problem(err: ValidationError) -> str:
    """One start-up message naming every invalid setting, without echoing values (they may be secrets)."""
    lines = [f"  {'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in err.errors()]
    return "Invalid settings; fix these environment variables (or .env entries):\n" + "\n".join(lines)
