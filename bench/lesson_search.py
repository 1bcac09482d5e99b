"""Benchmark: lesson search latency (p50/p99) over 100 000 lessons.

Side by side in one run, on the same synthetic lessons and the same queries:

- our ranked search (:class:`services.insights.search.LessonIndex`: stems in both
  languages, glossary, BM25, filters), as the API runs it on a built snapshot;
- a naive scan that lower-cases every lesson and looks for each query word as a substring
  (no ranking, no stemming) — what one would write without an index.

The lessons mix Norwegian and English sentences about welfare-technology pilots, with
random municipalities, technologies, phases and tags. Index build time is printed too
(it is paid once per change of the read model, not per query).

Run: ``python -m bench.lesson_search [--lessons 100000]``
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from schemas.reference import reference
from services.insights.search import LessonFilter, LessonIndex

SUBJECTS = [
    "Opplæring av nattevakter",
    "Mobildekningen i grisgrendte strøk",
    "Pårørende med varsel på mobil",
    "Batteriene i alarmene",
    "Felles anskaffelse med nabokommunene",
    "The supplier change",
    "Training of home-care staff",
    "Medication dispensers",
    "Digital supervision at night",
    "GPS tracking for people with dementia",
    "Responssenteret",
    "Elektroniske dørlåser",
]
OUTCOMES = [
    "ga færre falske alarmer.",
    "var dårligere enn antatt, så vi byttet operatør.",
    "ga tryggere brukere og færre utrykninger.",
    "varte kortere enn lovet i kontrakten.",
    "halverte tiden brukt på anbudsprosessen.",
    "caused a few alarms to lose contact for two days.",
    "cut the number of home visits by a third.",
    "needed a baseline before we could show any savings.",
    "worked best when relatives were involved from the start.",
    "made the night shift calmer and saved hours every week.",
]
TAGS = [
    "opplæring",
    "leverandør",
    "dekning",
    "pårørende",
    "gevinstrealisering",
    "risk",
    "supplier",
    "personvern",
]
QUERIES = [
    ("alarmer", None),
    ("training", None),
    ("opplæring nattevakter", None),
    ("supplier contact", None),
    ("leverandørbytte", None),
    ("batteries", None),
    ("pårørende", LessonFilter(region="sor-osterdal")),
    ("home visits savings", None),
    ("anbud felles anskaffelse", LessonFilter(technology="safety-alarm")),
    ("dementia gps", None),
    ("", LessonFilter(technology="digital-supervision", phase="piloting")),
    ("night shift", LessonFilter(outcome="scaled_up")),
]


def synthetic_lessons(count: int, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    ref = reference()
    municipalities = [(m.code, m.region) for m in ref.municipalities]
    technologies = [t.code for t in ref.technologies]
    phases = ["planning", "piloting", "implementing", "operation"]
    lessons = []
    for i in range(count):
        code, region = rng.choice(municipalities)
        sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(OUTCOMES)}" for _ in range(rng.randrange(1, 4))]
        lessons.append(
            {
                "lesson_id": f"bench-{i:06d}",
                "kind": "lesson",
                "pilot_id": f"bench-pilot-{i // 3}",
                "pilot_title": "Syntetisk pilot",
                "municipality": code,
                "region": region,
                "technology": rng.choice(technologies),
                "phase_at_time": rng.choice(phases),
                "outcome": rng.choice([None, None, "scaled_up", "continued", "discontinued"]),
                "title": rng.choice(SUBJECTS),
                "text": " ".join(sentences),
                "tags": rng.sample(TAGS, rng.randrange(0, 3)),
                "at": f"{rng.randrange(2017, 2027)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            }
        )
    return lessons


def naive_search(
    lessons: list[dict[str, Any]], query: str, where: LessonFilter | None
) -> list[dict[str, Any]]:
    words = query.lower().split()
    where = where or LessonFilter()
    found = []
    for lesson in lessons:
        if not where.accepts(lesson):
            continue
        text = f"{lesson['title']} {lesson['text']} {' '.join(lesson['tags'])}".lower()
        if not words or any(word in text for word in words):
            found.append(lesson)
    return found[:20]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def measure(search: Any, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        for query, where in QUERIES:
            start = time.perf_counter()
            search(query, where)
            samples.append(time.perf_counter() - start)
    return percentiles(samples)


def main(lessons: int = typer.Option(100_000, help="How many lessons"), rounds: int = 10) -> None:
    console = Console()
    corpus = synthetic_lessons(lessons)
    start = time.perf_counter()
    index = LessonIndex(corpus)
    built = time.perf_counter() - start
    hits = {q: index.search(q, w).total for q, w in QUERIES}
    console.print(f"{lessons:,} lessons; index built in {built:.2f} s; hits per query: {list(hits.values())}")

    ranked = measure(lambda q, w: index.search(q, w, limit=20), rounds)
    naive = measure(lambda q, w: naive_search(corpus, q, w), max(1, rounds // 5))
    table = Table(title=f"Lesson search over {lessons:,} lessons ({len(QUERIES)} queries)")
    table.add_column("search")
    table.add_column("p50 ms", justify="right")
    table.add_column("p99 ms", justify="right")
    table.add_row("ranked (index, stems, glossary, BM25)", f"{ranked[0]:.1f}", f"{ranked[1]:.1f}")
    table.add_row("naive substring scan (unranked)", f"{naive[0]:.1f}", f"{naive[1]:.1f}")
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
