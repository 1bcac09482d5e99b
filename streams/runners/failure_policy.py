"""What a runner does when a batch fails: one policy for the embedded runner and the Faust workers.

* :class:`~services.core.ports.Unavailable` (a server is down): the same batch is retried
  after a pause that doubles from 0.5 s up to 30 s. Its position does not move, so the
  stream stops rather than skipping anything.
* Any other error (a bug, or a message the projection cannot cope with): it is logged with
  its traceback and the batch is skipped — dead-lettered as ``processing_error`` and its
  position moved past it, so the lag drops — and the next batch follows. After the fix a
  replay of the letters applies the events, once (their ``event_id`` sees to that).
* The skip itself is retried like a batch while a server is down, whatever stops it: a batch
  never goes by with neither its state nor its letters written.

Decisions only: the runner makes the calls and the pauses, in a thread
(:mod:`streams.runners.embedded`) or an executor (:mod:`streams.runners.faust_worker`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

from services.core.ports import LogEntry, Unavailable
from services.core.projector import PROCESSING_ERROR, BatchConsumer

log = logging.getLogger(__name__)
FIRST_PAUSE_SECONDS = 0.5
MAX_PAUSE_SECONDS = 30.0


class Backoff:
    """Pauses between retries: 0.5 s, doubling each time, never more than 30 s."""

    def __init__(self) -> None:
        self.pause = FIRST_PAUSE_SECONDS

    def next(self) -> float:
        """The pause before the next retry."""
        pause = self.pause
        self.pause = min(self.pause * 2, MAX_PAUSE_SECONDS)
        return pause


class BatchAttempt:
    """One batch's way through the policy: run each of :meth:`calls`, report how it went.

    ``on_retry`` is told of every retry (the ``batch_retries`` metric).
    """

    def __init__(
        self,
        consumer: BatchConsumer,
        entries: Sequence[LogEntry],
        on_retry: Callable[[], object] | None = None,
    ) -> None:
        self.consumer = consumer
        self.entries = entries
        self.on_retry = on_retry
        self.backoff = Backoff()
        self.skipping = False
        self.done = False

    def calls(self) -> Iterator[Callable[[], object]]:
        """The next call to make (handle the batch, or skip it) until one has succeeded."""
        while not self.done:
            yield self._skip if self.skipping else self._handle

    def succeeded(self) -> None:
        """The last call went through: the batch is done with."""
        self.done = True

    def failed(self, error: Exception) -> float:
        """Decide after a failed call; return the seconds to pause before the next one."""
        name, size = self.consumer.name, len(self.entries)
        extra = {"service": name, "batch": size}
        if not self.skipping and not isinstance(error, Unavailable):
            log.error(
                "%s: batch of %d failed; dead-lettering it as %s",
                name,
                size,
                PROCESSING_ERROR,
                exc_info=error,
                extra=extra,
            )
            self.skipping = True
            return 0.0
        pause = self.backoff.next()
        what = "skipping the batch" if self.skipping else "the batch"
        # A server down is expected and named; anything else on the way past a batch is a bug.
        trace = None if isinstance(error, Unavailable) else error
        log.warning("%s: %s; retrying %s in %.1fs", name, error, what, pause, exc_info=trace, extra=extra)
        if self.on_retry is not None:
            self.on_retry()
        return pause

    def _handle(self) -> object:
        return self.consumer.handle(self.entries)

    def _skip(self) -> object:
        return self.consumer.skip(self.entries, PROCESSING_ERROR)
