"""Operator settings of the web service, with defaults that work with no configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqaaas.paths import default_data_dir


@dataclass(frozen=True)
class WebSettings:
    """Everything ``sqaaas serve`` can be told; tests build one per temporary data dir."""

    data_dir: Path = field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None  # base URL users reach the service at (badge issuer URL)
    workers: int = 2  # assessments run at once
    job_timeout_s: float = 900.0
    max_attempts: int = 3  # a job re-queued by restarts more often than this fails
    max_queued: int = 100  # new assessments are refused (503) beyond this
    allow_private: bool = False  # assess repositories on loopback/private addresses
    rate_limit_per_minute: int = 30  # write requests per client address
    clone_timeout_s: float = 300.0
    # scale-out (docs/scale-out.md): both set, or neither (the embedded service)
    broker_url: str | None = None  # Celery broker: redis://... (default kind) or amqp://...
    database_url: str | None = None  # postgresql://... instead of the SQLite file
    heartbeat_s: float = 10.0  # a running job tells the database it is alive this often
    lease_s: float = 60.0  # a running job not heard of for this long lost its worker

    @property
    def scaled_out(self) -> bool:
        return self.broker_url is not None

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def database(self) -> Path:
        return self.data_dir / "sqaaas.sqlite3"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def publish_dir(self) -> Path:
        """The issuer's public files, served under /issuer/ (apart from the private keys)."""
        return self.data_dir / "issuer"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "clones"
