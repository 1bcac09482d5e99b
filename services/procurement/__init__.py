"""Pure procurement domain: OCDS 1.1 releases in, validated, sanitised, compiled,
matched to municipalities, classified and summarised out.

Nothing here talks to Kafka, Mongo, HTTP or the clock; the only I/O is reading data
files packaged with the code (schemas, reference municipalities, classification rules).
Callers pass "today" in explicitly where time matters.
"""

from .classification import TechnologyMatch, classify, technology_labels
from .compile import CompiledProcess, CompileError, compile_by_ocid, compile_releases
from .examples import sor_osterdal_safety_alarm_releases
from .matching import (
    MatchResult,
    MunicipalityMatch,
    MunicipalityRef,
    load_hedmark_municipalities,
    match_buyers,
)
from .sanitise import sanitise_release
from .summary import ProcurementSummary, derive_status, ending_within, summarise
from .validation import Refusal, split_package, validate_release, validate_release_package

__all__ = [
    "CompileError",
    "CompiledProcess",
    "MatchResult",
    "MunicipalityMatch",
    "MunicipalityRef",
    "ProcurementSummary",
    "Refusal",
    "TechnologyMatch",
    "classify",
    "compile_by_ocid",
    "compile_releases",
    "derive_status",
    "ending_within",
    "load_hedmark_municipalities",
    "match_buyers",
    "sanitise_release",
    "sor_osterdal_safety_alarm_releases",
    "split_package",
    "summarise",
    "technology_labels",
    "validate_release",
    "validate_release_package",
]
