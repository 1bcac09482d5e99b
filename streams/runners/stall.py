"""When a worker is stalled: it holds partitions with work waiting, yet takes no batch for long.

Faust can stop handing records to an agent for good after a group member dies in the middle
of a rebalance (faust-streaming issues #175, #640): the event loop keeps ticking, so the
liveness probe stays green, while the lag grows. The worker then exits so that its
supervisor starts it again; nothing is lost, because each position is stored with the state
it produced and a restarted worker carries on from there.

Pure: the caller passes the time and what it knows about lag.
"""

from __future__ import annotations

from dataclasses import dataclass

STALL_EXIT_CODE = 75  # EX_TEMPFAIL: try again


@dataclass
class StallWatch:
    """Tracks progress; ``limit`` seconds without it while work waits is a stall (0: never)."""

    limit: float
    last_progress: float
    busy: bool = False

    def progressed(self, now: float) -> None:
        """A batch was taken or finished, or the partitions were (re)assigned."""
        self.last_progress = now

    def stalled(self, now: float, work_waiting: bool) -> bool:
        """Whether to give up: work waits, no batch is in hand, and none came for ``limit``.

        A batch in hand (even one retrying while a server is down) is not a stall, and
        neither is an idle worker: the clock restarts whenever nothing waits.
        """
        if self.busy or not work_waiting:
            self.last_progress = now
            return False
        return self.limit > 0 and now - self.last_progress > self.limit
