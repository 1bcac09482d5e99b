"""Typed settings for every process, read from ``ALLIANCE_*`` environment variables.

Bad configuration fails at start-up with the variable name and the rule, never later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, FilePath, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
 api/security.py and api/limits.py."""Configuration of the platform (embedded by default)."""

 api/security.py and api/limits.py.model_config = SettingsConfigDict(env_prefix="ALLIANCE_", extra="forbid")

 api/security.py and api/limits.py.shape: Literal["embedded", "distributed"] = Field(
 api/security.py and api/limits.py.    "embedded", description="embedded: one process, SQLite; distributed: Kafka + MongoDB"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.data_dir: Path = Field(Path("var"), description="Where the embedded shape keeps its files")
 api/security.py and api/limits.py.host: str = "127.0.0.1"
 api/security.py and api/limits.py.port: int = Field(8000, ge=1, le=65535)
 api/security.py and api/limits.py.kafka_bootstrap: str | None = Field(None, description="host:port[,host:port] of Kafka brokers")
 api/security.py and api/limits.py.mongo_uri: str | None = Field(None, description="mongodb:// URI of the read-model database")
 api/security.py and api/limits.py.mongo_database: str = "alliance"
 api/security.py and api/limits.py.topic_prefix: str = Field(
 api/security.py and api/limits.py.    "",
 api/security.py and api/limits.py.    pattern=r"^[A-Za-z0-9._-]{0,40}$",
 api/security.py and api/limits.py.    description="Prefix of every topic name (environments on one broker)",
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.batch_size: int = Field(5000, ge=1, le=100_000, description="Events per processing batch")
 api/security.py and api/limits.py.batch_wait_seconds: float = Field(
 api/security.py and api/limits.py.    0.02,
 api/security.py and api/limits.py.    gt=0,
 api/security.py and api/limits.py.    le=10,
 api/security.py and api/limits.py.    description="How long a worker waits to fill a batch (under load batches fill while it writes)",
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.cache_seconds: float = Field(
 api/security.py and api/limits.py.    1.0, ge=0, le=60, description="How long a read view may be served from memory"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)
 api/security.py and api/limits.py.alarm_target_p90_s: float = Field(
 api/security.py and api/limits.py.    120.0, gt=0, le=86_400, description="Alarm response-time target: a month meets it when p90 ≤ this"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.worker_port: int = Field(
 api/security.py and api/limits.py.    9100, ge=0, le=65535, description="Port of a worker's /metrics, /healthz, /readyz (0: any free)"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.log_format: Literal["json", "text"] = Field("json", description="Log lines as JSON objects or plain text")
 api/security.py and api/limits.py.lag_sample_seconds: float = Field(5.0, gt=0, le=300, description="How often consumer lag is sampled")
 api/security.py and api/limits.py.stall_exit_seconds: float = Field(
 api/security.py and api/limits.py.    120.0, ge=0, le=3600, description="Exit a worker stalled this long with records waiting (0: never)"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.# Access control (Maskinporten-style bearer tokens) and hostile-input limits: see
 api/security.py and api/limits.py.# api/security.py and api/limits.py.
 api/security.py and api/limits.py.auth_issuer: str = Field("alliance-local", min_length=1, description="Expected `iss` of tokens")
 api/security.py and api/limits.py.auth_audience: str = Field("alliance", min_length=1, description="Expected `aud` of tokens")
 api/security.py and api/limits.py.auth_jwks_file: FilePath | None = Field(
 api/security.py and api/limits.py.    None, description="JWKS file of the token issuer (default: the local key in data_dir/keys)"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.auth_jwks_url: str | None = Field(
 api/security.py and api/limits.py.    None, pattern=r"^https?://", description="JWKS URL of the token issuer (instead of a file)"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.auth_leeway_seconds: int = Field(30, ge=0, le=300, description="Clock skew allowed on exp/nbf")
 api/security.py and api/limits.py.read_requires_token: bool = Field(
 api/security.py and api/limits.py.    False, description="Shared views need a token with alliance:read (else open, suppressed)"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.coordinator_orgs: list[str] = Field(
 api/security.py and api/limits.py.    default_factory=list, description="Extra organisation numbers with the coordinator role"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.rate_limit_per_second: int = Field(
 api/security.py and api/limits.py.    2000, ge=0, description="Requests per second per client address (0: no limit)"
 api/security.py and api/limits.py.)
 api/security.py and api/limits.py.max_json_depth: int = Field(32, ge=4, le=512, description="Deepest nesting of a JSON body")
 api/security.py and api/limits.py.max_json_array_items: int = Field(10_000, ge=10, description="Longest array in a JSON body")
 api/security.py and api/limits.py.max_json_string_chars: int = Field(100_000, ge=100, description="Longest string in a JSON body")
 api/security.py and api/limits.py.request_timeout_seconds: float = Field(60.0, gt=0, le=3600, description="Time one request may take")

 api/security.py and api/limits.py.@model_validator(mode="after")
 api/security.py and api/limits.py.def _one_token_issuer(self) -> Settings:
 api/security.py and api/limits.py.    if self.auth_jwks_file and self.auth_jwks_url:
 api/security.py and api/limits.py.        raise ValueError("set ALLIANCE_AUTH_JWKS_FILE or ALLIANCE_AUTH_JWKS_URL, not both")
 api/security.py and api/limits.py.    return self

 api/security.py and api/limits.py.@model_validator(mode="after")
 api/security.py and api/limits.py.def _distributed_needs_servers(self) -> Settings:
 api/security.py and api/limits.py.    if self.shape == "distributed":
 api/security.py and api/limits.py.        missing = [
 api/security.py and api/limits.py.            name
 api/security.py and api/limits.py.            for name, value in (
 api/security.py and api/limits.py.                ("ALLIANCE_KAFKA_BOOTSTRAP", self.kafka_bootstrap),
 api/security.py and api/limits.py.                ("ALLIANCE_MONGO_URI", self.mongo_uri),
 api/security.py and api/limits.py.            )
 api/security.py and api/limits.py.            if not value
 api/security.py and api/limits.py.        ]
 api/security.py and api/limits.py.        if missing:
 api/security.py and api/limits.py.            raise ValueError(f"shape=distributed needs {', '.join(missing)}")
 api/security.py and api/limits.py.    return self
