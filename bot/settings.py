"""Runtime settings, read from the environment and an optional `.env` file.

Every setting is documented in the README table; keep the two in step.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from bot.models import Lang

# Relative to the working directory kolbot starts in (resolved when settings load): never inside
# the installed package, which may be read-only and is replaced by every upgrade.
DEFAULT_DATA_DIR = Path("data")


class PriceUnit(StrEnum):
    """Unit of the raw price fields in search results. Real data says yuan (see README)."""

    YUAN = "yuan"
    FEN = "fen"


FERNET_COMMAND = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


class Settings(BaseSettings):
    # An empty variable is unset (platforms often define them empty); nan and inf are no number.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True, allow_inf_nan=False
    )

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # OAuth install for many workspaces (all three turn it on; then SLACK_BOT_TOKEN stays unset)
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_state_secret: SecretStr | None = None
    # Fernet keys, comma-separated: the first encrypts stored bot tokens, all decrypt (rotation)
    kolbot_secret_key: SecretStr | None = None
    kolbot_retention_days: int = Field(30, ge=1)  # data of an uninstalled workspace is kept this long
    slack_api_url: str = "https://slack.com/api/"
    host: str = Field("0.0.0.0", min_length=1)  # `kolbot serve` binds here; 127.0.0.1 behind a local proxy
    port: int = Field(3000, ge=0, le=65535)
    kolbot_command: str = "/kol"
    kolbot_results_in_channel: bool = True  # False: results cards only visible to the requester

    # TikHub
    tikhub_api_key: SecretStr | None = None
    tikhub_base_url: str = "https://api.tikhub.io"
    # Calls per second for every process on the database together (on SQLite: the one process).
    # TIKHUB_RATE_LIMIT_PER_S is its former name, still read.
    kolbot_tikhub_qps: float = Field(
        5.0, gt=0, validation_alias=AliasChoices("kolbot_tikhub_qps", "tikhub_rate_limit_per_s")
    )
    tikhub_connect_timeout_s: float = Field(5.0, gt=0)
    tikhub_read_timeout_s: float = Field(30.0, gt=0)
    tikhub_max_retries: int = Field(3, ge=0, le=10)
    # No retry starts once a call has taken this long with its retries: a slow TikHub made a
    # search wait minutes in silence (4 tries of a 30 s read timeout, plus backoff, per page).
    tikhub_deadline_s: float = Field(60.0, gt=0)
    tikhub_cost_per_call_usd: float = 0.02
    # Spend control (`/kol budget`, `/kol usage`): a workspace's default monthly TikHub budget in
    # US dollars (unset = no budget), and the Slack user ids allowed to change it (comma-separated).
    kolbot_monthly_budget_usd: float | None = Field(None, ge=0)
    kolbot_admins: str = ""

    # Search
    kolbot_price_unit: PriceUnit = PriceUnit.YUAN
    kolbot_cache_ttl_s: int = Field(6 * 3600, ge=0)
    # The response cache's size cap (compressed bodies); housekeeping evicts the oldest answers above it.
    kolbot_cache_max_mb: float = Field(200.0, gt=0)
    kolbot_max_pages: int = Field(10, ge=1)
    kolbot_default_pages: int = Field(3, ge=1)  # at most KOLBOT_MAX_PAGES (checked below)
    kolbot_default_top: int = Field(10, ge=1, le=20)
    kolbot_lang: Literal["auto", "zh", "en"] = "auto"
    # Slow work after a Slack ack (searches, deep-dives, exports) runs on this many threads; the
    # TikHub rate limit means more in flight gains nothing.
    kolbot_workers: int = Field(16, ge=1)
    # On SIGTERM `kolbot serve` stops accepting and finishes queued work for this long.
    kolbot_shutdown_grace_s: float = Field(20.0, ge=0)

    # The job queue (`bot/queue.py`): on PostgreSQL slow work goes to `kolbot worker` processes
    # through procrastinate; on SQLite (or with KOLBOT_QUEUE=false) `kolbot serve` runs it itself.
    kolbot_queue: bool | None = None  # unset: on with PostgreSQL, off with SQLite
    kolbot_worker_concurrency: int = Field(8, ge=1)  # jobs one `kolbot worker` runs at once
    kolbot_job_attempts: int = Field(4, ge=1)  # a job failing on a transient fault is run this often
    kolbot_job_retry_wait_s: int = Field(2, ge=0)  # backoff: 2, 4, 8… s between attempts
    kolbot_worker_heartbeat_s: float = Field(5.0, gt=0)  # a worker says it is alive this often
    # A worker silent this long is dead: its jobs are run again by another worker.
    kolbot_worker_stalled_s: float = Field(30.0, gt=0)
    kolbot_db_pool_size: int = Field(5, ge=1)  # connections kept open; more open when threads need them

    # Housekeeping (`bot/housekeeping.py`): what is kept, and how often old rows are deleted
    kolbot_search_retention_days: int = Field(30, ge=1)  # results cards' buttons work this long
    kolbot_claim_retention_hours: int = Field(24, ge=1)  # Slack retries arrive within minutes
    kolbot_housekeeping_interval_min: float = Field(60.0, gt=0)

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

    # Campaign planner: creator tiers by followers (head ≥ head_min, mid ≥ mid_min, tail below)
    kolbot_plan_head_min_followers: int = Field(1_000_000, ge=1)
    kolbot_plan_mid_min_followers: int = Field(100_000, ge=1)
    kolbot_plan_outlier_factor: float = Field(5.0, ge=0)  # × the median CPM; 0: leave nobody out

    # Operations
    kolbot_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    kolbot_log_format: Literal["text", "json"] = "text"
    kolbot_metrics: bool = False  # on: Prometheus text at GET /metrics
    kolbot_metrics_port: int | None = Field(None, ge=1, le=65535)  # unset: the app's own port

    @field_validator("kolbot_log_level", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        return v.upper() if isinstance(v, str) else v

    @field_validator("kolbot_log_format", mode="before")
    @classmethod
    def _lower(cls, v: object) -> object:
        return v.lower() if isinstance(v, str) else v

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, v: str) -> str:
        return v if v.endswith("/") else v + "/"

    @field_validator("kolbot_data_dir")
    @classmethod
    def _absolute_dir(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @field_validator("kolbot_monthly_budget_usd", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("kolbot_lang", mode="before")
    @classmethod
    def _lang_any_case(cls, v: object) -> object:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("kolbot_default_pages")
    @classmethod
    def _within_max_pages(cls, v: int, info: ValidationInfo) -> int:
        most = info.data.get("kolbot_max_pages")
        if most is not None and v > most:
            raise PydanticCustomError(
                "above_max_pages", "must be at most KOLBOT_MAX_PAGES ({most})", {"most": most}
            )
        return v

    @field_validator("kolbot_digest_tz")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ValueError, ZoneInfoNotFoundError):
            raise PydanticCustomError(
                "unknown_time_zone", "not an IANA time zone such as Asia/Shanghai"
            ) from None
        return v

    @field_validator("tikhub_base_url")
    @classmethod
    def _no_trailing_slash(cls, v: str) -> str:
        return v.rstrip("/")

    @field_validator("kolbot_secret_key")
    @classmethod
    def _fernet_keys(cls, v: SecretStr | None) -> SecretStr | None:
        """Every comma-separated key must be a Fernet key; the message never echoes one.
        (cryptography loads only when a key is set: about 8 MB a single-workspace process saves.)"""
        keys = secret_keys(v)
        if keys:
            from cryptography.fernet import Fernet
        for n, key in enumerate(keys, start=1):
            try:
                Fernet(key)
            except ValueError:
                raise PydanticCustomError(
                    "not_fernet_key",
                    "key {n} is not a Fernet key (32 url-safe base64 bytes); make one with: {command}",
                    {"n": n, "command": FERNET_COMMAND},
                ) from None
        return v

    @model_validator(mode="after")
    def _one_install_mode(self) -> Settings:
        oauth = {
            "SLACK_CLIENT_ID": self.slack_client_id,
            "SLACK_CLIENT_SECRET": self.slack_client_secret,
            "SLACK_STATE_SECRET": self.slack_state_secret,
        }
        given = [name for name, value in oauth.items() if _is_set(value)]
        if not given:
            return self
        if len(given) < len(oauth):
            missing = ", ".join(name for name in oauth if name not in given)
            raise PydanticCustomError(
                "oauth_incomplete",
                "OAuth install needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET; "
                "set {missing}",
                {"missing": missing},
            )
        if _is_set(self.slack_bot_token):
            raise PydanticCustomError(
                "token_and_oauth",
                "set either SLACK_BOT_TOKEN (one workspace) or the SLACK_CLIENT_* OAuth settings, not both",
            )
        if not secret_keys(self.kolbot_secret_key):
            raise PydanticCustomError(
                "oauth_without_secret_key",
                "KOLBOT_SECRET_KEY is required with OAuth install: it encrypts the stored bot tokens",
            )
        return self

    @property
    def oauth_enabled(self) -> bool:
        """Many workspaces: installed through `/slack/install`, tokens kept in the database."""
        return _is_set(self.slack_client_id) and _is_set(self.slack_client_secret)

    @model_validator(mode="after")
    def _tiers_in_order(self) -> Settings:
        if self.kolbot_plan_mid_min_followers >= self.kolbot_plan_head_min_followers:
            raise PydanticCustomError(
                "tiers_out_of_order",
                "KOLBOT_PLAN_MID_MIN_FOLLOWERS must be below KOLBOT_PLAN_HEAD_MIN_FOLLOWERS",
            )
        return self

    @property
    def demo_mode(self) -> bool:
        """Without a TikHub key the bot serves the bundled synthetic dataset."""
        return self.tikhub_api_key is None or not self.tikhub_api_key.get_secret_value()

    @property
    def admin_ids(self) -> frozenset[str]:
        """`KOLBOT_ADMINS` as a set of Slack user ids."""
        return frozenset(part.strip() for part in self.kolbot_admins.split(",") if part.strip())

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.kolbot_data_dir / 'kolbot.db'}"

    @property
    def default_lang(self) -> Lang:
        """`KOLBOT_LANG`: zh or en; "auto" (the default) means English unless the user writes Chinese
        (what carries no words follows the user's Slack language: `Services.wordless_lang`)."""
        return "en" if self.kolbot_lang == "auto" else self.kolbot_lang

    @property
    def uses_queue(self) -> bool:
        """Slow work goes through procrastinate (PostgreSQL only) rather than `kolbot serve`'s threads."""
        postgres = self.effective_database_url.startswith("postgres")
        return postgres if self.kolbot_queue is None else self.kolbot_queue and postgres

    def missing_for_clock(self) -> list[str]:
        """Settings without which nothing can be posted: a bot token, or OAuth installs."""
        return [] if self.oauth_enabled or _is_set(self.slack_bot_token) else ["SLACK_BOT_TOKEN"]

    def missing_for_http(self) -> list[str]:
        """Settings that `kolbot serve` cannot start without."""
        missing = self.missing_for_clock()
        return missing if _is_set(self.slack_signing_secret) else [*missing, "SLACK_SIGNING_SECRET"]

    def missing_for_socket(self) -> list[str]:
        """Settings that `kolbot socket` cannot start without."""
        missing = self.missing_for_clock()
        return missing if _is_set(self.slack_app_token) else [*missing, "SLACK_APP_TOKEN"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def secret_keys(value: SecretStr | None) -> list[str]:
    """The comma-separated keys of `KOLBOT_SECRET_KEY`, first (the encrypting one) first."""
    text = value.get_secret_value() if value is not None else ""
    return [key.strip() for key in text.split(",") if key.strip()]


def _is_set(value: str | SecretStr | None) -> bool:
    return bool(value.get_secret_value() if isinstance(value, SecretStr) else value)
