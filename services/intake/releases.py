"""Accepting OCDS releases: validate, screen personal data out, publish to the log.

One submission is a release package, a list of releases or a single release (already
decoded from JSON). Each release is judged on its own: valid releases land even when
others in the same submission are refused. A refused release is neither published nor
stored; a refusal names the JSON path and the rule, never the refused value. Personal
data (contact persons, identity numbers) is removed *before* anything is published, so
the log never holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import orjson

from schemas.privacy import text_contains_identity_number
from schemas.topics import PROCUREMENT_RELEASES
from services.core.ports import EventLog, LogRecord
from services.procurement.ownership import NOT_PERMITTED, NOT_PERMITTED_MESSAGE, Publisher, may_publish
from services.procurement.parties import buyer_organisations
from services.procurement.screening import screen_release
from services.procurement.validation import Refusal, parse_date_time, split_package

MAX_PACKAGE_BYTES = 5 * 1024 * 1024
MAX_RELEASES = 1000
# A release dated in the future would win every later merge; a day covers clock skew.
FUTURE_TOLERANCE = timedelta(days=1)

Outcome = Literal["accepted", "refused"]
_JSON_TYPES = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


@dataclass(slots=True)
class ReleaseOutcome:
    """What happened to one release of a submission.

    ``ocid`` and ``release_id`` are echoed only when they are safe to repeat; ``removed``
    lists the paths of personal data taken out of an accepted release.
    """

    index: int
    outcome: Outcome
    ocid: str | None = None
    release_id: str | None = None
    refusals: list[Refusal] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``{"index", "status", "ocid", "id", "refusals"| "removed"}``."""
        body: dict[str, Any] = {
            "index": self.index,
            "status": self.outcome,
            "ocid": self.ocid,
            "id": self.release_id,
        }
        if self.outcome == "refused":
            body["refusals"] = [_refusal_dict(r) for r in self.refusals]
        else:
            body["removed"] = list(self.removed)
        return body


