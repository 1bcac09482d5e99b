"""Property: the same events in any order, batching and with any duplicates give the same views."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.adoption.documents import fact_document, fact_of, pilot_document, pilot_state_of
from services.adoption.service import FACTS
from tests.oracles.adoption import reference_views
from tests.support.factories import concluded, lesson, metrics, phase, registered
from tests.unit.adoption_fold import Views, fold

SUMMARY = (
    "municipality",
    "technology",
    "title",
    "phase",
    "phase_since",
    "users_active",
    "devices_deployed",
    "hours_saved",
    "avoided_visits",
    "cost_nok",
    "updated_at",
    "units",
)
PILOTS = ["p1", "p2", "p3"]
MUNICIPALITIES = ["3420", "3421"]
TECHNOLOGIES = ["safety-alarm", "digital-supervision"]
TIMES = [f"2020-0{m}-01T00:00:00Z" for m in range(1, 10)]


def ids() -> st.SearchStrategy[str]:
    return st.uuids(version=4).map(str)


def _metrics_event(pilot_id: str, period: str, values: dict, **kw) -> dict:
    return metrics(pilot_id, period, **(values or {"avoided_visits": 1}), **kw)


def _event(pilots: list[str] = PILOTS, technologies: list[str] = TECHNOLOGIES) -> st.SearchStrategy[dict]:
    common = {
        "municipality": st.sampled_from(MUNICIPALITIES),
        "at": st.sampled_from(TIMES),
        "event_id": ids(),
    }
    pilot = st.sampled_from(pilots)
    return st.one_of(
        st.builds(registered, pilot, technology=st.sampled_from(technologies), **common),
        st.builds(
            phase,
            pilot,
            st.sampled_from(["planning", "piloting", "implementing", "operation", "discontinued"]),
            **common,
        ),
        st.builds(
            metrics,
            pilot,
            st.sampled_from(["2020-01", "2020-02"]),
            users_active=st.integers(0, 50),
            hours_saved=st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)),
            **common,
        ),
        st.builds(concluded, pilot, st.sampled_from(["scaled_up", "continued", "discontinued"]), **common),
        st.builds(lesson, pilot, **common),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(_event(), min_size=1, max_size=25, unique_by=lambda e: e["event_id"]), data=st.data())
def test_order_batching_and_duplicates_do_not_change_views(events, data):
    reference = fold(events)
    shuffled = data.draw(st.permutations(events))
    duplicated = shuffled + data.draw(st.lists(st.sampled_from(events), max_size=10))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(duplicated)), max_size=5)))
    batches, start = [], 0
    for cut in [*cuts, len(duplicated)]:
        batches.append(duplicated[start:cut])
        start = cut
    replayed = Views()
    for batch in batches:
        if data.draw(st.booleans()):
            replayed.service.reset()  # a restart or a rebalance between batches
        replayed.apply(batch)
    assert replayed.public_cells() == reference.public_cells()
    assert replayed.public_pilots() == reference.public_pilots()
    assert replayed.statuses == reference.statuses
    assert replayed.pilot_states() == reference.pilot_states()
    # The incremental state agrees with the specification (derivation from all facts).
    derived = replayed.public_pilots()
    for pilot_id, state in replayed.pilot_states().items():
        if state.get("registered"):
            assert {k: state[k] for k in SUMMARY} == {k: derived[pilot_id][k] for k in SUMMARY}


def _agrees_with_reference(views: Views, events: list[dict]) -> None:
    """Cells and pilots equal the reference fold's (written from the README, no production code)."""
    pilots, cells = reference_views(events)
    assert set(views.public_cells()) == set(cells)
    for key, cell in views.public_cells().items():
        expected = cells[key]
        assert cell["phase"] == expected.phase, key
        assert _instant(cell["phase_since"]) == expected.phase_since, key
        assert cell["pilots"] == expected.pilots, key
        assert (cell["users_active"], cell["devices_deployed"]) == (
            expected.users_active,
            expected.devices_deployed,
        ), key
        assert cell["avoided_visits"] == expected.avoided_visits, key
        assert _exact(cell["hours_saved"], "0.001") == expected.hours_saved.quantize(Decimal("0.001")), key
        assert _exact(cell["cost_nok"], "0.01") == expected.cost_nok.quantize(Decimal("0.01")), key
    derived = views.public_pilots()
    for pilot_id, expected in pilots.items():
        if expected.owner is None:
            assert pilot_id not in derived or not derived[pilot_id]["registered"]
            continue
        view = derived[pilot_id]
        assert (view["municipality"], view["technology"], view["phase"]) == (
            expected.owner,
            expected.technology,
            expected.phase,
        )
        # A lesson applied twice would show here: the list is not keyed by anything.
        assert len(view["lessons"]) == expected.lessons
        rejected = {i for i, s in views.statuses.items() if s[0] == "rejected"}
        assert expected.rejected <= rejected


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _exact(value: float, step: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(step))


# Crowded cells: many pilots of one technology, so that the cell rules (highest phase, since
# when, sums over live pilots) are exercised with several pilots at once.
CROWDED = _event(pilots=["p1", "p2", "p3", "p4", "p5"], technologies=["safety-alarm"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(st.one_of(_event(), CROWDED), min_size=1, max_size=30, unique_by=lambda e: e["event_id"]),
    data=st.data(),
)
def test_views_equal_the_reference_fold_in_any_order_and_batching(events, data):
    shuffled = data.draw(st.permutations(events))
    duplicated = shuffled + data.draw(st.lists(st.sampled_from(events), max_size=10))
    views = Views()
    start = 0
    for cut in [*sorted(data.draw(st.lists(st.integers(0, len(duplicated)), max_size=5))), len(duplicated)]:
        views.apply(duplicated[start:cut])
        start = cut
    _agrees_with_reference(views, events)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(_event(), min_size=1, max_size=25, unique_by=lambda e: e["event_id"]))
def test_stored_documents_map_back_to_the_same_records(events):
    """Facts and pilot states survive the trip through their stored documents unchanged."""
    views = fold(events)
    for document in views.store.snapshot(FACTS).values():
        assert fact_document(fact_of(document)) == document
    for document in views.pilot_states().values():
        state = pilot_state_of(document)
        assert pilot_document(state) == document
        assert pilot_state_of(pilot_document(state)) == state
