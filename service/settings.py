"""Configuration from the environment (prefix ``CYLINDERS_``, plus ``DATABASE_URL``).

Built inside ``create_app()`` and the CLI, never at import time. Placeholder secrets are
refused: a service that says "admin token: changeme" is worse than one that does not start.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.domain.models import ModelTable

PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "changethis", "secret", "password", "admin", "token", "test", "xxx"}
)
MIN_SECRET_LENGTH = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CYLINDERS_", extra="ignore")

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("cylinders")))
    admin_token: SecretStr | None = None
    public_url: str = "http://localhost:8000"
    # The database role the service acts as (SET ROLE): it may not UPDATE or DELETE events.
    db_role: str | None = "cylinders_app"
    db_pool_size: int = 10
    models_file: Path | None = None
    timezone: str = "Asia/Shanghai"
    # How long a token lookup is trusted before the database is asked again.
    token_cache_seconds: float = 10.0
    # Thresholds for the fill gate's warnings.
    rapid_refill_hours: float = 4.0
    seen_elsewhere_minutes: float = 30.0
    max_batch_rows: int = 5000

    @field_validator("admin_token")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"CYLINDERS_ADMIN_TOKEN must be a real secret of at least {MIN_SECRET_LENGTH} "
                "characters (try: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    def model_table(self) -> ModelTable:
        if self.models_file is None:
            return ModelTable()
        return ModelTable.from_dict(json.loads(self.models_file.read_text(encoding="utf-8")))

    def label_keys(self) -> dict[int, bytes]:
        """Keys for label tags, by version; created in the data directory on first use.

        Rotation: add a new key with the next version number to ``label-keys.json``; new
        labels use the highest version, old labels still verify with theirs."""
        path = self.data_dir / "label-keys.json"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"1": secrets.token_hex(32)}), encoding="utf-8")
            path.chmod(0o600)
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {int(version): bytes.fromhex(key) for version, key in raw.items()}
