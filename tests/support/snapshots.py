"""Every read view of a running platform, fetched through its API, for comparing two runs.

A rebuild, a fault or a replay must leave *every* view as an undisturbed run has it, not
only the adoption table: pilots (with their histories, metrics and lessons), cells,
profiles, lessons, benefits, diffusion, peers, procurement records, suppliers, the renewal
radar, alarms, competence and event statuses. ``views(client)`` reads them all, as the
coordinator (nothing suppressed), and drops nothing but the response headers.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from schemas.reference import reference
from services.adoption.service import VIEW_COLLECTIONS
from services.core.ports import Delete, Upsert
from services.core.positions import POSITIONS
from services.indicators.reports import COLLECTIONS as INDICATOR_COLLECTIONS
from services.procurement.records import COLLECTIONS as PROCUREMENT_COLLECTIONS

VIEWS = (*VIEW_COLLECTIONS, *PROCUREMENT_COLLECTIONS, *INDICATOR_COLLECTIONS)
# Peers are one derivation of the same facts for every asker: three askers in three regions
# (Elverum, Hamar, Kongsvinger) cover it without a request per municipality.
PEERS_OF = ("3420", "3403", "3401")
LISTS = (
    "/v1/adoption",
    "/v1/municipalities",
    "/v1/technologies",
    "/v1/lessons?limit=500",
    "/v1/benefits",
    "/v1/procurement/records",
    "/v1/procurement/radar?months=120",
    "/v1/suppliers",
    "/v1/alarms",
    "/v1/competence",
)


def _get(client: Any, path: str) -> Any:
    response = client.get(path)
    assert response.status_code in (200, 404), (path, response.status_code, response.text[:300])
    return response.json() if response.status_code == 200 else None


def views(client: Any, event_ids: Iterable[str] = (), parallel: int = 1) -> dict[str, Any]:
    """Every view by its path; details for every pilot, record, supplier, member and technology.

    ``parallel`` requests at a time, from threads (the client must then be safe to share
    between threads, as an ``httpx.Client`` is); each round of paths depends only on the
    rounds before it. With ``parallel=1`` every request is made from the calling thread.
    """
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        each = pool.map if parallel > 1 else map

        def fetch(paths: Iterable[str]) -> dict[str, Any]:
            paths = list(paths)
            return dict(zip(paths, each(lambda path: _get(client, path), paths), strict=True))

        out = fetch(LISTS)
        profiles = fetch(f"/v1/municipalities/{m.code}" for m in reference().municipalities)
        out.update(profiles)
        pilots = {
            pilot["pilot_id"] for profile in profiles.values() for pilot in (profile or {}).get("pilots", [])
        }
        details = []
        for technology in reference().technologies:
            details += [
                f"/v1/technologies/{technology.code}",
                f"/v1/technologies/{technology.code}/diffusion",
            ]
            details += [f"/v1/municipalities/{code}/peers?technology={technology.code}" for code in PEERS_OF]
        details += [f"/v1/pilots/{pilot_id}" for pilot_id in sorted(pilots)]
        details += [
            f"/v1/procurement/records/{record['ocid']}" for record in out["/v1/procurement/records"] or []
        ]
        details += [f"/v1/suppliers/{supplier['id']}" for supplier in out["/v1/suppliers"] or []]
        details += [f"/v1/events/{event_id}" for event_id in event_ids]
        out.update(fetch(details))
    return out


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """The paths whose views differ (empty when the two runs agree everywhere)."""
    return sorted(path for path in expected.keys() | actual.keys() if expected.get(path) != actual.get(path))


def drop_views(platform: Any) -> None:
    """Every read model and consumer position gone."""
    for collection in (*VIEWS, POSITIONS):
        platform.store.drop(collection)


def corrupt_views(platform: Any) -> None:
    """Wrong documents everywhere, half of them gone, and every position at the log's end."""
    writes = []
    for collection in VIEWS:
        for index, doc in enumerate(platform.store.find(collection)):
            if index % 2:
                writes.append(Delete(collection, doc["_id"]))
            else:
                writes.append(Upsert(collection, {**doc, **{k: None for k in doc if k != "_id"}}))
    for doc in platform.store.find(POSITIONS):
        topic, partition = doc["topic"], doc["partition"]
        writes.append(Upsert(POSITIONS, {**doc, "offset": platform.log.end_offset(topic, partition)}))
    platform.store.write(writes)
