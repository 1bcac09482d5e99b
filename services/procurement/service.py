"""The procurement service: consumes ``procurement-releases`` batches into read models.

Thin over the pure record building (:mod:`services.procurement.records`): decode and
screen each entry, load the records a batch touches (one round trip per collection),
recompile, and write records, links and suppliers back (the
:class:`~services.core.projector.Projector` base drops redeliveries and writes the consumer
position last).
Every write is idempotent and links are diffed against what the store actually holds,
so replaying a batch after a crash half-way (MongoDB has no multi-collection
transaction here) converges to the same state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from schemas.events import DeadLetter
from schemas.parsing import FieldError
from services.core.dead_letters import DeadLetterSink
from services.core.ports import Delete, DocumentStore, LogEntry, Upsert, Write
from services.core.projector import BatchReport, Projection, Projector

from .compile import CompileError
from .matching import MunicipalityRef, load_hedmark_municipalities
from .ownership import (
    NOT_PERMITTED,
    NOT_PERMITTED_MESSAGE,
    Publisher,
    buyer_org_numbers,
    may_publish,
    owners_of,
    speaks_for,
)
from .records import (
    COLLECTIONS,
    LINKS,
    RECORDS,
    SUPPLIERS,
    build_record,
    merge_releases,
    record_links,
    release_order,
)
from .screening import screen_release
from .suppliers import supplier_document
from .validation import Refusal, validate_release

INDEXES = {
    RECORDS: ("status", "contract_end"),
    LINKS: ("ocid", "kind", "value"),
    SUPPLIERS: ("name",),
}
_MERGE_CLASH = FieldError(
    "$", "merge_conflict", "the release cannot be merged with the earlier releases of its ocid"
)


@dataclass(slots=True)
class ProcurementBatchReport(BatchReport):
    """Also the records compiled."""

    records: int = 0


_NOT_PERMITTED = FieldError("$.buyer", NOT_PERMITTED, NOT_PERMITTED_MESSAGE)


@dataclass(frozen=True, slots=True)
class Incoming:
    """A release read from the log, with who published it (None: written past the API)."""

    entry: LogEntry
    release: dict[str, Any]
    publisher: Publisher | None


def unwrap_published(document: Any) -> tuple[Any, Publisher | None]:
    """(the release, its publisher) of a log record: the API's envelope, or a bare release."""
    if isinstance(document, dict) and "release" in document and "ocid" not in document:
        return document["release"], Publisher.from_dict(document.get("published_by"))
    return document, None


def _owned(record: dict[str, Any] | None, items: list[Incoming]) -> tuple[frozenset[str], list[Incoming]]:
    """The owners of a process after the incoming releases, and those releases they permit.

    In log order: each permitted release adds the buyers it names, so the owners of a
    process published by its buyers do not depend on the order its releases arrive in.
    """
    if record is not None:
        owners = set(record.get("owners") or ())
        if "owners" not in record:  # a record from before ownership was kept: its buyers
            owners = {n for r in record["releases"] for n in buyer_org_numbers(r)}
    else:
        owners = set(owners_of(items[0].release))
    permitted = []
    for item in items:
        if may_publish(owners, item.release, item.publisher):
            permitted.append(item)
            owners |= buyer_org_numbers(item.release)
    return frozenset(owners), permitted


def _with_publishers(
    record: dict[str, Any], before: dict[str, Any] | None, owners: frozenset[str], applied: list[Incoming]
) -> dict[str, Any]:
    """The record with its owners and, per release id, who published it (latest copy wins)."""
    published = {p["release_id"]: p for p in (before or {}).get("published_by") or ()}
    for item in applied:
        publisher = item.publisher
        release_id = str(item.release["id"])
        published[release_id] = {
            "release_id": release_id,
            "org_numbers": sorted(speaks_for(item.release, publisher)),
            "override": bool(publisher and publisher.override),
            "via": "api" if publisher is not None else "topic",
        }
    ordered = sorted(published.values(), key=lambda p: p["release_id"])
    return {**record, "owners": sorted(owners), "published_by": ordered}


def _errors(refusals: Sequence[Refusal]) -> list[FieldError]:
    return [FieldError(r.path, r.rule, r.message) for r in refusals]


