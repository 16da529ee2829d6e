"""Slack installations (OAuth mode): slack_sdk's SQLAlchemy stores on kolbot's own database.

Bot and user tokens are encrypted at rest with `KOLBOT_SECRET_KEY` (Fernet, through a column type,
so every read and write of a token column goes through it): a database dump alone never yields a
usable token. `KOLBOT_SECRET_KEY` may hold several comma-separated keys: the first encrypts, all
decrypt, so a key rotates by putting the new one first. A token no key can decrypt reads as
missing, which Bolt answers with its "reinstall the app" message.

The OAuth `state` is signed with `SLACK_STATE_SECRET` besides being stored, so a forged state is
refused before any database lookup. Schema: revision 0003 (`oauth_tables` registers the same
tables on kolbot's metadata, where `tests/test_db_migrations.py` compares them).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    MetaData,
    Table,
    Text,
    TypeDecorator,
    and_,
    delete,
    desc,
    select,
    update,
)

from bot.db.engine import READ_ONLY
from bot.settings import Settings, secret_keys

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

log = logging.getLogger(__name__)

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
STATE_EXPIRATION_S = 600  # Bolt's default: the install link works for ten minutes


class TokenCipher:
    """Fernet encryption with rotation (`MultiFernet`): the first key encrypts, every key decrypts.
    cryptography loads with the first cipher (OAuth mode): about 8 MB a single-workspace process,
    which never makes one, saves (`tests/test_app_imports.py`)."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        from cryptography.fernet import Fernet, MultiFernet

        self._primary: Fernet = Fernet(keys[0])
        self._fernet: MultiFernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        return cls(secret_keys(settings.kolbot_secret_key))

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str) -> str:
        """Raises `cryptography.fernet.InvalidToken` when no key fits."""
        return self._fernet.decrypt(stored.encode()).decode()

    def rotated(self, stored: str) -> str | None:
        """`stored` encrypted with the first key, or None when it already is (or no key fits)."""
        from cryptography.fernet import InvalidToken

        try:
            self._primary.decrypt(stored.encode())
            return None
        except InvalidToken:
            pass
        try:
            return self._fernet.rotate(stored.encode()).decode()
        except InvalidToken:
            return None


class EncryptedToken(TypeDecorator[str]):
    """A token column stored as Fernet ciphertext; unreadable values load as None (logged)."""

    impl = Text
    cache_ok = True

    def __init__(self, cipher: TokenCipher) -> None:
        super().__init__()
        self.cipher = cipher

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.cipher.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        from cryptography.fernet import InvalidToken  # loaded with the cipher

        try:
            return self.cipher.decrypt(value)
        except InvalidToken:
            log.error("a stored Slack token cannot be decrypted with KOLBOT_SECRET_KEY; reinstall needed")
            return None


def _token_columns(table: Table, cipher: TokenCipher | None) -> Table:
    """Token columns as text (Fernet output outgrows slack_sdk's String(200)), encrypted with `cipher`."""
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = EncryptedToken(cipher) if cipher else Text()
    return table


class _DeferredReads:
    """The engine as slack_sdk's stores use it: they read with `connect()` and write with `begin()`.
    Reads start with a deferred BEGIN on SQLite (`bot.db.engine`), so the lookup Bolt's authorize
    makes before every ack never waits for the write lock; writes take it up front as usual."""

    def __init__(self, engine: Engine) -> None:
        self._engine, self._reader = engine, engine.execution_options(**{READ_ONLY: True})

    def connect(self) -> Connection:
        return self._reader.connect()

    def begin(self) -> AbstractContextManager[Connection]:
        return self._engine.begin()


def oauth_tables(metadata: MetaData) -> list[Table]:
    """slack_sdk's installation, bot and OAuth-state tables, defined on `metadata`."""
    return [
        _token_columns(
            SQLAlchemyInstallationStore.build_installations_table(
                metadata, SQLAlchemyInstallationStore.default_installations_table_name
            ),
            None,
        ),
        _token_columns(
            SQLAlchemyInstallationStore.build_bots_table(
                metadata, SQLAlchemyInstallationStore.default_bots_table_name
            ),
            None,
        ),
        SQLAlchemyOAuthStateStore.build_oauth_states_table(
            metadata, SQLAlchemyOAuthStateStore.default_table_name
        ),
    ]


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """`SQLAlchemyInstallationStore` whose token columns are encrypted with `cipher`."""

    def __init__(self, client_id: str, engine: Engine, cipher: TokenCipher) -> None:
        super().__init__(client_id, _DeferredReads(engine), logger=log)  # type: ignore[arg-type]
        self._cipher = cipher
        _token_columns(self.installations, cipher)
        _token_columns(self.bots, cipher)

    def rotate_keys(self) -> int:
        """Re-encrypt with the first key every token an older key encrypted (after a key rotation,
        so the old key can be dropped); returns how many values changed."""
        changed = 0
        with self.engine.begin() as conn:
            for table in oauth_tables(MetaData())[:2]:  # plain text columns: the ciphertext as stored
                columns = [table.c[name] for name in TOKEN_COLUMNS if name in table.c]
                for row in conn.execute(select(table.c.id, *columns)).mappings():
                    values = {
                        c.name: new
                        for c in columns
                        if row[c.name] and (new := self._cipher.rotated(row[c.name]))
                    }
                    if values:
                        conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
                        changed += len(values)
        return changed

    def find_bot_for_team(self, team_id: str) -> Bot | None:
        """The latest bot installed in workspace `team_id`, in an Enterprise Grid org or not (the
        clock knows only a digest's team_id; workspace ids are unique across Slack); None when
        there is none or its token cannot be decrypted."""
        c = self.bots.c
        query = (
            self.bots.select()
            .where(and_(c.client_id == self.client_id, c.team_id == team_id, c.bot_token.is_not(None)))
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        bot = None if row is None else self.build_bot_entity(row)
        return bot if bot is not None and bot.bot_token else None


class SignedStateStore(SQLAlchemyOAuthStateStore):
    """OAuth states stored for one use (slack_sdk) and signed with `SLACK_STATE_SECRET`."""

    def __init__(self, engine: Engine, secret: str, *, expiration_seconds: int = STATE_EXPIRATION_S) -> None:
        super().__init__(expiration_seconds, _DeferredReads(engine), logger=log)  # type: ignore[arg-type]
        self._secret = secret.encode()

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = super().issue(*args, **kwargs)
        return f"{state}.{self._sign(state)}"

    def consume(self, state: str) -> bool:
        raw, _, signature = state.rpartition(".")
        if not raw or not hmac.compare_digest(signature, self._sign(raw)):
            return False
        return super().consume(raw)

    def prune(self, now: datetime | None = None) -> int:
        """Forget states whose install link has expired (abandoned installs); returns how many."""
        cutoff = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        expired = delete(self.oauth_states).where(self.oauth_states.c.expire_at < cutoff)
        with self.engine.begin() as conn:
            return conn.execute(expired).rowcount

    def _sign(self, state: str) -> str:
        return hmac.new(self._secret, state.encode(), hashlib.sha256).hexdigest()


def installation_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    assert settings.slack_client_id is not None  # OAuth mode (checked by the settings)
    return EncryptedInstallationStore(settings.slack_client_id, engine, TokenCipher.from_settings(settings))


def state_store(settings: Settings, engine: Engine) -> SignedStateStore:
    assert settings.slack_state_secret is not None  # OAuth mode (checked by the settings)
    return SignedStateStore(engine, settings.slack_state_secret.get_secret_value())
