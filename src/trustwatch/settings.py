"""The one settings object. Every value can be set with an environment variable ``TRUSTWATCH_*``.

Zero configuration: everything defaults to the embedded set-up under ``data_dir``
(SQLite store and bus, the shipped policy pack, in-process counters).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.cwd() / ".trustwatch"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRUSTWATCH_", env_file=".env", extra="ignore", frozen=False
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir, description="where the embedded store and bus live"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/trustwatch.db"
    )
    bus_url: str | None = Field(
        default=None, description="event bus; default the embedded SQLite log in data_dir"
    )
    pack_dir: Path | None = Field(
        default=None, description="policy pack used until one is promoted; default the shipped"
    )
    redis_url: str | None = Field(default=None, description="velocity counters in Redis")
    marketplace_domains: list[str] = Field(
        default_factory=lambda: ["depop.com"], description="the marketplace's own domains"
    )

    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_message_text: bool = Field(
        default=False, description="allow event text in logs at INFO (off: privacy by default)"
    )
    log_json: bool = True
    otel_enabled: bool = Field(default=False, description="emit OpenTelemetry spans if installed")

    rate_limit_per_s: float = Field(default=1000.0, gt=0, description="per API key, sustained")
    rate_limit_burst: int = Field(default=2000, gt=0, description="per API key, burst")
    max_request_bytes: int = Field(default=256 * 1024, gt=0, description="largest request body")
    max_batch_events: int = Field(default=500, gt=0, description="largest POST /v1/events batch")
    key_cache_ttl_s: float = Field(
        default=30.0, ge=0, description="how long a verified API key is trusted without the DB"
    )
    check_wait_for_store: bool = Field(
        default=True,
        description="True: POST /v1/check answers once its verdict is committed (group "
        "commit), and a repeated event id gets the stored verdict. False (write-behind): "
        "answers first, commits moments later; a crash can lose the last few milliseconds "
        "of verdicts and a repeated id gets a fresh verdict (the store keeps the first)",
    )
    store_batch_max: int = Field(default=256, gt=0, description="verdicts per group commit")
    store_batch_wait_ms: float = Field(
        default=2.0,
        ge=0,
        description="the least time between one group commit's end and the next one's "
        "start, so a busy writer's groups fill; an idle writer commits at once",
    )
    embedded_worker: bool = Field(default=True, description="serve runs a bus worker thread")
    app_extensions: list[str] = Field(
        default_factory=lambda: ["trustwatch.review.web"],
        description="modules whose mount(app, service) extends the API (skipped if absent)",
    )

    @property
    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'trustwatch.db'}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def get_settings() -> Settings:
    """Read settings from the environment (and ``.env``) now."""
    return Settings()