@dataclass(slots=True)
class SubmissionResult:
    """Per-release outcomes, plus refusals of the submission as a whole (size, shape)."""

    results: list[ReleaseOutcome] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    releases_submitted: int = 0

    @property
    def accepted(self) -> int:
        """Releases published to the log."""
        return sum(1 for r in self.results if r.outcome == "accepted")

    @property
    def refused(self) -> int:
        """Releases refused (all of them when the submission itself was refused)."""
        if self.refusals:
            return max(self.releases_submitted, 1)
        return sum(1 for r in self.results if r.outcome == "refused")

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``{"results", "accepted", "refused", "refusals"}``."""
        return {
            "results": [r.as_dict() for r in self.results],
            "accepted": self.accepted,
            "refused": self.refused,
            "refusals": [_refusal_dict(r) for r in self.refusals],
        }


def _refusal_dict(refusal: Refusal) -> dict[str, str]:
    return {"path": refusal.path, "rule": refusal.rule, "message": refusal.message}


def _safe_text(value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= 200 and not text_contains_identity_number(value):
        return value
    return None


def _shape(value: Any) -> tuple[list[Any] | None, str]:
    """(the releases submitted, the path prefix of release ``i``); ``None`` when not countable."""
    if isinstance(value, list):
        return value, "$"
    if isinstance(value, dict) and isinstance(value.get("releases"), list):
        return value["releases"], "$.releases"
    if isinstance(value, dict) and "releases" not in value and "records" not in value:
        return [value], ""
    return None, "$"


def release_path(prefix: str, index: int) -> str:
    """Root of release ``index``: ``$.releases[i]``, ``$[i]`` or ``$`` for a single release."""
    return "$" if prefix == "" else f"{prefix}[{index}]"


def published(release: dict[str, Any], publisher: Publisher) -> dict[str, Any]:
    """The log record of an accepted release: the release and who published it."""
    return {"release": release, "published_by": publisher.as_dict()}


def _bought_by(release: dict[str, Any], org_number: str) -> bool:
    return any(org_number in o.org_numbers for o in buyer_organisations(release))


class ProcurementIngest:
    """Validates, screens and publishes releases to ``procurement-releases`` (keyed by ocid)."""

    def __init__(
        self,
        log: EventLog,
        clock: Callable[[], datetime],
        max_bytes: int = MAX_PACKAGE_BYTES,
        max_releases: int = MAX_RELEASES,
        owners: Callable[[list[str]], Mapping[str, frozenset[str]]] | None = None,
    ) -> None:
        self.log = log
        self.clock = clock
        self.max_bytes = max_bytes
        self.max_releases = max_releases
        self.owners = owners or (lambda _ocids: {})

    def submit(
        self, value: Any, buyer_org: str | None = None, publisher: Publisher | None = None
    ) -> SubmissionResult:
        """Judge and publish one decoded submission; one ``log.append`` for all it accepts.

        ``buyer_org`` is the organisation number the submitter speaks for: a release that
        does not name it among its buyers is refused (``buyer``, ``not_permitted``).
        ``publisher`` is who submits (:mod:`services.procurement.ownership`): a release into
        a process owned by others is refused ``not_permitted`` here already when the record
        is known, and always by the procurement service, which has the last word. ``None``
        means a trusted path (file import, the platform operator), published as an override.

        Raises :class:`services.core.ports.Unavailable` when the log cannot acknowledge; then
        nothing was published and a retry is safe (the service ignores redelivery).
        """
        items, prefix = _shape(value)
        result = SubmissionResult(releases_submitted=len(items) if items is not None else 0)
        envelope = self._limits(value, items, prefix)
        if envelope:
            result.refusals = envelope
            return result
        _, refusals = split_package(value)
        if items is None:
            result.refusals = refusals
            return result
        by_index: dict[int, list[Refusal]] = {}
        for refusal in refusals:
            index = 0 if refusal.release_index is None and prefix == "" else refusal.release_index
            if index is None:
                result.refusals.append(refusal)
            else:
                by_index.setdefault(index, []).append(refusal)
        if result.refusals:
            return result

        now = self.clock()
        publisher = publisher or Publisher(None, override=True)
        known = self.owners(
            sorted({r["ocid"] for r in items if isinstance(r, dict) and isinstance(r.get("ocid"), str)})
        )
        publish: list[dict[str, Any]] = []
        for index, release in enumerate(items):
            outcome = ReleaseOutcome(index, "refused")
            if isinstance(release, dict):
                outcome.ocid = _safe_text(release.get("ocid"))
                outcome.release_id = _safe_text(release.get("id"))
            if index in by_index:
                outcome.refusals = by_index[index]
            else:
                root = release_path(prefix, index)
                clean, removed, found = screen_release(release, root, index)
                found += self._future_date(release, root, index, now)
                if buyer_org is not None and clean is not None and not _bought_by(clean, buyer_org):
                    found.append(
                        Refusal(f"{root}.buyer", NOT_PERMITTED, "the submitter must be a buyer", index)
                    )
                owned_by = known.get(clean["ocid"]) if clean is not None and not found else None
                if owned_by is not None and not may_publish(owned_by, clean, publisher):
                    found.append(Refusal(f"{root}.buyer", NOT_PERMITTED, NOT_PERMITTED_MESSAGE, index))
                if clean is None or found:
                    outcome.refusals = found
                else:
                    outcome.outcome, outcome.removed = "accepted", removed
                    publish.append(clean)
            result.results.append(outcome)
        if publish:
            self.log.append(
                PROCUREMENT_RELEASES.name,
                [LogRecord(key=r["ocid"], value=orjson.dumps(published(r, publisher))) for r in publish],
            )
        return result

    def _limits(self, value: Any, items: list[Any] | None, prefix: str) -> list[Refusal]:
        if not isinstance(value, (dict, list)):
            # Also keeps split_package from reading a JSON string as JSON text.
            kind = _JSON_TYPES.get(type(value), type(value).__name__)
            return [
                Refusal(
                    "$", "type", f"expected a release package, a list of releases or a release, not {kind}"
                )
            ]
        try:
            size = len(orjson.dumps(value))
        except TypeError:
            return [Refusal("$", "type", "must be JSON data")]
        if size > self.max_bytes:
            mib = self.max_bytes / (1024 * 1024)
            return [Refusal("$", "max_size", f"the submission must be at most {mib:g} MiB of JSON")]
        if items is not None and len(items) > self.max_releases:
            return [
                Refusal(
                    prefix or "$",
                    "max_items",
                    f"at most {self.max_releases} releases per submission; split it",
                )
            ]
        return []

    @staticmethod
    def _future_date(release: dict[str, Any], root: str, index: int, now: datetime) -> list[Refusal]:
        date = parse_date_time(release.get("date"))
        if date is not None and date > now + FUTURE_TOLERANCE:
            return [Refusal(f"{root}.date", "future_date", "must not be in the future", index)]
        return []
