"""Packaged schemas resolve locally; nothing needs the network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from jsonschema import Draft4Validator

from services.procurement import compile as compile_module
from services.procurement.paths import json_path
from services.procurement.schema import (
    SCHEMA_FILES,
    load_schema,
    record_package_schema,
    registry,
    schema_id,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ocds"


@pytest.mark.parametrize("file_name", SCHEMA_FILES)
def test_schemas_are_draft4_and_registered_under_their_ids(file_name: str) -> None:
    Draft4Validator.check_schema(load_schema(file_name))
    resolved = registry().resolver().lookup(schema_id(file_name))
    assert resolved.contents is load_schema(file_name)


def test_unknown_schema_is_rejected() -> None:
    with pytest.raises(ValueError):
        load_schema("../../etc/passwd")


def test_record_package_validates_through_cross_file_refs(monkeypatch: pytest.MonkeyPatch) -> None:
    def _no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(requests, "get", _no_network)
    record_package = json.loads(
        (FIXTURES / "sample-data__fictional-1.1__record-package.json").read_text(encoding="utf-8")
    )
    validator = Draft4Validator(record_package_schema(), registry=registry())
    assert list(validator.iter_errors(record_package)) == []
    broken = {**record_package, "records": [{"ocid": "x", "releases": [{"url": 5}]}]}
    assert not validator.is_valid(broken)


def test_merge_rules_come_from_the_packaged_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    def _no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(requests, "get", _no_network)
    compile_module._merge_rules.cache_clear()
    rules = compile_module._merge_rules()
    assert rules[("date",)] == "omitWhenMerged"
    assert rules[("tag",)] == "omitWhenMerged"


def test_json_path_style() -> None:
    assert json_path([]) == "$"
    assert json_path(["releases", 3, "tender", "value", "amount"]) == ("$.releases[3].tender.value.amount")
    assert json_path([0, "date"]) == "$[0].date"
    assert json_path(["x", "odd key", "it's"]) == "$.x['odd key']['it\\'s']"
