"""Classification of a compiled release into welfare-technology areas.

The rules are data (``data/classification_rules.json``): CPV prefixes and keyword
patterns in Norwegian and English, each with a confidence. The result lists, per
technology, the best confidence of any rule that fired and the evidence for it.
An empty list means "unclassified".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypedDict

from .paths import json_path

TECHNOLOGIES: tuple[str, ...] = (
    "safety-alarm",
    "digital-supervision",
    "location-gps",
    "medication-support",
    "electronic-door-lock",
    "digital-home-follow-up",
    "nurse-call",
    "logistics",
)

CPV_SCHEME = "CPV"


class TechnologyMatch(TypedDict):
    """One technology a release was classified into."""

    technology: str
    confidence: float
    evidence: list[str]


@dataclass(frozen=True)
class Rule:
    """A classification rule; every condition it has must hold for it to fire."""

    id: str
    technology: str
    confidence: float
    cpv: tuple[str, ...] = ()
    keywords: tuple[re.Pattern[str], ...] = ()
    context_keywords: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """Parsed rules plus the display labels of each technology."""

    rules: tuple[Rule, ...]
    labels: Mapping[str, Mapping[str, str]]


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ß": "ss"})


def fold_text(text: str) -> str:
    """Lower-case ``text``, transliterate æ/ø/å and strip other diacritics.

    Norwegian text often arrives without its letters (``dorlas``), so both the text and
    the patterns are compared in this folded form.
    """
    text = text.casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def parse_rules(data: Mapping[str, Any]) -> RuleSet:
    """Validate and compile rule data (the structure of ``classification_rules.json``).

    Raises ``ValueError`` for unknown technologies, confidences outside 0-1, rules
    without conditions, non-numeric CPV prefixes or invalid patterns.
    """
    labels = data.get("technologies", {})
    rules = []
    seen: set[str] = set()
    for raw in data.get("rules", []):
        rule_id = str(raw.get("id", ""))
        if not rule_id or rule_id in seen:
            raise ValueError(f"rule id missing or duplicated: {rule_id!r}")
        seen.add(rule_id)
        technology = raw.get("technology")
        if technology not in TECHNOLOGIES or technology not in labels:
            raise ValueError(f"rule {rule_id}: unknown technology {technology!r}")
        confidence = raw.get("confidence")
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, (int, float))
            or not 0 <= confidence <= 1
        ):
            raise ValueError(f"rule {rule_id}: confidence must be a number from 0 to 1")
        cpv = tuple(str(prefix) for prefix in raw.get("cpv", []))
        if any(not prefix.isdigit() or len(prefix) > 8 for prefix in cpv):
            raise ValueError(f"rule {rule_id}: CPV prefixes must be 1-8 digits")
        try:
            keywords = tuple(re.compile(fold_text(p)) for p in raw.get("keywords", []))
            context = tuple(re.compile(fold_text(p)) for p in raw.get("context_keywords", []))
        except re.error as exc:
            raise ValueError(f"rule {rule_id}: invalid pattern: {exc}") from exc
        if not cpv and not keywords:
            raise ValueError(f"rule {rule_id}: needs CPV prefixes or keywords")
        rules.append(Rule(rule_id, technology, float(confidence), cpv, keywords, context))
    return RuleSet(rules=tuple(rules), labels=labels)


@cache
def default_rules() -> RuleSet:
    """The packaged rule set."""
    path = resources.files("services.procurement") / "data" / "classification_rules.json"
    return parse_rules(json.loads(path.read_text(encoding="utf-8")))


def technology_labels() -> Mapping[str, Mapping[str, str]]:
    """Display labels per technology code, e.g. ``{"safety-alarm": {"nb": ..., "en": ...}}``."""
    return default_rules().labels


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _items(release: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    tender = release.get("tender")
    if isinstance(tender, Mapping):
        for i, item in enumerate(_as_list(tender.get("items"))):
            yield ("tender", "items", i), item
    for section in ("awards", "contracts"):
        for i, block in enumerate(_as_list(release.get(section))):
            if isinstance(block, Mapping):
                for j, item in enumerate(_as_list(block.get("items"))):
                    yield (section, i, "items", j), item


def cpv_codes(release: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(8-digit CPV code, path of its classification) for every CPV-classified item.

    Covers ``tender.items``, ``awards[].items`` and ``contracts[].items``, both
    ``classification`` and ``additionalClassifications``.
    """
    found = []
    for path, item in _items(release):
        if not isinstance(item, Mapping):
            continue
        candidates: list[tuple[tuple[str | int, ...], Any]] = [
            ((*path, "classification"), item.get("classification"))
        ]
        for k, extra in enumerate(_as_list(item.get("additionalClassifications"))):
            candidates.append(((*path, "additionalClassifications", k), extra))
        for where, classification in candidates:
            if not isinstance(classification, Mapping):
                continue
            scheme = classification.get("scheme")
            if not isinstance(scheme, str) or scheme.strip().upper() != CPV_SCHEME:
                continue
            # CPV ids come as "33196200", "33196200-2" (with check digit) or even floats.
            digits = re.match(r"\s*(\d{8})", str(classification.get("id", "")))
            if digits:
                found.append((digits.group(1), json_path(where)))
    return found


