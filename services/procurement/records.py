"""The read model of one contracting process, built from its releases (pure, no I/O).

A record document keeps every release of its ``ocid`` once, keyed by release ``id``, so
redelivered and duplicated releases change nothing, and is recompiled from all of them
whenever one arrives, so the result does not depend on arrival order. Alongside the
compiled and versioned releases it carries summary fields flattened for filtering.

Array membership (which municipalities, technologies, suppliers) is also written as
*link* documents, one per (process, kind, value), because the store contract only
promises equality and ``$in`` on top-level fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from .classification import classify
from .compile import compile_releases
from .matching import MunicipalityLike, match_buyers
from .summary import summarise
from .suppliers import supplier_shares
from .validation import parse_date_time

RECORDS = "procurement_records"
LINKS = "procurement_links"
SUPPLIERS = "suppliers"
COLLECTIONS = (RECORDS, LINKS, SUPPLIERS)
HEAVY_FIELDS = ("compiled_release", "versioned_release", "releases")
LINK_KINDS = ("municipality", "technology", "supplier")
LIVE_CONTRACT_STATUSES = frozenset({None, "pending", "active"})  # as in summary.ending_within


def canonical(release: Mapping[str, Any]) -> str:
    """Key-order independent JSON text of a release (for comparing copies)."""
    return json.dumps(release, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _instant(release: Mapping[str, Any]) -> datetime:
    parsed = parse_date_time(release.get("date"))
    return parsed if parsed is not None else datetime.min.replace(tzinfo=UTC)


def release_order(release: Mapping[str, Any]) -> tuple[datetime, str]:
    """Sort key of releases in a record: the instant of ``date``, then ``id``."""
    return _instant(release), str(release.get("id"))


def _preferred(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    # A total order, so the copy kept never depends on which arrived first:
    # the later date wins, then the smaller canonical text.
    return min(a, b, key=lambda r: (-_instant(r).timestamp(), canonical(r)))


def merge_releases(
    stored: Iterable[dict[str, Any]], incoming: Iterable[dict[str, Any]]
) -> tuple[list[dict[str, Any]], set[str]]:
    """One release per ``id`` from both inputs, in date order, and the ids seen with differing content."""
    chosen: dict[str, dict[str, Any]] = {}
    conflicts: set[str] = set()
    for release in (*stored, *incoming):
        release_id = str(release.get("id"))
        current = chosen.get(release_id)
        if current is None:
            chosen[release_id] = release
        elif canonical(current) != canonical(release):
            conflicts.add(release_id)
            chosen[release_id] = _preferred(current, release)
    ordered = sorted(chosen.values(), key=release_order)
    return ordered, conflicts


def _utc_text(value: Any) -> str | None:
    parsed = parse_date_time(value)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z") if parsed else None


def _end_date(value: Any) -> str | None:
    parsed = parse_date_time(value)
    return parsed.date().isoformat() if parsed else None


def build_record(
    ocid: str,
    releases: Sequence[dict[str, Any]],
    conflicts: Iterable[str],
    municipalities: Iterable[MunicipalityLike],
) -> dict[str, Any]:
    """The ``procurement_records`` document of ``ocid`` (raises ``CompileError`` if it cannot merge)."""
    process = compile_releases(releases)
    compiled = process.compiled
    summary = summarise(compiled)
    match = match_buyers(compiled, municipalities)
    shares = supplier_shares(compiled)
    classification = classify(compiled)
    money = summary.total_value
    periods = [asdict(p) for p in summary.contract_periods]
    live_ends = sorted(
        end
        for p in summary.contract_periods
        if p.status in LIVE_CONTRACT_STATUSES and (end := _end_date(p.end_date)) is not None
    )
    return {
        "_id": ocid,
        "ocid": ocid,
        "title": summary.title,
        "status": summary.status,
        "last_updated": summary.last_updated,
        "last_updated_at": _utc_text(summary.last_updated),
        "municipalities": list(match.municipality_codes),
        "technologies": [t["technology"] for t in classification],
        "suppliers": [s.id for s in shares],
        "supplier_refs": [asdict(s) for s in shares],
        "buyers": [asdict(b) for b in summary.buyers],
        "contract_periods": periods,
        "contract_end": live_ends[0] if live_ends else None,
        "total_value": money.amount if money else None,
        "currency": money.currency if money else None,
        "value_source": money.source if money else None,
        "total_value_nok": money.amount if money and money.currency == "NOK" else None,
        "match": {
            "matches": [{**asdict(m), "roles": list(m.roles)} for m in match.matches],
            "unmatched": [
                {"party_id": o.party_id, "name": o.name, "org_number": o.org_number} for o in match.unmatched
            ],
        },
        "classification": classification,
        "compile": {
            "release_ids": list(process.release_ids),
            "conflicts": sorted(set(conflicts) | set(process.conflicts)),
            "warnings": list(process.warnings),
        },
        "compiled_release": compiled,
        "versioned_release": process.versioned,
        "releases": list(releases),
    }


def record_links(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The link documents of a record: one per municipality, technology and supplier."""
    ocid = record["ocid"]
    common = {
        "ocid": ocid,
        "title": record.get("title"),
        "status": record.get("status"),
        "last_updated_at": record.get("last_updated_at"),
        "municipalities": record.get("municipalities", []),
        "technologies": record.get("technologies", []),
        "suppliers": [{"id": s["id"], "name": s["name"]} for s in record.get("supplier_refs", [])],
        "value_nok": record.get("total_value_nok"),
    }

    def link(kind: str, value: str, **extra: Any) -> dict[str, Any]:
        return {"_id": f"{ocid}|{kind}|{value}", **common, "kind": kind, "value": value, **extra}

    links = [link("municipality", code) for code in record.get("municipalities", [])]
    links += [
        link("technology", t["technology"], confidence=t["confidence"])
        for t in record.get("classification", [])
    ]
    links += [
        link("supplier", s["id"], name=s["name"], org_number=s["org_number"], value_nok=s["value_nok"])
        for s in record.get("supplier_refs", [])
    ]
    return links
