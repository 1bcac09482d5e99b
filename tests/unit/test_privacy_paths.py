"""Identity-number paths name only the values that hold one."""

from __future__ import annotations

from schemas.privacy import identity_number_paths
from tests.support.factories import FNR


def test_a_large_number_beside_an_identity_number_is_not_named():
    # The whole value is walked once the fast scan finds FNR; 15087549958 fails the check digits.
    assert identity_number_paths({"note": f"bruker {FNR}", "count": 15087549958}) == ["note"]


def test_an_identity_number_given_as_a_number_is_named():
    assert identity_number_paths({"note": "ok", "count": int(FNR)}) == ["count"]
