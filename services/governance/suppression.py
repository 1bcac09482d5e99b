"""Small-count suppression of shared figures (pure: no I/O, no clock).

Counts of people and devices between 1 and 4 (``users_active``, ``devices_deployed``, and
``users_connected`` of alarm indicators) could point at individuals in a small
municipality. Everyone but the owning municipality and the coordinators sees them as
``null`` with the field named in the row's ``"suppressed"`` list.

Totals must not give a hidden value back by subtraction. Rows are grouped the way the
platform rolls them up (per technology, per municipality, per region, per region and
technology, everything); within every group the number of hidden values of a field is
made 0 or at least 2 by also hiding the next-smallest value the viewer does not own
(*complementary suppression*), repeated until every group holds. A group where no
complement exists has its total suppressed instead (:meth:`SuppressedTable.total`).
Suppression is decided on the whole table first and filters are applied afterwards, so
that two differently filtered requests cannot be combined to undo it.

Use::

    table = suppress_table(cells, viewer)          # viewer: ANONYMOUS, COORDINATOR, Viewer("3420")
    table.rows                                     # what to show (JSON, CSV, HTML alike)
    table.total("users_active", "region", "hamarregionen")  # a rollup safe to show, or None
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas.reference import reference

Row = dict[str, Any]
Grouping = Callable[[Row], Hashable]
SMALL_COUNT_FIELDS = ("users_active", "devices_deployed", "users_connected")
SMALLEST_SHOWN = 5  # 1..4 are hidden; 0 is shown (nobody to point at)
FLAG = "suppressed"


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who looks: a municipality (sees its own figures), a coordinator (sees all), or anybody."""

    municipality: str | None = None
    sees_all: bool = False

    def sees(self, owner: str | None) -> bool:
        """Whether this viewer may see the owner's small counts."""
        return self.sees_all or (owner is not None and owner == self.municipality)

    @property
    def key(self) -> str:
        """A cache key: views differ only by this."""
        return "all" if self.sees_all else f"m:{self.municipality}" if self.municipality else "anonymous"


ANONYMOUS = Viewer()
COORDINATOR = Viewer(sees_all=True)


def _region(row: Row) -> str:
    municipality = reference().municipality(str(row.get("municipality", "")))
    return municipality.region if municipality else ""


# How cells are rolled up anywhere in the platform (views, insights, dashboard).
CELL_GROUPS: Mapping[str, Grouping] = {
    "all": lambda row: "all",
    "technology": lambda row: row.get("technology"),
    "municipality": lambda row: row.get("municipality"),
    "region": _region,
    "region_technology": lambda row: (_region(row), row.get("technology")),
}


