"""The procurement read side: records, suppliers, the renewal radar and an OCDS record package.

Membership filters (municipality, technology, supplier) go through the link documents
with plain equality, which every store adapter supports; the remaining filters are
equality on the record or, for dates, applied here in Python (alliance scale: hundreds
of processes, not millions).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from schemas.reference import reference
from services.core.errors import NotFound
from services.core.ports import DocumentStore

from .records import HEAVY_FIELDS, LINKS, RECORDS, SUPPLIERS
from .schema import OCDS_VERSION
from .summary import ContractPeriod, ProcurementSummary, add_months, ending_within
from .validation import parse_date_time

PUBLISHER = "Innovasjonsallianse for velferdsteknologi i Innlandet"
SUMMARY_FIELDS = (
    "ocid",
    "title",
    "status",
    "last_updated",
    "municipalities",
    "technologies",
    "contract_end",
    "total_value",
    "currency",
    "value_source",
)
DETAIL_FIELDS = ("buyers", "match", "classification", "contract_periods", "compile", "owners", "published_by")
LIVE_STATUSES = ("contract", "implementation")


def summary_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The public summary of a record document (what lists and profiles show)."""
    row = {k: doc.get(k) for k in SUMMARY_FIELDS}
    row["suppliers"] = [
        {"id": s["id"], "name": s["name"], "org_number": s["org_number"]}
        for s in doc.get("supplier_refs", [])
    ]
    return row


def _number(total: Decimal) -> int | float:
    return int(total) if total == total.to_integral_value() else float(total)


