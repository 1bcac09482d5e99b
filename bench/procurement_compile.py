"""Benchmark: OCDS releases compiled per second, for 1, 10 and 100 releases per ocid.

Measures the pure domain step only (``services.procurement.compile_releases``: order,
deduplicate, merge into a compiled and a versioned release), no I/O. The releases are
synthetic, derived from the Sør-Østerdal safety-alarm example: each contracting process
runs tender, award, contract, then alternating contract updates and terminations, with
fresh ids, later dates and changing amounts, submitted in shuffled order. Each size runs
for about a second of wall time after a warm-up; the table puts the sizes side by side.

Run: ``python -m bench.procurement_compile``
"""

from __future__ import annotations

import copy
import random
import time
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from services.procurement import compile_releases, sanitise_release, sor_osterdal_safety_alarm_releases

SIZES = (1, 10, 100)
MIN_SECONDS = 1.0
BASE_DATE = datetime.fromisoformat("2022-01-10T09:00:00+01:00")


def synthetic_process(index: int, releases: int, rng: random.Random) -> list[dict[str, Any]]:
    """``releases`` releases of one synthetic process (ocid ``ocds-213czf-bench-<index>``), shuffled."""
    templates = [sanitise_release(r)[0] for r in sor_osterdal_safety_alarm_releases()]
    ocid = f"ocds-213czf-bench-{index:06d}"
    out = []
    for k in range(releases):
        release = copy.deepcopy(templates[k] if k < 4 else templates[2 + k % 2])
        release["ocid"] = ocid
        release["id"] = f"{ocid}-{k:04d}"
        release["date"] = (BASE_DATE + timedelta(days=7 * k)).isoformat()
        for contract in release.get("contracts", []):
            if "value" in contract:
                contract["value"]["amount"] = 10_000_000 + 1_000 * k
        out.append(release)
    rng.shuffle(out)
    return out


def measure(releases_per_ocid: int, rng: random.Random) -> dict[str, float]:
    """Compile batches of synthetic processes until ``MIN_SECONDS`` have passed."""
    batch = [synthetic_process(i, releases_per_ocid, rng) for i in range(max(1, 200 // releases_per_ocid))]
    compile_releases(batch[0])  # warm-up: merge rules are built and cached on first use
    processes = 0
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < MIN_SECONDS:
        for process in batch:
            compile_releases(process)
        processes += len(batch)
        elapsed = time.perf_counter() - started
    return {
        "processes": processes,
        "releases": processes * releases_per_ocid,
        "seconds": elapsed,
        "releases_per_second": processes * releases_per_ocid / elapsed,
        "ms_per_process": 1000 * elapsed / processes,
    }


def main() -> None:
    """Run every size and print one table with the sizes side by side."""
    rng = random.Random(2022)
    results = {size: measure(size, rng) for size in SIZES}
    table = Table(title="compile_releases throughput (synthetic Sør-Østerdal releases)")
    table.add_column("releases per ocid")
    for size in SIZES:
        table.add_column(str(size), justify="right")
    rows = (
        ("releases compiled / s", "releases_per_second", "{:,.0f}"),
        ("ms per process", "ms_per_process", "{:.2f}"),
        ("processes compiled", "processes", "{:,.0f}"),
        ("releases compiled", "releases", "{:,.0f}"),
        ("seconds", "seconds", "{:.2f}"),
    )
    for label, key, fmt in rows:
        table.add_row(label, *(fmt.format(results[size][key]) for size in SIZES))
    Console().print(table)


if __name__ == "__main__":
    main()
