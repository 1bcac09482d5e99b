"""``alliance rebuild``: replay the topics from the start into fresh read models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alliance.cli.console import console, progress_bar
from alliance.cli.options import DataDir, load_settings

if TYPE_CHECKING:
    from alliance.bootstrap import Platform


def rebuild(data_dir: DataDir = None) -> None:
    """Replay the event log from the start into fresh views."""
    from alliance.bootstrap import build_platform
    from schemas.topics import PILOT_EVENTS
    from services.adoption.service import VIEW_COLLECTIONS
    from services.core.positions import POSITIONS
    from services.indicators.reports import COLLECTIONS as INDICATOR_COLLECTIONS
    from services.procurement.records import COLLECTIONS as PROCUREMENT_COLLECTIONS

    platform = build_platform(load_settings(data_dir))
    for collection in (*VIEW_COLLECTIONS, POSITIONS):
        platform.store.drop(collection)
    for collection in (*PROCUREMENT_COLLECTIONS, *INDICATOR_COLLECTIONS):
        platform.store.drop(collection)
    platform = build_platform(platform.settings, log=platform.log, store=platform.store)
    _replay_procurement(platform)
    total = _records(platform, PILOT_EVENTS.name)
    # Adoption and indicators both read pilot-events: every event is handled by each.
    readers = sum(1 for p in platform.pumps if p.topic == PILOT_EVENTS.name)
    with progress_bar("Replaying pilot-events", total * readers) as advance:
        while handled := sum(p.pump_once() for p in platform.pumps):
            advance(handled)
    console.print(f"Rebuilt views from {total} events.")
    platform.close()


def _records(platform: Platform, topic: str) -> int:
    """How many records ``topic`` holds over all its partitions."""
    return sum(platform.log.end_offset(topic, p) for p in platform.log.partitions(topic))


def _replay_procurement(platform: Platform) -> None:
    """Replay ``procurement-releases`` into the (dropped) procurement views."""
    from schemas.topics import PROCUREMENT_RELEASES

    topic = PROCUREMENT_RELEASES.name
    total = _records(platform, topic)
    with progress_bar(f"Replaying {topic}", total) as advance:
        for pump in platform.pumps:
            if pump.topic == topic:
                while handled := pump.pump_once():
                    advance(handled)
    console.print(f"Rebuilt procurement views from {total} releases.")
