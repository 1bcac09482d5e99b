"""Summaries for read models: status, parties, periods, values and the renewal radar."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.procurement.summary import (
    ContractPeriod,
    Money,
    ProcurementSummary,
    add_months,
    derive_status,
    ending_within,
    summarise,
    total_value,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ocds"
COMPILED = json.loads(
    (FIXTURES / "sample-data__fictional-1.1__record-package.json").read_text(encoding="utf-8")
)["records"][0]["compiledRelease"]


def test_fixture_summary() -> None:
    summary = summarise(COMPILED)
    assert summary.ocid == "ocds-213czf-000-00001"
    assert summary.title == "Planned cycle lane improvements"
    assert summary.status == "implementation"  # active contract with transactions
    assert [b.name for b in summary.buyers] == ["London Borough of Barnet"]
    assert [s.name for s in summary.suppliers] == ["AnyCorp Cycle Provision"]
    assert summary.suppliers[0].org_number is None  # a UK company number, not NO-BRC
    assert summary.contract_periods[0].end_date == COMPILED["contracts"][0]["period"]["endDate"]
    assert summary.total_value == Money(
        amount=COMPILED["contracts"][0]["value"]["amount"], currency="GBP", source="contracts"
    )
    assert json.loads(json.dumps(summary.to_dict()))["status"] == "implementation"


@pytest.mark.parametrize(
    ("release", "status"),
    [
        ({}, "unknown"),
        ({"planning": {"rationale": "x"}}, "planning"),
        ({"tender": {"id": "t", "status": "planned"}}, "planning"),
        ({"tender": {"id": "t", "status": "active"}}, "tender"),
        ({"tender": {"id": "t", "title": "x"}}, "tender"),
        ({"tender": {"id": "t", "status": "cancelled"}}, "cancelled"),
        ({"tender": {"id": "t", "status": "withdrawn"}}, "cancelled"),
        ({"tender": {"id": "t", "status": "unsuccessful"}}, "unsuccessful"),
        ({"awards": [{"id": "a", "status": "pending"}]}, "award"),
        ({"awards": [{"id": "a", "status": "cancelled"}]}, "cancelled"),
        ({"awards": [{"id": "a", "status": "unsuccessful"}]}, "unsuccessful"),
        ({"contracts": [{"id": "c", "status": "pending"}]}, "contract"),
        ({"contracts": [{"id": "c", "status": "active"}]}, "contract"),
        (
            {
                "contracts": [
                    {
                        "id": "c",
                        "status": "active",
                        "implementation": {"transactions": [{"id": "1"}]},
                    }
                ]
            },
            "implementation",
        ),
        ({"contracts": [{"id": "c", "status": "terminated"}]}, "terminated"),
        (
            {
                "contracts": [
                    {"id": "c", "status": "terminated"},
                    {"id": "d", "status": "cancelled"},
                ]
            },
            "terminated",
        ),
        ({"contracts": [{"id": "c", "status": "cancelled"}]}, "cancelled"),
        (
            {"contracts": [{"id": "c", "status": "terminated"}, {"id": "d", "status": "active"}]},
            "contract",
        ),
    ],
)
def test_derive_status(release: dict[str, Any], status: str) -> None:
    assert derive_status(release) == status


def test_total_value_prefers_nok_and_falls_back_to_awards() -> None:
    release = {
        "contracts": [
            {"id": "1", "value": {"amount": 100.5, "currency": "NOK"}},
            {"id": "2", "value": {"amount": 200.25, "currency": "NOK"}},
            {"id": "3", "value": {"amount": 999, "currency": "EUR"}},
            {"id": "4", "status": "cancelled", "value": {"amount": 5000, "currency": "NOK"}},
        ]
    }
    assert total_value(release) == Money(300.75, "NOK", "contracts")
    assert total_value(
        {
            "contracts": [
                {"id": "1", "value": {"amount": 7, "currency": "SEK"}},
                {"id": "2", "value": {"amount": 9, "currency": "EUR"}},
            ]
        }
    ) == Money(9, "EUR", "contracts")
    awards = {
        "contracts": [{"id": "1", "value": {"amount": None, "currency": "NOK"}}],
        "awards": [
            {"id": "a", "status": "active", "value": {"amount": 10, "currency": "NOK"}},
            {"id": "b", "status": "unsuccessful", "value": {"amount": 99, "currency": "NOK"}},
        ],
    }
    assert total_value(awards) == Money(10, "NOK", "awards")
    assert total_value({}) is None


def _summary(*periods: ContractPeriod) -> ProcurementSummary:
    return ProcurementSummary(
        ocid="o",
        title=None,
        status="contract",
        buyers=(),
        suppliers=(),
        contract_periods=periods,
        total_value=None,
        last_updated=None,
    )


def test_ending_within_is_inclusive_and_ignores_ended_contracts() -> None:
    active = ContractPeriod("c", "active", "2022-09-01T00:00:00+02:00", "2026-08-31T23:59:59+02:00")
    summary = _summary(active)
    assert ending_within(summary, date(2026, 5, 31), 3)  # horizon is exactly the end date
    assert not ending_within(summary, date(2026, 5, 30), 3)
    assert ending_within(summary, date(2026, 3, 1), 6)
    assert ending_within(summary, date(2026, 8, 31), 0)
    assert not ending_within(summary, date(2026, 9, 1), 12)  # already ended
    terminated = ContractPeriod("c", "terminated", None, "2026-08-31T23:59:59+02:00")
    assert not ending_within(_summary(terminated), date(2026, 3, 1), 12)
    no_end = ContractPeriod("c", None, "2022-09-01T00:00:00Z", None)
    assert not ending_within(_summary(no_end), date(2022, 1, 1), 1200)
    with pytest.raises(ValueError):
        ending_within(summary, date(2026, 1, 1), -1)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert add_months(date(2024, 5, 31), 0) == date(2024, 5, 31)
