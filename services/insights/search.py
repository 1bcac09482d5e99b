"""Ranked full-text search over lessons (BM25 with a title and tag boost), with filters.

Ranking: lessons that contain more of the query's words come first; among those, the BM25
score decides (rare words weigh more, a word in the title or a tag counts double, long
texts do not win by length alone); ties go to the newer lesson. Without words, the newest
lessons that pass the filters come first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields

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


class LessonIndex:
    """An inverted index of lessons, built once per snapshot of the read model."""

    def __init__(self, lessons: Sequence[Lesson]) -> None:
        # Newest first, so that a lesson's position is also its recency rank.
        self.lessons = sorted(lessons, key=lambda lesson: (lesson["at"], lesson["lesson_id"]), reverse=True)
        self._postings: dict[str, list[tuple[int, float]]] = {}
        norms: list[float] = []
        for position, lesson in enumerate(self.lessons):
            frequencies: Counter[str] = Counter()
            for term in terms(lesson["title"]):
                frequencies[term] += TITLE_WEIGHT
            for term in terms(lesson["text"]):
                frequencies[term] += 1.0
            for term in terms(" ".join(lesson["tags"])):
                frequencies[term] += TAG_WEIGHT
            norms.append(sum(frequencies.values()))
            for term, frequency in frequencies.items():
                self._postings.setdefault(term, []).append((position, frequency))
        average = (sum(norms) / len(norms)) if norms else 1.0
        # The per-document part of BM25's denominator, computed once.
        self._norms = [K1 * (1 - B + B * length / average) for length in norms]

    def __len__(self) -> int:
        return len(self.lessons)

    def _idf(self, term: str) -> float:
        frequency = len(self._postings.get(term, ()))
        return math.log(1 + (len(self.lessons) - frequency + 0.5) / (frequency + 0.5))

    def search(
        self, query: str = "", where: LessonFilter | None = None, limit: int = 20, offset: int = 0
    ) -> SearchResult:
        """Lessons matching ``query`` (any of its words) and ``where``, best first."""
        where = where or LessonFilter()
        groups = query_terms(query)
        if not groups:
            matching = [lesson for lesson in self.lessons if where.accepts(lesson)]
            page = matching[offset : offset + limit]
            return SearchResult(len(matching), [Hit(lesson, 0.0, 0) for lesson in page])

        scores: dict[int, float] = {}
        matched: Counter[int] = Counter()
        for group in groups:
            in_group: set[int] = set()
            for term in group:
                idf = self._idf(term)
                for position, frequency in self._postings.get(term, ()):
                    gain = idf * frequency * (K1 + 1) / (frequency + self._norms[position])
                    scores[position] = scores.get(position, 0.0) + gain
                    in_group.add(position)
            matched.update(in_group)

        candidates = [p for p in scores if where.is_empty() or where.accepts(self.lessons[p])]
        candidates.sort(key=lambda p: (-matched[p], -scores[p], p))
        page = candidates[offset : offset + limit]
        return SearchResult(
            len(candidates), [Hit(self.lessons[p], round(scores[p], 4), matched[p]) for p in page]
        )
