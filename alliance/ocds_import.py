"""The bookkeeping of ``alliance import-ocds``: submit each file's releases, tally the outcomes.

Refusals are reported by file (and line, for JSON Lines) with their path and rule, never
with the refused value; paths inside a JSON Lines file are relative to the line (``$.date``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from rich.table import Table

from alliance.ocds_files import Submission, read_submissions
from services.governance.audit import AuditHook, AuditItem
from services.intake.releases import ProcurementIngest
from services.procurement.validation import Refusal

MAX_EXAMPLES = 20
_INDEX = re.compile(r"\[\d+\]")


class OcdsImport:
    """Feeds files to the procurement ingest and keeps the counts for the summary."""

    def __init__(self, ingest: ProcurementIngest, audit: AuditHook | None = None) -> None:
        self.ingest = ingest
        self.audit = audit
        self.counts: Counter[str] = Counter()
        self.reasons: Counter[tuple[str, str]] = Counter()
        self.examples: list[tuple[str, str]] = []
        self.removed = 0

    def run(self, file: Path) -> Iterator[int]:
        """Submit every submission of ``file``; yield the bytes each one covered (for progress)."""
        for submission in read_submissions(file):
            self._submit(submission)
            yield submission.size

    def _submit(self, submission: Submission) -> None:
        if submission.error:
            label = self._label(submission, 0)
            self._refused(label, [Refusal("$", "json", "not valid JSON")], 1)
            return
        if submission.value == []:
            return
        result = self.ingest.submit(submission.value)
        if self.audit is not None:
            self.audit(
                [
                    AuditItem(r.release_id, r.outcome, tuple(f.rule for f in r.refusals))
                    for r in result.results
                ]
                or [AuditItem(None, "refused", tuple(f.rule for f in result.refusals))]
            )
        if result.refusals:
            label = self._label(submission, 0) if len(submission.lines or []) == 1 else submission.file.name
            self._refused(label, result.refusals, result.refused)
            return
        for outcome in result.results:
            self.counts[outcome.outcome] += 1
            self.removed += len(outcome.removed)
            if outcome.refusals:
                label = self._label(submission, outcome.index)
                self._refused(label, [self._relative(submission, r) for r in outcome.refusals], 0)

    @staticmethod
    def _label(submission: Submission, index: int) -> str:
        if submission.lines is not None:
            return f"{submission.file.name}:{submission.lines[index]}"
        return submission.file.name

    @staticmethod
    def _relative(submission: Submission, refusal: Refusal) -> Refusal:
        """For JSON Lines, the path inside the line rather than inside the batch."""
        index = refusal.release_index
        prefix = f"$[{index}]"
        if submission.lines is None or index is None or not refusal.path.startswith(prefix):
            return refusal
        return Refusal("$" + refusal.path[len(prefix) :], refusal.rule, refusal.message, index)

    def _refused(self, label: str, refusals: list[Refusal], releases: int) -> None:
        self.counts["refused"] += releases
        for refusal in refusals:
            self.reasons[(_INDEX.sub("[*]", refusal.path), refusal.rule)] += 1
        if len(self.examples) < MAX_EXAMPLES:
            text = "; ".join(f"{r.path}: {r.rule}" for r in refusals[:5])
            self.examples.append((label, text + (" ..." if len(refusals) > 5 else "")))

    def tables(self, name: str, files: int, records: int) -> list[Table]:
        """The summary table, and the refusals by path and rule when there were any."""
        summary = Table(title=f"OCDS import of {name}")
        summary.add_column("")
        summary.add_column("count", justify="right")
        summary.add_row("files", str(files))
        summary.add_row("releases accepted", str(self.counts["accepted"]))
        summary.add_row("releases refused", str(self.counts["refused"]))
        summary.add_row("personal-data fields removed", str(self.removed))
        summary.add_row("procurement records now", str(records))
        tables = [summary]
        if self.reasons:
            why = Table(title="Refusals by path and rule")
            for column in ("path", "rule", "refusals"):
                why.add_column(column)
            for (path, rule), count in self.reasons.most_common():
                why.add_row(path, rule, str(count))
            tables.append(why)
        return tables
