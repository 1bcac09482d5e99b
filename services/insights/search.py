"""Ranked full-text search over lessons (BM25 with a title and tag boost), with filters.

Ranking: lessons that contain more of the query's words come first; among those, the BM25
score decides (rare words weigh more, a word in the title or a tag counts double, long
texts do not win by length alone); ties go to the newer lesson. Without words, the newest
lessons that pass the filters come first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from services.insights.lessons import Lesson
from services.insights.text import query_terms, terms

TITLE_WEIGHT = 2.0
TAG_WEIGHT = 2.0
K1 = 1.2
B = 0.75


@dataclass(frozen=True, slots=True)
class LessonFilter:
    """Filters that combine (all given ones must hold)."""

    technology: str | None = None
    municipality: str | None = None
    region: str | None = None
    phase: str | None = None
    outcome: str | None = None
    tag: str | None = None

    def accepts(self, lesson: Lesson) -> bool:
        if self.technology and lesson["technology"] != self.technology:
            return False
        if self.municipality and lesson["municipality"] != self.municipality:
            return False
        if self.region and lesson["region"] != self.region:
            return False
        if self.phase and lesson["phase_at_time"] != self.phase:
            return False
        if self.outcome and lesson["outcome"] != self.outcome:
            return False
        return not (self.tag and self.tag.lower() not in lesson["tags"])

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True, slots=True)
class Hit:
    lesson: Lesson
    score: float
    matched_words: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: list[Hit]


_FILTER_FIELDS = {
    "technology": "technology",
    "municipality": "municipality",
    "region": "region",
    "phase": "phase_at_time",
    "outcome": "outcome",
}


class LessonIndex:
    """An inverted index of lessons, built once per snapshot of the read model.

    Postings are numpy arrays with each lesson's BM25 term weight precomputed, so a query
    costs a few vector operations per term instead of a Python loop per matching lesson.
    """

    def __init__(self, lessons: Sequence[Lesson]) -> None:
        # Newest first, so that a lesson's position is also its recency rank.
        self.lessons = sorted(lessons, key=lambda lesson: (lesson["at"], lesson["lesson_id"]), reverse=True)
        positions: dict[str, list[int]] = {}
        frequencies_of: dict[str, list[float]] = {}
        lengths = np.zeros(len(self.lessons))
        for position, lesson in enumerate(self.lessons):
            frequencies: Counter[str] = Counter()
            for term in terms(lesson["title"]):
                frequencies[term] += TITLE_WEIGHT
            for term in terms(lesson["text"]):
                frequencies[term] += 1.0
            for term in terms(" ".join(lesson["tags"])):
                frequencies[term] += TAG_WEIGHT
            lengths[position] = sum(frequencies.values())
            for term, frequency in frequencies.items():
                positions.setdefault(term, []).append(position)
                frequencies_of.setdefault(term, []).append(frequency)
        average = float(lengths.mean()) if len(lengths) else 1.0
        norms = K1 * (1 - B + B * lengths / average)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, where in positions.items():
            at = np.array(where, dtype=np.int64)
            tf = np.array(frequencies_of[term])
            self._postings[term] = (at, tf * (K1 + 1) / (tf + norms[at]))
        self._by_value: dict[str, dict[Any, np.ndarray]] = {}
        for name, field_name in _FILTER_FIELDS.items():
            self._by_value[name] = _group_positions(lesson[field_name] for lesson in self.lessons)
        self._by_value["tag"] = _group_positions((tag for tag in lesson["tags"]) for lesson in self.lessons)

    def __len__(self) -> int:
        return len(self.lessons)

    def _idf(self, term: str) -> float:
        frequency = len(self._postings[term][0]) if term in self._postings else 0
        return math.log(1 + (len(self.lessons) - frequency + 0.5) / (frequency + 0.5))

    def _mask(self, where: LessonFilter) -> np.ndarray | None:
        """Which lessons pass the filters (None: no filter given)."""
        mask: np.ndarray | None = None
        for name in (*_FILTER_FIELDS, "tag"):
            value = getattr(where, name)
            if value is None:
                continue
            key = value.lower() if name == "tag" else value
            passing = np.zeros(len(self.lessons), dtype=bool)
            passing[self._by_value[name].get(key, _NONE)] = True
            mask = passing if mask is None else mask & passing
        return mask

    def search(
        self, query: str = "", where: LessonFilter | None = None, limit: int = 20, offset: int = 0
    ) -> SearchResult:
        """Lessons matching ``query`` (any of its words) and ``where``, best first."""
        mask = self._mask(where or LessonFilter())
        groups = query_terms(query)
        count = len(self.lessons)
        if not groups:
            chosen = np.flatnonzero(mask) if mask is not None else np.arange(count)
            page = chosen[offset : offset + limit]
            return SearchResult(len(chosen), [Hit(self.lessons[p], 0.0, 0) for p in page.tolist()])

        scores = np.zeros(count)
        matched = np.zeros(count, dtype=np.int32)
        for group in groups:
            in_group = np.zeros(count, dtype=bool)
            for term in group:
                if term not in self._postings:
                    continue
                at, weights = self._postings[term]
                scores[at] += self._idf(term) * weights
                in_group[at] = True
            matched += in_group
        candidates = matched > 0
        if mask is not None:
            candidates &= mask
        chosen = np.flatnonzero(candidates)
        # More query words first, then the higher score, then the newer lesson (lower position).
        ranked = chosen[np.lexsort((chosen, -scores[chosen], -matched[chosen]))]
        page = ranked[offset : offset + limit].tolist()
        return SearchResult(
            len(chosen), [Hit(self.lessons[p], round(float(scores[p]), 4), int(matched[p])) for p in page]
        )


_NONE = np.zeros(0, dtype=np.int64)


def _group_positions(values: Iterable[Any]) -> dict[Any, np.ndarray]:
    """Positions per value; an iterable value (a lesson's tags) files the lesson under each."""
    grouped: dict[Any, list[int]] = {}
    for position, value in enumerate(values):
        for item in value if isinstance(value, Iterator) else (value,):
            grouped.setdefault(item, []).append(position)
    return {value: np.array(where, dtype=np.int64) for value, where in grouped.items()}
