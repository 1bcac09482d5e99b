"""Lesson search, pure: text analysis, ranking and filters without any store or server."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.insights.lessons import phase_at
from services.insights.search import LessonFilter, LessonIndex
from services.insights.text import query_terms, terms


def lesson(lesson_id: str, title: str, text: str, at: str = "2024-01-01", **extra: Any) -> dict[str, Any]:
    return {
        "lesson_id": lesson_id,
        "kind": "lesson",
        "pilot_id": "p",
        "pilot_title": "P",
        "municipality": extra.pop("municipality", "3420"),
        "region": extra.pop("region", "sor-osterdal"),
        "technology": extra.pop("technology", "safety-alarm"),
        "phase_at_time": extra.pop("phase_at_time", "piloting"),
        "outcome": extra.pop("outcome", None),
        "title": title,
        "text": text,
        "tags": extra.pop("tags", []),
        "at": at,
    }


def test_norwegian_and_english_inflections_meet() -> None:
    assert set(terms("alarmene")) & set(terms("alarms"))
    assert set(terms("batteriene")) & set(terms("batteries"))
    assert terms("og the i of") == []  # stopwords in both languages


def test_query_words_are_widened_by_the_glossary() -> None:
    (group,) = query_terms("training")
    assert set(terms("opplæring")) <= set(group)
    assert query_terms("alarm alarm") == query_terms("alarm")  # a repeated word counts once


def test_title_and_tags_weigh_more_than_text() -> None:
    index = LessonIndex(
        [
            lesson("a", "Om oppstart", "Vi snakket om alarmer."),
            lesson("b", "Alarmer", "Vi snakket om oppstart."),
            lesson("c", "Om oppstart", "Vi snakket.", tags=["alarm"]),
        ]
    )
    ranked = [hit.lesson["lesson_id"] for hit in index.search("alarm").hits]
    assert ranked[-1] == "a" and set(ranked) == {"a", "b", "c"}


def test_more_matched_words_beat_a_higher_score_and_ties_go_to_the_newer() -> None:
    index = LessonIndex(
        [
            lesson("old", "Alarm alarm alarm", "alarm alarm", at="2020-01-01"),
            lesson("both", "Opplæring", "alarm", at="2019-01-01"),
            lesson("same-1", "Batteri", "x", at="2021-01-01"),
            lesson("same-2", "Batteri", "x", at="2022-01-01"),
        ]
    )
    assert [h.lesson["lesson_id"] for h in index.search("alarm opplæring").hits][:2] == ["both", "old"]
    assert [h.lesson["lesson_id"] for h in index.search("batteri").hits] == ["same-2", "same-1"]


def test_filters_combine_and_unknown_values_match_nothing() -> None:
    index = LessonIndex(
        [
            lesson("a", "Alarm", "x", tags=["risk"], outcome="scaled_up"),
            lesson("b", "Alarm", "x", technology="nurse-call", region="hamarregionen", municipality="3403"),
            lesson("c", "Alarm", "x", phase_at_time="operation", tags=["Risk"]),
        ]
    )

    def ids(where: LessonFilter, query: str = "alarm") -> set[str]:
        return {h.lesson["lesson_id"] for h in index.search(query, where).hits}

    assert ids(LessonFilter(tag="RISK")) == {"a"}  # tags are stored lower-case by the contract
    assert ids(LessonFilter(region="sor-osterdal", phase="piloting")) == {"a"}
    assert ids(LessonFilter(technology="nurse-call", municipality="3403")) == {"b"}
    assert ids(LessonFilter(outcome="scaled_up"), query="") == {"a"}
    assert ids(LessonFilter(municipality="3401")) == set()


def test_paging_counts_every_match() -> None:
    index = LessonIndex([lesson(f"l{i:02d}", "Alarm", "x", at=f"2024-01-{i + 1:02d}") for i in range(25)])
    first, second = index.search("alarm", limit=10), index.search("alarm", limit=10, offset=10)
    assert first.total == second.total == 25
    assert [h.lesson["lesson_id"] for h in first.hits][:2] == ["l24", "l23"]
    assert not {h.lesson["lesson_id"] for h in first.hits} & {h.lesson["lesson_id"] for h in second.hits}
    assert index.search("", limit=5).total == 25


def test_phase_at_the_time() -> None:
    history = [
        {"phase": "planning", "at": "2020-01-01", "event_id": "r"},
        {"phase": "piloting", "at": "2020-03-01", "event_id": "p"},
        {"phase": "operation", "at": "2021-01-01", "event_id": "c"},
    ]
    assert phase_at(history, "2019-12-31") == "planning"
    assert phase_at(history, "2020-06-01") == "piloting"
    assert phase_at(history, "2021-01-01") == "operation"
    assert phase_at(history, "2021-01-01", excluding="c") == "piloting"


words = st.sampled_from(["alarm", "alarmer", "training", "opplæring", "batteri", "supplier", "dekning", "x"])


@given(st.lists(st.tuples(st.lists(words, min_size=1, max_size=4), st.lists(words, max_size=6)), max_size=30))
def test_arrival_order_never_changes_the_results(texts: list[tuple[list[str], list[str]]]) -> None:
    lessons = [
        lesson(f"id{i}", " ".join(t), " ".join(b), at=f"2024-01-{i % 28 + 1:02d}")
        for i, (t, b) in enumerate(texts)
    ]
    shuffled = list(lessons)
    random.Random(len(lessons)).shuffle(shuffled)
    for query in ("alarm", "training batteri", ""):
        a, b = LessonIndex(lessons).search(query, limit=50), LessonIndex(shuffled).search(query, limit=50)
        assert a.total == b.total
        assert [(h.lesson["lesson_id"], h.score) for h in a.hits] == [
            (h.lesson["lesson_id"], h.score) for h in b.hits
        ]
