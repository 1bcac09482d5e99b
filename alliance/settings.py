"""Typed settings for every process, read from ``ALLIANCE_*`` environment variables.

Bad configuration fails at start-up with the variable name and the rule, never later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, FilePath, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of the platform (embedded by default)."""

    model_config = SettingsConfigDict(env_prefix="ALLIANCE_", extra="forbid")

    shape: Literal["embedded", "distributed"] = Field(
        "embedded", description="embedded: one process, SQLite; distributed: Kafka + MongoDB"
    )
    data_dir: Path = Field(Path("var"), description="Where the embedded shape keeps its files")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    public_base_url: str = Field(
        "",
        pattern=r"^(https?://[^/?#\s]+)?$",
        description="Scheme and host the API is reached at, for absolute URLs in answers "
        "(default: http://HOST:PORT)",
    )
    kafka_bootstrap: str | None = Field(None, description="host:port[,host:port] of Kafka brokers")
    mongo_uri: str | None = Field(None, description="mongodb:// URI of the read-model database")
    mongo_database: str = "alliance"
    topic_prefix: str = Field(
        "",
        pattern=r"^[A-Za-z0-9._-]{0,40}$",
        description="Prefix of every topic name (environments on one broker)",
    )
    batch_size: int = Field(5000, ge=1, le=100_000, description="Events per processing batch")
    batch_wait_seconds: float = Field(
        0.02,
        gt=0,
        le=10,
        description="How long a worker waits to fill a batch (under load batches fill while it writes)",
    )
    cache_seconds: float = Field(
        1.0, ge=0, le=60, description="How long a read view may be served from memory"
    )
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)
    alarm_target_p90_s: float = Field(
        120.0, gt=0, le=86_400, description="Alarm response-time target: a month meets it when p90 ≤ this"
    )
    worker_port: int = Field(
        9100, ge=0, le=65535, description="Port of a worker's /metrics, /healthz, /readyz (0: any free)"
    )
    log_format: Literal["json", "text"] = Field("json", description="Log lines as JSON objects or plain text")
    lag_sample_seconds: float = Field(5.0, gt=0, le=300, description="How often consumer lag is sampled")
    stall_exit_seconds: float = Field(
        120.0, ge=0, le=3600, description="Exit a worker stalled this long with records waiting (0: never)"
    )
    # Access control (Maskinporten-style bearer tokens) and hostile-input limits: see
    # api/security/ and api/middleware/limits.py.
    auth_issuer: str = Field("alliance-local", min_length=1, description="Expected `iss` of tokens")
    auth_audience: str = Field("alliance", min_length=1, description="Expected `aud` of tokens")
    auth_jwks_file: FilePath | None = Field(
        None, description="JWKS file of the token issuer (default: the local key in data_dir/keys)"
    )
    auth_jwks_url: str | None = Field(
        None, pattern=r"^https?://", description="JWKS URL of the token issuer (instead of a file)"
    )
    auth_leeway_seconds: int = Field(30, ge=0, le=300, description="Clock skew allowed on exp/nbf")
    read_requires_token: bool = Field(
        False, description="Shared views need a token with alliance:read (else open, suppressed)"
    )
    coordinator_orgs: list[str] = Field(
        default_factory=list, description="Extra organisation numbers with the coordinator role"
    )
    rate_limit_per_second: int = Field(
        2000, ge=0, description="Requests per second per client address (0: no limit)"
    )
    max_json_depth: int = Field(32, ge=4, le=512, description="Deepest nesting of a JSON body")
    max_json_array_items: int = Field(10_000, ge=10, description="Longest array in a JSON body")
    max_json_string_chars: int = Field(100_000, ge=100, description="Longest string in a JSON body")
    request_timeout_seconds: float = Field(60.0, gt=0, le=3600, description="Time one request may take")

    @model_validator(mode="after")
    def _public_base_url(self) -> Settings:
        if not self.public_base_url:
            self.public_base_url = f"http://{self.host}:{self.port}"
        return self

    @model_validator(mode="after")
    def _one_token_issuer(self) -> Settings:
        if self.auth_jwks_file and self.auth_jwks_url:
            raise ValueError("set ALLIANCE_AUTH_JWKS_FILE or ALLIANCE_AUTH_JWKS_URL, not both")
        return self

    @model_validator(mode="after")
    def _distributed_needs_servers(self) -> Settings:
        if self.shape == "distributed":
            missing = [
                name
                for name, value in (
                    ("ALLIANCE_KAFKA_BOOTSTRAP", self.kafka_bootstrap),
                    ("ALLIANCE_MONGO_URI", self.mongo_uri),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"shape=distributed needs {', '.join(missing)}")
        return self