def is_small(value: Any) -> bool:
    """A count that must be hidden from other parties: 1 to 4."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < SMALLEST_SHOWN


@dataclass
class SuppressedTable:
    """Rows as a viewer may see them, and rollup totals that are safe to show next to them."""

    rows: list[Row]
    raw: list[Row]
    groups: Mapping[str, Grouping]
    hidden: dict[str, set[int]] = field(default_factory=dict)

    def total(self, field_name: str, grouping: str = "all", key: Hashable = "all") -> int | float | None:
        """Sum of ``field_name`` over one group of a declared grouping, or None when it would reveal.

        A total is suppressed when its group holds exactly one hidden value (no complement
        existed) or when it is itself a small count built from values the viewer may not see.
        """
        if grouping not in self.groups:
            raise KeyError(f"{grouping!r} is not a declared grouping; declare it to suppress consistently")
        of = self.groups[grouping]
        members = [i for i, row in enumerate(self.raw) if of(row) == key]
        hidden = self.hidden.get(field_name, set())
        count_hidden = sum(1 for i in members if i in hidden)
        values = [self.raw[i].get(field_name) for i in members]
        total = sum(v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
        if count_hidden == 1 or (count_hidden and is_small(total)):
            return None
        return total


def suppress_table(
    rows: Iterable[Mapping[str, Any]],
    viewer: Viewer,
    *,
    fields: Sequence[str] = SMALL_COUNT_FIELDS,
    owner: str = "municipality",
    groups: Mapping[str, Grouping] = CELL_GROUPS,
) -> SuppressedTable:
    """Copies of ``rows`` with small counts hidden from ``viewer``, complements included."""
    raw = [dict(r) for r in rows]
    shown = [copy.copy(r) for r in raw]
    hidden: dict[str, set[int]] = {}
    if viewer.sees_all:
        return SuppressedTable(shown, raw, groups, hidden)
    foreign = [i for i, row in enumerate(raw) if not viewer.sees(row.get(owner))]
    for name in fields:
        marked = {i for i in foreign if is_small(raw[i].get(name))}
        if marked:
            _complement(raw, foreign, name, marked, groups)
        hidden[name] = marked
    for name, indexes in hidden.items():
        for i in indexes:
            shown[i][name] = None
            shown[i][FLAG] = [*shown[i].get(FLAG, []), name]
    return SuppressedTable(shown, raw, groups, hidden)


def _complement(
    raw: list[Row], foreign: list[int], name: str, marked: set[int], groups: Mapping[str, Grouping]
) -> None:
    """Hide more values until no declared group holds exactly one hidden value it can protect."""
    members: list[dict[Hashable, list[int]]] = []
    for of in groups.values():
        by_key: dict[Hashable, list[int]] = defaultdict(list)
        for i in foreign:
            if name in raw[i]:
                by_key[of(raw[i])].append(i)
        members.append(by_key)
    changed = True
    while changed:
        changed = False
        for by_key in members:
            for indexes in by_key.values():
                if sum(1 for i in indexes if i in marked) != 1:
                    continue
                candidates = [i for i in indexes if i not in marked and _number(raw[i].get(name))]
                if not candidates:
                    continue  # its total is suppressed instead (SuppressedTable.total)
                # The next-smallest value: least information lost; a positive one first,
                # since a hidden zero protects as well but reads oddly.
                chosen = min(candidates, key=lambda i: (raw[i][name] == 0, raw[i][name], i))
                marked.add(chosen)
                changed = True


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def suppress_rows(rows: Iterable[Mapping[str, Any]], viewer: Viewer, **options: Any) -> list[Row]:
    """Just the rows of :func:`suppress_table` (for outputs without totals)."""
    return suppress_table(rows, viewer, **options).rows


def suppress_pilot(pilot: Mapping[str, Any], siblings: Sequence[Mapping[str, Any]], viewer: Viewer) -> Row:
    """A pilot view as ``viewer`` may see it.

    ``siblings`` are the live pilots of the same cell (municipality × technology) with
    their ``pilot_id`` and counts, this pilot included: the cell is their published total,
    so the pilots are suppressed as one group. When a count is hidden, it is hidden in
    every reported period too (the latest period would give it back); other periods are
    hidden where they are small themselves.
    """
    view = copy.deepcopy(dict(pilot))
    if viewer.sees(view.get("municipality")):
        return view
    group = [dict(s) for s in siblings]
    if not any(s.get("pilot_id") == view.get("pilot_id") for s in group):
        group.append({k: view.get(k) for k in ("pilot_id", *SMALL_COUNT_FIELDS) if k in view})
    table = suppress_table(
        [{**s, "municipality": view.get("municipality")} for s in group],
        viewer,
        groups={"cell": lambda row: "cell"},
    )
    mine = next(r for r in table.rows if r.get("pilot_id") == view.get("pilot_id"))
    flagged = set(mine.get(FLAG, []))
    for name in SMALL_COUNT_FIELDS:
        if name in flagged:
            view[name] = None
    for values in (view.get("metrics") or {}).values():
        for name in SMALL_COUNT_FIELDS:
            if name in values and (name in flagged or is_small(values[name])):
                values[name] = None
                values.setdefault(FLAG, []).append(name)
    if flagged:
        view[FLAG] = [n for n in SMALL_COUNT_FIELDS if n in flagged]
    return view


ALARM_USERS = "users_connected"
NESTED_ALARM_FLAG = "alarms.users_connected"
AlarmMonth = tuple[str, str, str]  # (municipality, technology, period)


def hidden_alarm_months(reports: Iterable[Mapping[str, Any]], viewer: Viewer) -> set[AlarmMonth]:
    """The (municipality, technology, month) whose alarm reports hold a count hidden from ``viewer``.

    Alarm figures are rolled up from monthly reports (per platform) into cells,
    municipalities, regions, technologies and the alliance. Every rollup that includes a
    hidden report is hidden as a whole (the "suppress the total" form of complementary
    suppression), so each alarm figure shown is a sum of figures the viewer may see.
    """
    return {
        (str(r["municipality"]), str(r["technology"]), str(r["period"]))
        for r in reports
        if not viewer.sees(r.get("municipality")) and is_small(r.get(ALARM_USERS))
    }


def suppress_cells(
    cells: Iterable[Mapping[str, Any]],
    viewer: Viewer,
    alarm_hidden: Collection[AlarmMonth] = (),
) -> SuppressedTable:
    """Adoption cells (municipality × technology) as ``viewer`` may see them.

    The whole table goes in (filters are applied to ``.rows`` afterwards). A cell's latest
    alarm month is hidden (``alarms.users_connected``) when it includes a hidden report
    (``alarm_hidden``, from :func:`hidden_alarm_months` over all reports).
    """
    table = suppress_table(cells, viewer)
    for row in table.rows:
        alarms = row.get("alarms")
        if (
            isinstance(alarms, Mapping)
            and ALARM_USERS in alarms
            and (row["municipality"], row["technology"], alarms.get("period")) in alarm_hidden
        ):
            row["alarms"] = {**alarms, ALARM_USERS: None}
            row[FLAG] = [*row.get(FLAG, []), NESTED_ALARM_FLAG]
    return table


def _hide_months(summary: Mapping[str, Any] | None, hidden_periods: set[str]) -> Any:
    """A summary with its hidden months (and its latest-month total, if hidden) flagged."""
    if not summary or not hidden_periods:
        return summary
    shown = dict(summary)
    if "series" in shown:
        shown["series"] = [
            {**m, ALARM_USERS: None, FLAG: [ALARM_USERS]} if m["period"] in hidden_periods else m
            for m in shown["series"]
        ]
    if shown.get("last_period") in hidden_periods:
        shown[ALARM_USERS] = None
        shown[FLAG] = [ALARM_USERS]
    return shown


def suppress_alarm_summary(
    summary: Mapping[str, Any] | None,
    hidden: set[AlarmMonth],
    municipality: str | None = None,
    technology: str | None = None,
) -> Any:
    """A municipality's or a technology's alarm summary as the viewer of ``hidden`` may see it."""
    periods = {
        period
        for m, t, period in hidden
        if (municipality is None or m == municipality) and (technology is None or t == technology)
    }
    return _hide_months(summary, periods)


def suppress_alarm_view(
    view: Mapping[str, Any], hidden: set[AlarmMonth], members: Iterable[str]
) -> dict[str, Any]:
    """The ``/v1/alarms`` view: report rows and every rollup that includes a hidden report."""
    shown = dict(view)
    shown["reports"] = [
        {**r, ALARM_USERS: None, FLAG: [ALARM_USERS]}
        if (r["municipality"], r["technology"], r["period"]) in hidden
        else r
        for r in view["reports"]
    ]
    # Only the reports in this (filtered) view are in its rollups.
    present = {(r["municipality"], r["technology"], r["period"]) for r in view["reports"]} & hidden
    member_codes = set(members)
    region_of = {r["municipality"]: r["region"] for r in view["reports"]}
    shown["municipalities"] = [
        _hide_months(m, {p for code, _, p in present if code == m["municipality"]})
        for m in view["municipalities"]
    ]
    shown["regions"] = [
        _hide_months(g, {p for code, _, p in present if region_of.get(code) == g["region"]})
        for g in view["regions"]
    ]
    shown["alliance"] = _hide_months(view["alliance"], {p for code, _, p in present if code in member_codes})
    return shown