class ProcurementQueries:
    """Read-only procurement views over the store."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self.ref = reference()

    def _linked(self, kind: str, value: str) -> set[str]:
        return {link["ocid"] for link in self.store.find(LINKS, {"kind": kind, "value": value})}

    def _summaries(self, ocids: set[str] | None, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        query = dict(where or {})
        if ocids is not None:
            if not ocids:
                return []
            query["_id"] = {"$in": sorted(ocids)}
        docs = self.store.find(RECORDS, query or None, exclude=HEAVY_FIELDS)
        return [summary_row(d) for d in docs]

    def _municipality_code(self, code: str) -> str:
        return self.ref.canonical_code(code) or code

    def records(
        self,
        municipality: str | None = None,
        technology: str | None = None,
        supplier: str | None = None,
        status: str | None = None,
        ending_before: date | None = None,
    ) -> list[dict[str, Any]]:
        """Summaries of the processes matching every filter given, by ocid.

        ``ending_before`` keeps processes whose earliest live contract ends before that day.
        """
        sets = [
            self._linked(kind, value)
            for kind, value in (
                ("municipality", self._municipality_code(municipality) if municipality else None),
                ("technology", technology),
                ("supplier", supplier),
            )
            if value
        ]
        ocids = set.intersection(*sets) if sets else None
        rows = self._summaries(ocids, {"status": status} if status else None)
        if ending_before is not None:
            limit = ending_before.isoformat()
            rows = [r for r in rows if r["contract_end"] is not None and r["contract_end"] < limit]
        return rows

    def owners(self, ocids: list[str]) -> dict[str, frozenset[str]]:
        """The owners of each known process (see :mod:`services.procurement.ownership`)."""
        docs = self.store.get_many(RECORDS, ocids) if ocids else {}
        return {ocid: frozenset(doc.get("owners") or ()) for ocid, doc in docs.items() if "owners" in doc}

    def record(self, ocid: str) -> dict[str, Any]:
        """The compiled record of ``ocid`` with its summary, releases and versioned release."""
        doc = self.store.get(RECORDS, ocid)
        if doc is None:
            raise NotFound(f"Unknown contracting process {ocid!r}")
        body = summary_row(doc)
        body.update({k: doc.get(k) for k in DETAIL_FIELDS})
        body.update({k: doc[k] for k in HEAVY_FIELDS})
        return body

    def suppliers(self) -> list[dict[str, Any]]:
        """Every supplier named in an award, by name."""
        return [self._supplier(d) for d in self.store.find(SUPPLIERS, sort="name")]

    def supplier(self, supplier_id: str) -> dict[str, Any]:
        """One supplier with the processes (contracts) naming it."""
        doc = self.store.get(SUPPLIERS, supplier_id)
        if doc is None:
            raise NotFound(f"Unknown supplier {supplier_id!r}; ids look like NO-BRC-923456708")
        body = self._supplier(doc)
        body["contracts"] = self._summaries(set(doc["ocids"]))
        return body

    @staticmethod
    def _supplier(doc: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k != "_id"}

    def radar(self, today: date, months: int) -> dict[str, Any]:
        """Live contracts ending between ``today`` and ``today`` + ``months``, soonest first."""
        docs = self.store.find(RECORDS, {"status": {"$in": list(LIVE_STATUSES)}}, exclude=HEAVY_FIELDS)
        rows = []
        for doc in docs:
            names = {m["municipality_code"]: m["municipality_name"] for m in doc["match"]["matches"]}
            for period in doc.get("contract_periods", []):
                single = ProcurementSummary(
                    ocid=doc["ocid"],
                    title=None,
                    status="contract",
                    buyers=(),
                    suppliers=(),
                    contract_periods=(ContractPeriod(**period),),
                    total_value=None,
                    last_updated=None,
                )
                if not ending_within(single, today, months):
                    continue
                end = parse_date_time(period["end_date"])
                assert end is not None  # ending_within only accepts parseable end dates
                rows.append(
                    {
                        **summary_row(doc),
                        "contract_id": period["contract_id"],
                        "contract_status": period["status"],
                        "end_date": end.date().isoformat(),
                        "days_left": (end.date() - today).days,
                        "municipalities": [
                            {"code": c, "name": names.get(c, c)} for c in doc["municipalities"]
                        ],
                    }
                )
        rows.sort(key=lambda r: (r["end_date"], r["ocid"], str(r["contract_id"])))
        return {
            "today": today.isoformat(),
            "months": months,
            "until": add_months(today, months).isoformat(),
            "contracts": rows,
        }

    def record_package(self, published_date: datetime, uri: str) -> dict[str, Any]:
        """An OCDS 1.1 record package of every process: embedded releases, compiled and versioned.

        Raises :class:`NotFound` when there is nothing yet (a record package needs a record).
        """
        docs = self.store.find(RECORDS)
        if not docs:
            raise NotFound("No procurement records yet")
        stamp = published_date.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return {
            "uri": uri,
            "version": OCDS_VERSION.rsplit(".", 1)[0],
            "publisher": {"name": PUBLISHER},
            "publishedDate": stamp,
            "records": [
                {
                    "ocid": doc["ocid"],
                    "releases": doc["releases"],
                    "compiledRelease": doc["compiled_release"],
                    "versionedRelease": doc["versioned_release"],
                }
                for doc in docs
            ],
        }

    def for_municipality(self, code: str) -> list[dict[str, Any]]:
        """Summaries of the processes a municipality takes part in (as a buyer)."""
        return self._summaries(self._linked("municipality", self._municipality_code(code)))

    def cells_for_municipality(self, code: str) -> dict[str, dict[str, Any]]:
        """Per technology: the suppliers and NOK contract value of the municipality's processes.

        A joint procurement counts in full for every participant, and a process classified
        into two technologies counts in both.
        """
        links = self.store.find(LINKS, {"kind": "municipality", "value": self._municipality_code(code)})
        return {technology: cell for (_m, technology), cell in _cell_extras(links).items()}

    def cells_index(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Suppliers and contract value for every (municipality, technology), in one read."""
        return _cell_extras(self.store.find(LINKS, {"kind": "municipality"}))

    def for_cell(self, municipality: str, technology: str) -> dict[str, Any]:
        """Suppliers and NOK contract value behind one adoption cell (empty when none)."""
        empty: dict[str, Any] = {"suppliers": [], "contract_value_nok": 0}
        return self.cells_for_municipality(municipality).get(technology, empty)


def _cell_extras(links: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for link in sorted(links, key=lambda item: item["ocid"]):
        for technology in link.get("technologies", []):
            cell = cells.setdefault((link["value"], technology), {"suppliers": {}, "value": Decimal(0)})
            for supplier in link.get("suppliers", []):
                cell["suppliers"].setdefault(supplier["id"], supplier)
            if link.get("value_nok") is not None:
                cell["value"] += Decimal(str(link["value_nok"]))
    return {
        key: {
            "suppliers": sorted(cell["suppliers"].values(), key=lambda s: s["id"]),
            "contract_value_nok": _number(cell["value"]),
        }
        for key, cell in cells.items()
    }
