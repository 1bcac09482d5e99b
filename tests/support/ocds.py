"""A small valid OCDS release for tests, with chosen buyers."""

from __future__ import annotations

from typing import Any

from tests.support.auth import org_of

MUNICIPALITIES = {"3420": "Elverum kommune", "3403": "Hamar kommune", "3425": "Trysil kommune"}


def release(ocid: str, release_id: str, buyers: list[str], day: int = 1) -> dict[str, Any]:
    """A small valid OCDS release of ``ocid`` whose buyers are the given municipalities."""
    parties = [
        {
            "id": f"NO-BRC-{org_of(code)}",
            "name": MUNICIPALITIES[code],
            "identifier": {"scheme": "NO-BRC", "id": org_of(code), "legalName": MUNICIPALITIES[code]},
            "roles": ["buyer"],
        }
        for code in buyers
    ]
    return {
        "ocid": ocid,
        "id": release_id,
        "date": f"2024-01-{day:02d}T10:00:00Z",
        "tag": ["planning"],
        "initiationType": "tender",
        "buyer": {"id": parties[0]["id"], "name": parties[0]["name"]},
        "parties": parties,
        "tender": {"id": f"{ocid}-t", "title": f"Anskaffelse {release_id}"},
    }