def text_fields(release: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(path, text) of the titles and descriptions the keyword rules read."""
    fields: list[tuple[tuple[str | int, ...], Any]] = []
    planning = release.get("planning")
    if isinstance(planning, Mapping):
        fields.append((("planning", "rationale"), planning.get("rationale")))
        budget = planning.get("budget")
        if isinstance(budget, Mapping):
            fields.append((("planning", "budget", "description"), budget.get("description")))
            fields.append((("planning", "budget", "project"), budget.get("project")))
    tender = release.get("tender")
    if isinstance(tender, Mapping):
        fields.append((("tender", "title"), tender.get("title")))
        fields.append((("tender", "description"), tender.get("description")))
        for i, lot in enumerate(_as_list(tender.get("lots"))):
            if isinstance(lot, Mapping):
                fields.append((("tender", "lots", i, "title"), lot.get("title")))
                fields.append((("tender", "lots", i, "description"), lot.get("description")))
    for section in ("awards", "contracts"):
        for i, block in enumerate(_as_list(release.get(section))):
            if isinstance(block, Mapping):
                fields.append(((section, i, "title"), block.get("title")))
                fields.append(((section, i, "description"), block.get("description")))
    for path, item in _items(release):
        if isinstance(item, Mapping):
            fields.append(((*path, "description"), item.get("description")))
    return [(json_path(path), text) for path, text in fields if isinstance(text, str) and text]


def _keyword_evidence(patterns: Sequence[re.Pattern[str]], texts: Sequence[tuple[str, str]]) -> list[str]:
    evidence = []
    for pattern in patterns:
        for path, text in texts:
            match = pattern.search(text)
            if match:
                evidence.append(f"keyword '{match.group(0)}' in {path}")
    return evidence


def classify(release: Mapping[str, Any], rules: RuleSet | None = None) -> list[TechnologyMatch]:
    """Technologies of a (compiled) release, best confidence first.

    Each entry has the technology code, the highest confidence of the rules that fired
    for it, and evidence strings (rule id, CPV code or matched keyword, and where).
    Returns ``[]`` when nothing fires: callers show that as "unclassified".
    """
    rule_set = rules or default_rules()
    codes = cpv_codes(release)
    texts = [(path, fold_text(text)) for path, text in text_fields(release)]
    best: dict[str, float] = {}
    evidence: dict[str, list[tuple[float, str]]] = {}
    for rule in rule_set.rules:
        parts: list[str] = []
        if rule.cpv:
            hits = [f"CPV {code} at {path}" for code, path in codes if code.startswith(rule.cpv)]
            if not hits:
                continue
            parts.append(hits[0])
        for patterns in (rule.keywords, rule.context_keywords):
            if patterns:
                hits = _keyword_evidence(patterns, texts)
                if not hits:
                    break
                parts.append(hits[0])
        else:
            best[rule.technology] = max(best.get(rule.technology, 0.0), rule.confidence)
            evidence.setdefault(rule.technology, []).append(
                (rule.confidence, f"{rule.id} ({rule.confidence:g}): " + "; ".join(parts))
            )
    result: list[TechnologyMatch] = [
        {
            "technology": technology,
            "confidence": confidence,
            "evidence": [text for _, text in sorted(evidence[technology], key=lambda e: -e[0])],
        }
        for technology, confidence in best.items()
    ]
    result.sort(key=lambda m: (-m["confidence"], TECHNOLOGIES.index(m["technology"])))
    return result
