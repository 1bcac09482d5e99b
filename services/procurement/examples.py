"""A realistic (fictional) joint procurement for demos and tests.

Elverum, Trysil and Åmot in Sør-Østerdal buy safety alarms (trygghetsalarmer) with a
response-centre service together, Elverum leading. The process runs tender -> award ->
contract -> early termination. Municipal names and organisation numbers are real
public register data; the supplier, its organisation number (checksum-valid only),
the contact persons and all amounts are invented. The ocid prefix ``ocds-213czf`` is
the one OCDS uses for its own fictional examples.
"""

from __future__ import annotations

import copy
from typing import Any

EXAMPLE_OCID = "ocds-213czf-soe-2022-001"

_ELVERUM = {
    "id": "NO-BRC-952857991",
    "name": "Elverum kommune",
    "identifier": {"scheme": "NO-BRC", "id": "952857991", "legalName": "ELVERUM KOMMUNE"},
    "address": {"locality": "Elverum", "postalCode": "2418", "countryName": "Norge"},
    "contactPoint": {
        "name": "Kari Nordmann",
        "email": "kari.nordmann@example.org",
        "telephone": "+47 400 00 000",
        "url": "https://www.elverum.kommune.no/",
    },
    "roles": ["buyer", "procuringEntity"],
}
# Trysil's number only in additionalIdentifiers, spaced as people type it, and the
# name in register capitals: both are common in real notices.
_TRYSIL = {
    "id": "NO-BRC-864948502",
    "name": "TRYSIL KOMMUNE",
    "additionalIdentifiers": [{"scheme": "NO-BRC", "id": "864 948 502"}],
    "address": {"locality": "Trysil", "countryName": "Norge"},
    "roles": ["buyer"],
}
_AMOT = {
    "id": "NO-BRC-940152496",
    "name": "Åmot kommune",
    "identifier": {"scheme": "NO-BRC", "id": "940152496", "legalName": "ÅMOT KOMMUNE"},
    "address": {"locality": "Rena", "countryName": "Norge"},
    "contactPoint": {"name": "Ola Nordmann", "email": "ola.nordmann@example.org"},
    "roles": ["buyer"],
}
SUPPLIER_ORG_NUMBER = "923456708"
_SUPPLIER = {
    "id": f"NO-BRC-{SUPPLIER_ORG_NUMBER}",
    "name": "Fjellvakt Trygghet AS",
    "identifier": {
        "scheme": "NO-BRC",
        "id": SUPPLIER_ORG_NUMBER,
        "legalName": "FJELLVAKT TRYGGHET AS",
    },
    "address": {"locality": "Hamar", "countryName": "Norge"},
    "contactPoint": {
        "name": "Per Hansen",
        "email": "per.hansen@example.com",
        "telephone": "+47 900 00 000",
    },
    "roles": ["supplier", "tenderer"],
}
_BUYER_REF = {"id": _ELVERUM["id"], "name": _ELVERUM["name"]}
_SUPPLIER_REF = {"id": _SUPPLIER["id"], "name": _SUPPLIER["name"]}
_CONTRACT_ID = "SOE-2022-001-K1"
_AWARD_ID = "SOE-2022-001-A1"
_NOK = "NOK"

_ITEMS = [
    {
        "id": "1",
        "description": "Digitale trygghetsalarmer, stasjonære og mobile, med installasjon",
        "classification": {
            "scheme": "CPV",
            "id": "33196200",
            "description": "Devices for the disabled",
        },
        "quantity": 900,
        "unit": {"name": "stk"},
    },
    {
        "id": "2",
        "description": "Responssentertjeneste med døgnbemanning og utrykning",
        "classification": {
            "scheme": "CPV",
            "id": "79711000",
            "description": "Alarm-monitoring services",
        },
    },
]


