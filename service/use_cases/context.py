"""What every use case needs: the database, the clock, the configured tables and keys.
Built once by ``create_app()`` (or the CLI) and handed down, and not changed afterwards: what
is derived from its settings (the gate's configuration, our host names) is computed once, off
the hot path. Nothing here reads the environment."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from service.db.engine import DriverPool
from service.domain.clock import Clock, local_date
from service.domain.codes import label_tag, tag_key_version
from service.domain.gate import GateConfig
from service.domain.models import ModelTable


@dataclass
class Context:
    engine: AsyncEngine
    clock: Clock
    models: ModelTable
    label_keys: dict[int, bytes]
    public_url: str
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    max_batch_rows: int = 5000
    rapid_refill_hours: float = 4.0
    seen_elsewhere_minutes: float = 30.0
    # asyncpg pool for the hot path (see ``service.db.engine.create_driver_pool``); without
    # one, the hot path borrows connections from the engine.
    pool: DriverPool | None = None

    def today(self) -> date:
        return local_date(self.clock(), self.zone)

    @cached_property
    def gate_config(self) -> GateConfig:
        """The fill gate's thresholds, from the settings."""
        return GateConfig(
            models=self.models,
            zone=self.zone,
            rapid_refill=timedelta(hours=self.rapid_refill_hours),
            seen_elsewhere=timedelta(minutes=self.seen_elsewhere_minutes),
        )

    @cached_property
    def own_hosts(self) -> frozenset[str]:
        host = urlsplit(self.public_url).hostname
        return frozenset({host.lower()}) if host else frozenset()

    def current_tag(self, code: str) -> str:
        version = max(self.label_keys)
        return label_tag(self.label_keys[version], code, version)

    def verify_tag(self, code: str, tag: str | None) -> bool:
        """A tag made with one of our keys (any version still configured)."""
        version = tag_key_version(tag) if tag else None
        key = self.label_keys.get(version) if version is not None else None
        # compare_digest raises on non-ASCII text: a tag typed or forged with any other
        # character is simply not ours.
        if tag is None or key is None or not tag.isascii():
            return False
        return hmac.compare_digest(label_tag(key, code, version or 0), tag)

    @cached_property
    def _qr_base(self) -> str:
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}".upper() + parts.path.rstrip("/")

    def qr_payload(self, code: str) -> str:
        """The text in the QR: our public page for the code, with its tag. Scheme and host
        in upper case keep the whole URL in the QR alphanumeric mode (a smaller symbol, so
        larger modules on the same label); the path prefix, if any, is kept as configured."""
        return f"{self._qr_base}/C/{code}/{self.current_tag(code)}"
