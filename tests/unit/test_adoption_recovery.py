"""A crash between the service's writes leaves nothing wrong once the batch is redelivered."""

from __future__ import annotations

import orjson
import pytest

from services.adoption.service import AdoptionService
from services.core.dead_letters import DeadLetterSink
from tests.conftest import fixed_clock
from tests.support.factories import metrics, phase, registered
from tests.unit.adoption_fold import Views, fold


class Crash(RuntimeError):
    pass


def test_crash_after_facts_before_states_is_repaired_on_redelivery(monkeypatch):
    owner = registered("p1", municipality="3420", at="2020-01-01T00:00:00Z")
    batch = [
        phase("p1", "operation", municipality="3420", at="2021-01-01T00:00:00Z"),
        metrics("p1", "2021-01", municipality="3420", users_active=4, at="2021-02-01T00:00:00Z"),
        phase("p1", "discontinued", municipality="3421", at="2021-03-01T00:00:00Z"),
    ]
    expected = fold([owner], batch)

    views = fold([owner])
    real_write = views.store.write

    def crash(_writes):
        raise Crash("power cut")

    monkeypatch.setattr(views.store, "write", crash)
    with pytest.raises(Crash):
        views.apply(batch)
    monkeypatch.setattr(views.store, "write", real_write)
    assert views.store.count("facts") == 4  # the facts reached the store, the states did not

    # A new process (empty working set) gets the same batch again.
    views.service = AdoptionService(views.store, DeadLetterSink(views.log, fixed_clock))
    entries = views.log.read("pilot-events", 0, 1, 100)
    views.service.handle(entries)
    assert views.public_cells() == expected.public_cells()
    assert views.pilot_states() == expected.pilot_states()
    letters = [orjson.loads(e.value) for e in views.log.read("dead-letter", 0, 0, 100)]
    assert {(d["event_id"], d["reason"]) for d in letters} == {
        (batch[2]["event_id"], "pilot_owned_by_other_municipality")
    }


def test_event_id_reused_for_another_pilot_is_dead_lettered():
    first = registered("p1", at="2020-01-01T00:00:00Z")
    reuse = {**registered("p2", at="2020-02-01T00:00:00Z"), "event_id": first["event_id"]}
    views = Views()
    views.apply([first])
    views.apply([reuse])
    assert set(views.cells) == {"3420:safety-alarm"}
    assert views.public_cells()["3420:safety-alarm"]["pilots"] == 1
    letters = [orjson.loads(e.value) for e in views.log.read("dead-letter", 0, 0, 100)]
    assert [(d["event_id"], d["reason"]) for d in letters] == [(first["event_id"], "conflicting_event_id")]


@pytest.mark.parametrize("stop_before", ["cells", "positions"])
def test_crash_after_states_before_cells_is_repaired_on_redelivery(monkeypatch, stop_before):
    # On a server without transactions the writes of a batch land collection by collection;
    # here the pilots' states land and the process dies before the cells (or the position).
    owner = registered("p1", municipality="3420", at="2020-01-01T00:00:00Z")
    batch = [
        phase("p1", "operation", municipality="3420", at="2021-01-01T00:00:00Z"),
        metrics("p1", "2021-01", municipality="3420", users_active=4, at="2021-02-01T00:00:00Z"),
    ]
    expected = fold([owner], batch)

    views = fold([owner])
    real_write = views.store.write

    def partial(writes):
        landed = [w for w in writes if w.collection not in (stop_before, "positions")]
        real_write(landed)
        raise Crash("power cut")

    monkeypatch.setattr(views.store, "write", partial)
    with pytest.raises(Crash):
        views.apply(batch)
    monkeypatch.setattr(views.store, "write", real_write)
    assert views.pilot_states() == expected.pilot_states()  # the states are already new

    views.service = AdoptionService(views.store, DeadLetterSink(views.log, fixed_clock))
    views.service.handle(views.log.read("pilot-events", 0, 1, 100))
    assert views.public_cells() == expected.public_cells()
    assert views.pilot_states() == expected.pilot_states()
