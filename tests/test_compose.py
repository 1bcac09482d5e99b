"""Static checks of the container deployment (no Docker engine needed).

``docker-compose.yml`` is validated against the Compose Specification's JSON Schema
(``tests/fixtures/schemas/compose-spec.json``, Apache-2.0, see ``SOURCE.md`` there), its
start-up order must wait on health, the API and workers must be configured through the
same ``ALLIANCE_*`` variables that :class:`alliance.settings.Settings` reads, and the
Prometheus configuration must pass ``promtool check config``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from alliance.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_SCHEMA = ROOT / "tests" / "fixtures" / "schemas" / "compose-spec.json"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA = ROOT / "deploy" / "grafana"
DOCKERFILE = ROOT / "Dockerfile"

ALLIANCE_SERVICES = ("api", "worker-adoption", "worker-procurement", "worker-indicators")
HEALTH_CONDITIONS = {"service_healthy", "service_completed_successfully"}
_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::?-(?P<default>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, ``${VAR:-default}`` resolved to the default."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {
        key: _INTERPOLATION.sub(lambda m: m.group("default") or "", str(value)) for key, value in env.items()
    }


def _depends_on(service: dict[str, Any]) -> dict[str, Any]:
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):  # short form: no condition at all
        return {name: {} for name in depends}
    return depends


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    errors = sorted(Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_expected_services_and_named_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in (
        "kafka",
        "kafka-init",
        "mongodb",
        "ferretdb",
        "postgres",
        *ALLIANCE_SERVICES,
        "prometheus",
        "grafana",
    ):
        assert name in services, name
    assert services["kafka"]["image"] == "apache/kafka:4.1.0"
    assert services["mongodb"]["image"] == "mongo:7"
    assert services["ferretdb"]["image"] == "ghcr.io/ferretdb/ferretdb:1.24"
    assert services["ferretdb"]["profiles"] == ["ferretdb"] == services["postgres"]["profiles"]
    assert services["kafka-init"]["command"] == ["alliance", "topics", "create"]
    assert services["api"]["command"] == ["alliance", "up", "--host", "0.0.0.0"]
    assert services["worker-adoption"]["command"] == ["alliance", "worker", "adoption"]
    assert services["worker-procurement"]["command"] == ["alliance", "worker", "procurement"]
    assert services["worker-indicators"]["command"] == ["alliance", "worker", "indicators"]
    # Every volume a service mounts by name is declared (named volumes, not anonymous ones).
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0] if isinstance(mount, str) else mount.get("source", "")
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} mounts undeclared volume {source!r}"


def test_every_dependency_waits_on_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    with_dependencies = {name: s for name, s in services.items() if s.get("depends_on")}
    assert set(ALLIANCE_SERVICES) | {"kafka-init", "ferretdb", "grafana"} <= set(with_dependencies)
    for name, service in with_dependencies.items():
        for dependency, spec in _depends_on(service).items():
            condition = spec.get("condition")
            assert condition in HEALTH_CONDITIONS, f"{name} → {dependency}: condition {condition!r}"
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"
            else:
                assert services[dependency].get("restart", "no") == "no", f"{dependency} must run once"
    for name in ALLIANCE_SERVICES:
        depends = _depends_on(services[name])
        assert depends["kafka-init"]["condition"] == "service_completed_successfully"
        assert depends["kafka"]["condition"] == "service_healthy"
        assert depends["mongodb"]["condition"] == "service_healthy"


def test_healthchecks_use_the_intended_probes(compose: dict[str, Any]) -> None:
    services = compose["services"]

    def probe(name: str) -> str:
        test = services[name]["healthcheck"]["test"]
        return test if isinstance(test, str) else " ".join(test)

    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in probe("kafka")
    assert "mongosh" in probe("mongodb") and "ping" in probe("mongodb")
    assert "/readyz" in probe("api")
    assert "pg_isready" in probe("postgres")


def test_api_and_workers_use_the_settings_variable_names(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    known = {f"ALLIANCE_{name.upper()}" for name in Settings.model_fields}
    services = compose["services"]
    names = {
        service: {k for k in _environment(services[service]) if k.startswith("ALLIANCE_")}
        for service in ALLIANCE_SERVICES
    }
    api_names = names["api"]
    assert {"ALLIANCE_SHAPE", "ALLIANCE_KAFKA_BOOTSTRAP", "ALLIANCE_MONGO_URI"} <= api_names
    assert all(n == api_names for n in names.values()), names
    assert api_names <= known, api_names - known
    init_names = {k for k in _environment(services["kafka-init"]) if k.startswith("ALLIANCE_")}
    assert init_names <= known and "ALLIANCE_KAFKA_BOOTSTRAP" in init_names

    # The API's environment is a valid distributed configuration.
    for key in known:
        monkeypatch.delenv(key, raising=False)
    for key, value in _environment(services["api"]).items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.shape == "distributed"
    assert settings.kafka_bootstrap == "kafka:9092"
    assert settings.mongo_uri == "mongodb://mongodb:27017/"


def test_prometheus_scrapes_api_and_workers_on_metrics() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    targets: dict[str, str] = {}
    for job in config["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                targets[target.split(":", 1)[0]] = job.get("metrics_path", "/metrics")
    for service in ALLIANCE_SERVICES:
        assert targets.get(service) == "/metrics", f"{service} is not scraped on /metrics"


def test_prometheus_config_passes_promtool() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        message = "promtool is not installed (Debian package 'prometheus'; .ci/run installs it)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    result = subprocess.run(
        [promtool, "check", "config", str(PROMETHEUS_CONFIG)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_grafana_provisioning_is_consistent() -> None:
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    (source,) = datasource["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "dashboards.yml").read_text())
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    dashboards = list((GRAFANA / "dashboards").glob("*.json"))
    assert dashboards
    for path in dashboards:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        assert dashboard["uid"] and dashboard["title"]
        for panel in dashboard.get("panels", []):
            assert panel["datasource"]["uid"] == source["uid"]


def test_dockerfile_runs_the_package_as_a_non_root_user() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    assert any("pip install ." in line for line in instructions)
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