def _release(release_id: str, date: str, tag: str, **sections: Any) -> dict[str, Any]:
    return {
        "ocid": EXAMPLE_OCID,
        "id": f"{EXAMPLE_OCID}-{release_id}",
        "date": date,
        "tag": [tag],
        "initiationType": "tender",
        "language": "nb",
        "buyer": _BUYER_REF,
        **sections,
    }


def sor_osterdal_safety_alarm_releases() -> list[dict[str, Any]]:
    """Four OCDS 1.1 releases of one joint safety-alarm procurement, oldest first.

    Valid against the OCDS 1.1.5 release schema. Contact points name (fictional)
    people, so the releases also exercise sanitising. A fresh copy every call.
    """
    tender = _release(
        "01-tender",
        "2022-01-10T09:00:00+01:00",
        "tender",
        parties=[_ELVERUM, _TRYSIL, _AMOT],
        tender={
            "id": "SOE-2022-001",
            "title": "Trygghetsalarmer og responssenter – felles anskaffelse i Sør-Østerdal",
            "description": (
                "Elverum kommune gjennomfører på vegne av Elverum, Trysil og Åmot en felles "
                "anskaffelse av digitale trygghetsalarmer med tilhørende responssentertjeneste."
            ),
            "status": "active",
            "procuringEntity": _BUYER_REF,
            "mainProcurementCategory": "services",
            "procurementMethod": "open",
            "value": {"amount": 12000000, "currency": _NOK},
            "items": _ITEMS,
            "tenderPeriod": {
                "startDate": "2022-01-10T09:00:00+01:00",
                "endDate": "2022-02-28T12:00:00+01:00",
            },
            "contractPeriod": {
                "startDate": "2022-09-01T00:00:00+02:00",
                "endDate": "2026-08-31T23:59:59+02:00",
            },
        },
    )
    award = _release(
        "02-award",
        "2022-05-20T10:00:00+02:00",
        "award",
        parties=[_ELVERUM, _TRYSIL, _AMOT, _SUPPLIER],
        tender={"id": "SOE-2022-001", "status": "complete"},
        awards=[
            {
                "id": _AWARD_ID,
                "title": "Tildeling: trygghetsalarmer og responssenter",
                "status": "active",
                "date": "2022-05-20T10:00:00+02:00",
                "value": {"amount": 10450000, "currency": _NOK},
                "suppliers": [_SUPPLIER_REF],
                "contractPeriod": {
                    "startDate": "2022-09-01T00:00:00+02:00",
                    "endDate": "2026-08-31T23:59:59+02:00",
                },
            }
        ],
    )
    contract = _release(
        "03-contract",
        "2022-06-15T14:30:00+02:00",
        "contract",
        contracts=[
            {
                "id": _CONTRACT_ID,
                "awardID": _AWARD_ID,
                "title": "Rammeavtale om trygghetsalarmer og responssentertjeneste",
                "status": "active",
                "period": {
                    "startDate": "2022-09-01T00:00:00+02:00",
                    "endDate": "2026-08-31T23:59:59+02:00",
                },
                "value": {"amount": 10450000, "currency": _NOK},
                "dateSigned": "2022-06-15T12:00:00+02:00",
                "items": _ITEMS,
            }
        ],
    )
    termination = _release(
        "04-termination",
        "2024-03-28T08:15:00+01:00",
        "contractTermination",
        contracts=[
            {
                "id": _CONTRACT_ID,
                "awardID": _AWARD_ID,
                "status": "terminated",
                "period": {
                    "startDate": "2022-09-01T00:00:00+02:00",
                    "endDate": "2024-06-30T23:59:59+02:00",
                },
                "amendments": [
                    {
                        "id": "1",
                        "date": "2024-03-28T08:15:00+01:00",
                        "rationale": (
                            "Avtalen er sagt opp med tre måneders varsel etter vesentlig "
                            "mislighold av krav til responstid."
                        ),
                    }
                ],
            }
        ],
    )
    return copy.deepcopy([tender, award, contract, termination])
