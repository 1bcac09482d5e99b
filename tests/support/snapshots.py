"""Every read view of a running platform, fetched through its API, for comparing two runs.

A rebuild, a fault or a replay must leave *every* view as an undisturbed run has it, not
only the adoption table: pilots (with their histories, metrics and lessons), cells,
profiles, lessons, benefits, diffusion, peers, procurement records, suppliers, the renewal
radar, alarms, competence and event statuses. ``views(client)`` reads them all, as the
coordinator (nothing suppressed), and drops nothing but the response headers.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def views(client: Any, event_ids: Iterable[str] = ()) -> dict[str, Any]:
    """Every view by its path; details for every pilot, record, supplier, member and technology."""
    out: dict[str, Any] = {path: _get(client, path) for path in LISTS}
    pilots: set[str] = set()
    for municipality in reference().municipalities:
        profile = _get(client, f"/v1/municipalities/{municipality.code}")
        out[f"/v1/municipalities/{municipality.code}"] = profile
        for pilot in (profile or {}).get("pilots", []):
            pilots.add(pilot["pilot_id"])
    for technology in reference().technologies:
        out[f"/v1/technologies/{technology.code}"] = _get(client, f"/v1/technologies/{technology.code}")
        diffusion = f"/v1/technologies/{technology.code}/diffusion"
        out[diffusion] = _get(client, diffusion)
        for code in PEERS_OF:
            peers = f"/v1/municipalities/{code}/peers?technology={technology.code}"
            out[peers] = _get(client, peers)
    for pilot_id in sorted(pilots):
        out[f"/v1/pilots/{pilot_id}"] = _get(client, f"/v1/pilots/{pilot_id}")
    for record in out["/v1/procurement/records"] or []:
        path = f"/v1/procurement/records/{record['ocid']}"
        out[path] = _get(client, path)
    for supplier in out["/v1/suppliers"] or []:
        path = f"/v1/suppliers/{supplier['id']}"
        out[path] = _get(client, path)
    for event_id in event_ids:
        out[f"/v1/events/{event_id}"] = _get(client, f"/v1/events/{event_id}")
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
