"""The alert rules pass ``promtool check rules`` and their unit tests (``promtool test rules``)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

from tests.support.promtool import promtool

PROMETHEUS = Path(__file__).resolve().parent.parent / "deploy" / "prometheus"
DASHBOARD = PROMETHEUS.parent / "grafana" / "dashboards" / "alliance.json"
REQUIRED_ALERTS = {
    "AllianceConsumerLagGrowing",
    "AllianceWorkerStalled",
    "AllianceDeadLetters",
    "AllianceApiErrorRate",
    "AllianceApiLatencyP99",
}


def _promtool(*args: str) -> None:
    result = subprocess.run(
        [promtool(), *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_are_valid_and_loaded_by_the_scrape_config():
    _promtool("check", "rules", "alerts.yml")
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    assert config["rule_files"] == ["alerts.yml"]
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    names = {r["alert"] for group in rules["groups"] for r in group["rules"]}
    assert names >= REQUIRED_ALERTS


def test_every_alert_has_a_unit_test_and_they_pass():
    _promtool("test", "rules", "alerts.test.yml")
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text(encoding="utf-8"))
    firing = {
        case["alertname"]
        for test in tests["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    assert firing == {r["alert"] for group in rules["groups"] for r in group["rules"]}


def test_rules_and_dashboard_use_only_metrics_the_platform_exposes():
    from streams.observability.metrics import Metrics

    exposed = Metrics("api", "embedded").exposition().decode()
    families = set(re.findall(r"^# TYPE (\w+) ", exposed, flags=re.M))
    known = families | {f"{f}_{s}" for f in families for s in ("total", "bucket", "sum", "count", "info")}
    used = set(re.findall(r"\balliance_\w+", (PROMETHEUS / "alerts.yml").read_text(encoding="utf-8")))
    for panel in json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"\balliance_\w+", target["expr"]))
    assert used and used <= known, used - known
