"""Who may write into a contracting process: the rule of ownership of an ``ocid``.

Rule: an ``ocid`` belongs to the organisations that first published it — the buyers of its
first release (parties with the role ``buyer`` or ``procuringEntity``, by organisation
number; a host municipality running a competition for others is its procuring entity). A
later release into that ``ocid`` is accepted only from one of its owners; from anyone else
it is refused ``not_permitted``, unless a coordinator with ``alliance:admin`` publishes it
(an override, recorded with the release). The buyers an accepted release names join the
owners: an owner can bring co-buyers into a joint procurement, and the owners of a
process its buyers publish do not depend on the order its releases arrive in. An ``ocid``
whose first release names no organisation number has no owners to protect and takes
releases from anyone.

Who published a release is the submitter the API authenticated, carried with the release
in the log (:class:`Publisher`). A release produced straight onto the topic carries no
submitter: it speaks for the buyers it names, and Kafka's own ACLs decide who may produce
at all (``deploy/kafka/acls.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .parties import buyer_organisations

NOT_PERMITTED = "not_permitted"
NOT_PERMITTED_MESSAGE = "the contracting process belongs to other buyers; only they may add releases"


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who published a release: the organisation, and whether as an admin override."""

    org_number: str | None
    override: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"org_number": self.org_number, "override": self.override}

    @staticmethod
    def from_dict(value: Any) -> Publisher | None:
        if not isinstance(value, Mapping):
            return None
        org = value.get("org_number")
        return Publisher(org if isinstance(org, str) else None, value.get("override") is True)


def buyer_org_numbers(release: Mapping[str, Any]) -> frozenset[str]:
    """The organisation numbers of a release's buyers and procuring entities."""
    return frozenset(n for o in buyer_organisations(dict(release)) for n in o.org_numbers)


def owners_of(first_release: Mapping[str, Any]) -> frozenset[str]:
    """The owners an ``ocid`` gets from its first release."""
    return buyer_org_numbers(first_release)


def speaks_for(release: Mapping[str, Any], publisher: Publisher | None) -> frozenset[str]:
    """The organisations a release is published for: its submitter, else the buyers it names."""
    if publisher is not None and publisher.org_number is not None:
        return frozenset({publisher.org_number})
    return buyer_org_numbers(release)


def may_publish(owners: Iterable[str], release: Mapping[str, Any], publisher: Publisher | None) -> bool:
    """Whether ``release`` may go into a process owned by ``owners`` (see the module)."""
    owners = frozenset(owners)
    if not owners or (publisher is not None and publisher.override):
        return True
    return bool(owners & speaks_for(release, publisher))