class ProcurementService(Projector[ProcurementBatchReport]):
    """Consumer of ``procurement-releases`` that maintains records, links and suppliers."""

    name = "procurement"
    collections = COLLECTIONS
    indexes = INDEXES

    def __init__(
        self,
        store: DocumentStore,
        dead_letters: DeadLetterSink,
        municipalities: Sequence[MunicipalityRef] | None = None,
    ) -> None:
        self.municipalities = tuple(municipalities or load_hedmark_municipalities())
        super().__init__(store, dead_letters)

    def project(self, entries: Sequence[LogEntry]) -> Projection[ProcurementBatchReport]:
        """Screen the batch's releases and recompile the records of their ocids."""
        letters: list[DeadLetter] = []
        incoming: dict[str, list[Incoming]] = {}
        for entry in entries:
            release, publisher, errors, reason = self._decode(entry)
            if release is None:
                letters.append(self.dead_letters.letter(entry, reason, errors))
            else:
                incoming.setdefault(release["ocid"], []).append(Incoming(entry, release, publisher))

        existing = self.store.get_many(RECORDS, incoming) if incoming else {}
        records: dict[str, dict[str, Any]] = {}
        for ocid in sorted(incoming):
            record = existing.get(ocid)
            owners, permitted = _owned(record, incoming[ocid])
            letters += [
                self.dead_letters.letter(i.entry, NOT_PERMITTED, [_NOT_PERMITTED])
                for i in incoming[ocid]
                if i not in permitted
            ]
            if not permitted:
                continue
            record, refused = self._project(ocid, record, [(i.entry, i.release) for i in permitted])
            letters += [self.dead_letters.letter(e, "merge_conflict", [_MERGE_CLASH]) for e in refused]
            if record is not None:
                applied = [i for i in permitted if i.entry not in refused]
                records[ocid] = _with_publishers(record, existing.get(ocid), owners, applied)

        writes: list[Write] = [Upsert(RECORDS, doc) for doc in records.values()]
        writes += self._links_and_suppliers(records)
        return Projection(letters, writes, ProcurementBatchReport(records=len(records)))

    def _decode(
        self, entry: LogEntry
    ) -> tuple[dict[str, Any] | None, Publisher | None, list[FieldError], str]:
        try:
            document = orjson.loads(entry.value)
        except orjson.JSONDecodeError:
            return None, None, [FieldError("$", "invalid_json", "Not valid JSON")], "invalid_json"
        document, publisher = unwrap_published(document)
        refusals = validate_release(document)
        if refusals:
            return None, None, _errors(refusals), "validation_failed"
        # Producers writing to the log directly are screened here too: the store never
        # holds contact persons or identity numbers, whatever the log holds.
        clean, _, refusals = screen_release(document)
        if clean is None:
            return None, None, _errors(refusals), "identity_number"
        return clean, publisher, [], ""

    def _project(
        self, ocid: str, existing: dict[str, Any] | None, items: list[tuple[LogEntry, dict[str, Any]]]
    ) -> tuple[dict[str, Any] | None, list[LogEntry]]:
        stored = existing["releases"] if existing else []
        conflicts = set(existing["compile"]["conflicts"]) if existing else set()
        releases, found = merge_releases(stored, [release for _, release in items])
        try:
            return build_record(ocid, releases, conflicts | found, self.municipalities), []
        except CompileError:
            pass
        # Something in this batch cannot be merged: add the new releases one at a time in
        # date order and dead-letter those that break the merge.
        record, refused = existing, []
        ordered = sorted(items, key=lambda item: release_order(item[1]))
        for entry, release in ordered:
            current = record["releases"] if record else []
            known = set(record["compile"]["conflicts"]) if record else set()
            releases, found = merge_releases(current, [release])
            try:
                record = build_record(ocid, releases, known | found, self.municipalities)
            except CompileError:
                refused.append(entry)
        return record, refused

    def _links_and_suppliers(self, records: dict[str, dict[str, Any]]) -> list[Write]:
        if not records:
            return []
        stored_links = self.store.find(LINKS, {"ocid": {"$in": sorted(records)}})
        new_links = [link for doc in records.values() for link in record_links(doc)]
        new_ids = {link["_id"] for link in new_links}
        writes: list[Write] = [Upsert(LINKS, link) for link in new_links]
        writes += [Delete(LINKS, link["_id"]) for link in stored_links if link["_id"] not in new_ids]

        touched = sorted(
            {link["value"] for link in (*stored_links, *new_links) if link["kind"] == "supplier"}
        )
        if not touched:
            return writes
        others = [
            link
            for link in self.store.find(LINKS, {"kind": "supplier", "value": {"$in": touched}})
            if link["ocid"] not in records
        ]
        supplier_links = others + [link for link in new_links if link["kind"] == "supplier"]
        for supplier_id in touched:
            doc = supplier_document(supplier_id, supplier_links)
            writes.append(Delete(SUPPLIERS, supplier_id) if doc is None else Upsert(SUPPLIERS, doc))
        return writes
