"""Synthetic demo data for ``alliance up --demo``: made up, plausible, deterministic.

Nothing here describes a real pilot, platform or procurement. :mod:`.pilots` gives the
members' pilot history, :mod:`.indicators` alarm-reception and competence figures, and
:mod:`.procurement` OCDS releases of a fictional joint tender. The same seed gives the same
events and ids, so loading the demo twice changes nothing.
"""

from alliance.demo.indicators import demo_indicator_events
from alliance.demo.pilots import demo_events
from alliance.demo.procurement import demo_releases

__all__ = ["demo_events", "demo_indicator_events", "demo_releases"]
