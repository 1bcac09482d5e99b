"""Compilation of the releases of one contracting process (one ``ocid``).

ocdsmerge does the merging; this module makes the result independent of arrival order
and of duplicates, which ocdsmerge alone is not: it sorts by the ``date`` *string*
(wrong across time-zone offsets), keeps ties in input order, and merges duplicates twice.
Here releases are deduplicated on (``id``, instant of ``date``), ordered by
(instant, ``date`` text, ``id``) and appended one by one in that order.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from ocdsmerge import CompiledRelease, VersionedRelease
from ocdsmerge.exceptions import OCDSMergeError
from ocdsmerge.rules import MergeRules, get_merge_rules

from .schema import release_schema
from .validation import parse_date_time


class CompileError(ValueError):
    """The releases cannot be compiled together (no releases, mixed ocids, bad dates)."""


@dataclass(frozen=True)
class CompiledProcess:
    """The merged view of one contracting process.

    ``release_ids`` lists the releases merged, in merge order, after deduplication.
    ``conflicts`` names release ids that arrived more than once for the same date with
    different content (one copy was chosen deterministically). ``warnings`` carries
    ocdsmerge's warnings, e.g. duplicate ``id`` values inside one array.
    """

    ocid: str
    compiled: dict[str, Any]
    versioned: dict[str, Any]
    release_ids: tuple[str, ...]
    duplicates_dropped: int
    conflicts: tuple[str, ...]
    warnings: tuple[str, ...]


@cache
def _merge_rules() -> MergeRules:
    # Built from the packaged dict: ocdsmerge would otherwise download the latest schema.
    return get_merge_rules(copy.deepcopy(release_schema()))


def _canonical(release: Mapping[str, Any]) -> str:
    return json.dumps(release, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _instant(release: Mapping[str, Any]) -> datetime:
    parsed = parse_date_time(release.get("date"))
    if parsed is None:
        raise CompileError(
            f"release {release.get('id')!r} has no valid RFC 3339 date; validate before compiling"
        )
    return parsed


def prepare_releases(
    releases: Iterable[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], int, tuple[str, ...]]:
    """Deduplicate and order releases for merging.

    Returns (releases in merge order, number of duplicates dropped, conflicting ids).
    Among copies with the same ``id`` and date instant the one with the smallest
    canonical JSON wins, so the choice does not depend on arrival order.
    """
    chosen: dict[tuple[str, datetime], dict[str, Any]] = {}
    conflicts: set[str] = set()
    seen = 0
    for release in releases:
        if not isinstance(release, Mapping):
            raise CompileError("every release must be a JSON object")
        seen += 1
        key = (str(release.get("id")), _instant(release))
        candidate = dict(release)
        current = chosen.get(key)
        if current is None:
            chosen[key] = candidate
            continue
        if _canonical(current) != _canonical(candidate):
            conflicts.add(key[0])
            if _canonical(candidate) < _canonical(current):
                chosen[key] = candidate
    ordered = sorted(
        chosen.values(),
        key=lambda r: (_instant(r), str(r.get("date")), str(r.get("id")), _canonical(r)),
    )
    return ordered, seen - len(ordered), tuple(sorted(conflicts))


def compile_releases(releases: Iterable[Mapping[str, Any]]) -> CompiledProcess:
    """Compile releases that all share one ``ocid`` into compiled and versioned releases.

    Raises :class:`CompileError` for an empty input, mixed ocids or missing/invalid
    dates (run :func:`services.procurement.validation.split_package` first). The input
    is not modified and the output shares no objects with it.
    """
    ordered, dropped, conflicts = prepare_releases(releases)
    if not ordered:
        raise CompileError("no releases to compile")
    ocids = {r.get("ocid") for r in ordered}
    if len(ocids) != 1 or not isinstance(next(iter(ocids)), str):
        raise CompileError("releases to compile together must share one ocid")
    ocid = str(next(iter(ocids)))

    rules = _merge_rules()
    compiled = CompiledRelease(merge_rules=rules)
    versioned = VersionedRelease(merge_rules=rules)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # append() one at a time: extend() would re-sort by the date string.
            for release in ordered:
                compiled.append(copy.deepcopy(release))
                versioned.append(copy.deepcopy(release))
            # Type clashes between releases only surface when unflattening.
            compiled_dict = copy.deepcopy(compiled.asdict())
            versioned_dict = copy.deepcopy(versioned.asdict())
        except OCDSMergeError as exc:
            raise CompileError(f"releases cannot be merged: {exc}") from exc
    messages = tuple(sorted({str(w.message) for w in caught}))
    return CompiledProcess(
        ocid=ocid,
        compiled=compiled_dict,
        versioned=versioned_dict,
        release_ids=tuple(str(r.get("id")) for r in ordered),
        duplicates_dropped=dropped,
        conflicts=conflicts,
        warnings=messages,
    )


def compile_by_ocid(releases: Iterable[Mapping[str, Any]]) -> dict[str, CompiledProcess]:
    """Group releases by ``ocid`` and compile each group; keys are sorted ocids."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for release in releases:
        ocid = release.get("ocid") if isinstance(release, Mapping) else None
        if not isinstance(ocid, str) or not ocid:
            raise CompileError("every release needs an ocid; validate before compiling")
        groups.setdefault(ocid, []).append(release)
    return {ocid: compile_releases(groups[ocid]) for ocid in sorted(groups)}
