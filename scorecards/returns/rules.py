"""The eight rules of shared/CONTRACT.md ("Figures computed from the SSDA903 return"), in plain Python.

``compute`` takes the tables ``reader`` gives and the month-ends D asked for, and returns every figure with
the data-quality problems met on the way. Decisions the contract leaves open, made here:

- A row with a blank CHILD is a problem and left out, in every table: it cannot be given to a child.
- Rule 1 needs DECOM (and DEC when it is filled in) of an episode and MIS_START of a missing row; the oc2 table
  needs no date. Dates are exactly ``DD/MM/YYYY`` (two digits, two digits, four digits).
- Rule 2's problems are reported once, on the row at fault: a duplicate on the row that is replaced (naming the
  row that replaces it), an overlap or a stray open episode on the episode that is closed early; an episode
  whose DEC is before its DECOM is reported too (it is never open, but its DEC still counts in rule 5).
- Started and ceased count children, not episodes: a child who starts twice in a month counts once.
- A repeated oc2 row is reported on the earlier row, which the later one replaces.
- Without ``missing.csv`` or ``oc2.csv`` the figures needing them are not computed, and a note says so.
- With ``schema_codes`` (``reader.load_schema_codes``), a code outside the schema's list in a column the rules
  read (RNE, LS, PLACE, REC; MISSING; TEETH_CHECK, HEALTH_ASSESSMENT, IMMUNISATIONS) is a problem; the row is
  kept and the rules treat the code as written (an unknown LS is not a short break).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Context, Decimal
from enum import StrEnum

from .catalogue import INDICATORS
from .reader import ReturnTables, Row, Table

DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
SHORT_BREAKS = frozenset({"V3", "V4"})
TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
PLACEMENT_STARTS = frozenset({"S", "P", "B"})
HEALTH = {
    "dental_check_pct": "TEETH_CHECK",
    "rha_on_time_pct": "HEALTH_ASSESSMENT",
    "immunisations_up_to_date_pct": "IMMUNISATIONS",
}
CHECKED_CODES = {
    "episodes.csv": ("RNE", "LS", "PLACE", "REC"),
    "missing.csv": ("MISSING",),
    "oc2.csv": tuple(HEALTH.values()),
}
TABLE_ORDER = {"episodes.csv": 0, "missing.csv": 1, "oc2.csv": 2}
PERCENT = Context(prec=28)


class ProblemRule(StrEnum):
    BLANK_CHILD = "blank_child"
    BAD_DATE = "bad_date"
    UNKNOWN_CODE = "unknown_code"
    DUPLICATE_EPISODE = "duplicate_episode"
    OVERLAPPING_EPISODE = "overlapping_episode"
    STRAY_OPEN_EPISODE = "stray_open_episode"
    ENDS_BEFORE_START = "ends_before_start"
    REPEATED_OC2_ROW = "repeated_oc2_row"


@dataclass(frozen=True)
class Figure:
    indicator: str
    #: the first day of D's month.
    period: date
    value: Decimal
    #: None for counts.
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class Problem:
    table: str
    #: as a spreadsheet shows it (the header is row 1).
    row: int
    #: the child's identifier as written ("" when blank): only the authority's officers see problems.
    child: str
    rule: str
    message: str


@dataclass(frozen=True)
class ReturnResult:
    figures: list[Figure]
    problems: list[Problem]
    #: what was not computed and why (a table absent from the return).
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Episode:
    row: int
    child: str
    start: date
    dec: date | None
    rne: str
    place: str
    rec: str
    #: rule 2: the earlier of DEC and the next episode's DECOM; None while open. Open on day d when
    #: start <= d and (end is None or end > d).
    end: date | None = None


def show(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def year_start(day: date) -> date:
    """The first day of "the 12 months ending on" ``day``: the day after the same date a year before."""
    before = day.replace(year=day.year - 1, day=min(day.day, monthrange(day.year - 1, day.month)[1]))
    return before + timedelta(days=1)


class _Problems(list):
    def add(self, table: str, row: Row | int, child: str, rule: ProblemRule, message: str) -> None:
        self.append(Problem(table, row if isinstance(row, int) else row.number, child, str(rule), message))


class _Dates:
    """Rule 1's date reading, remembering each text once (a return repeats its dates many times)."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems
        self.known: dict[str, date | None] = {}

    def parse(self, text: str) -> date | None:
        if text not in self.known:
            match = DATE.fullmatch(text)
            try:
                self.known[text] = date(*map(int, reversed(match.groups()))) if match else None
            except ValueError:
                self.known[text] = None
        return self.known[text]

    def read(self, table: str, row: Row, child: str, column: str, *, required: bool) -> date | None | bool:
        """The date; None when blank and not required; False after reporting a problem."""
        text = row.cells[column]
        if not text:
            if not required:
                return None
            self.problems.add(table, row, child, ProblemRule.BAD_DATE, f"{column} is blank")
            return False
        parsed = self.parse(text)
        if parsed is None:
            shown = text if len(text) <= 20 else text[:20] + "..."
            message = f"{column} {shown!r} is not a date written DD/MM/YYYY"
            self.problems.add(table, row, child, ProblemRule.BAD_DATE, message)
            return False
        return parsed


def compute(
    tables: ReturnTables,
    *,
    month_ends: Iterable[date],
    schema_codes: Mapping[str, set[str]] | None = None,
) -> ReturnResult:
    """The figures of every month-end D asked for (each must be the last day of its month)."""
    ends = sorted(set(month_ends))
    for day in ends:
        if day.day != monthrange(day.year, day.month)[1]:
            raise ValueError(f"{day.isoformat()} is not the last day of a month")
    problems = _Problems()
    notes: list[str] = []
    present = [table for table in (tables.episodes, tables.missing, tables.oc2) if table is not None]
    if schema_codes is not None:
        for table in present:
            _check_codes(table, schema_codes, problems)
    dates = _Dates(problems)
    by_child = _episodes_by_child(tables.episodes, dates, problems)
    figures = _Figures(ends)
    for episodes in by_child.values():
        figures.add_child(episodes)
    if tables.missing is None:
        notes.append("missing.csv is absent: missing_incidents_in_month is not computed")
    else:
        figures.add_missing(tables.missing, dates, problems)
    oc2 = None
    if tables.oc2 is None:
        notes.append("oc2.csv is absent: " + ", ".join(HEALTH) + " are not computed")
    else:
        oc2 = _oc2_by_child(tables.oc2, problems)
    problems.sort(key=lambda problem: (TABLE_ORDER.get(problem.table, 9), problem.row))
    return ReturnResult(figures.results(by_child, oc2), list(problems), notes)


def _check_codes(table: Table, schema_codes: Mapping[str, set[str]], problems: _Problems) -> None:
    columns = [c for c in CHECKED_CODES.get(table.name, ()) if c in schema_codes]
    for row in table.rows:
        for column in columns:
            value = row.cells.get(column)
            if value is None or value in schema_codes[column]:
                continue
            if value:
                shown = value if len(value) <= 20 else value[:20] + "..."
                message = f"{column} {shown!r} is not one of the schema's codes"
            else:
                message = f"{column} is blank, which the schema does not allow"
            problems.add(table.name, row, row.cells["CHILD"], ProblemRule.UNKNOWN_CODE, message)


def _episodes_by_child(table: Table, dates: _Dates, problems: _Problems) -> dict[str, list[Episode]]:
    """Rules 1 and 2: each child's episodes in DECOM order, each with its end."""
    name = table.name
    by_child: dict[str, list[Episode]] = defaultdict(list)
    for row in table.rows:
        cells = row.cells
        child = cells["CHILD"]
        if not child:
            problems.add(name, row, child, ProblemRule.BLANK_CHILD, "CHILD is blank; the row is left out")
            continue
        start = dates.read(name, row, child, "DECOM", required=True)
        dec = dates.read(name, row, child, "DEC", required=False)
        if start is False or dec is False or cells["LS"] in SHORT_BREAKS:
            continue
        episode = Episode(row.number, child, start, dec, cells["RNE"], cells["PLACE"], cells["REC"])
        by_child[child].append(episode)
    for child, episodes in by_child.items():
        episodes.sort(key=lambda episode: (episode.start, episode.row))
        kept: list[Episode] = []
        replaced: list[Episode] = []
        for episode in episodes:
            if kept and kept[-1].start == episode.start:
                replaced.append(kept.pop())
            elif replaced:
                _report_replaced(name, replaced, kept[-1], problems)
            kept.append(episode)
        if replaced:
            _report_replaced(name, replaced, kept[-1], problems)
        for episode, following in zip(kept, kept[1:] + [None], strict=True):
            _end(name, episode, following, problems)
        by_child[child] = kept
    return by_child


def _report_replaced(name: str, replaced: list[Episode], winner: Episode, problems: _Problems) -> None:
    for episode in replaced:
        message = f"same CHILD and DECOM ({show(episode.start)}) as row {winner.row}, which replaces this row"
        problems.add(name, episode.row, episode.child, ProblemRule.DUPLICATE_EPISODE, message)
    replaced.clear()


def _end(name: str, episode: Episode, following: Episode | None, problems: _Problems) -> None:
    dec, child = episode.dec, episode.child
    if dec is not None and dec < episode.start:
        message = f"DEC {show(dec)} is before DECOM {show(episode.start)}; the episode is never open"
        problems.add(name, episode.row, child, ProblemRule.ENDS_BEFORE_START, message)
    if following is None:
        episode.end = dec
        return
    after = following.start
    episode.end = after if dec is None else min(dec, after)
    where = (
        f"the child's next episode (row {following.row}) starts on {show(after)}, where this one is closed"
    )
    if dec is None:
        problems.add(name, episode.row, child, ProblemRule.STRAY_OPEN_EPISODE, f"no DEC, but {where}")
    elif dec > after:
        message = f"DEC {show(dec)} is after the start of the next episode: {where}"
        problems.add(name, episode.row, child, ProblemRule.OVERLAPPING_EPISODE, message)


def _oc2_by_child(table: Table, problems: _Problems) -> dict[str, Row]:
    latest: dict[str, Row] = {}
    for row in table.rows:
        child = row.cells["CHILD"]
        if not child:
            problems.add(
                table.name, row, child, ProblemRule.BLANK_CHILD, "CHILD is blank; the row is left out"
            )
            continue
        earlier = latest.get(child)
        if earlier is not None:
            message = f"the child has another oc2 row (row {row.number}), which replaces this one"
            problems.add(table.name, earlier, child, ProblemRule.REPEATED_OC2_ROW, message)
        latest[child] = row
    return latest


class _Figures:
    """Rules 3 to 8 over every month-end at once: each episode marks the month-ends it touches."""

    def __init__(self, ends: Sequence[date]) -> None:
        self.ends = list(ends)
        self.starts = [year_start(day) for day in self.ends]  # strictly increasing, as the ends are
        self.month = {(day.year, day.month): index for index, day in enumerate(self.ends)}
        count = len(self.ends)
        self.open: list[set[str]] = [set() for _ in range(count)]
        self.started: list[set[str]] = [set() for _ in range(count)]
        self.ceased: list[set[str]] = [set() for _ in range(count)]
        self.three_plus: list[set[str]] = [set() for _ in range(count)]
        self.missing: list[int] | None = None

    def _until(self, bounds: list[date], end: date | None) -> int:
        return len(self.ends) if end is None else bisect_left(bounds, end)

    def add_child(self, episodes: list[Episode]) -> None:
        ends, month = self.ends, self.month
        placements: dict[int, int] = defaultdict(int)  # month-end index -> placements in its 12 months
        touched: set[int] = set()  # month-ends whose 12 months the current placement touches
        first = True
        for episode in episodes:
            child, start, end = episode.child, episode.start, episode.end
            empty = end is not None and end <= start
            if not empty:  # rule 3: open on D when start <= D < end
                for index in range(bisect_left(ends, start), self._until(ends, end)):
                    self.open[index].add(child)
            if episode.rne == "S" and (index := month.get((start.year, start.month))) is not None:
                self.started[index].add(child)  # rule 4
            dec = episode.dec
            if dec and episode.rec != "X1" and (index := month.get((dec.year, dec.month))) is not None:
                self.ceased[index].add(child)  # rule 5
            if episode.place in TEMPORARY_PLACEMENTS:
                continue  # rule 6: passed over, though it still ended the episode before it
            if first or episode.rne in PLACEMENT_STARTS:
                self._count_placement(child, touched, placements)
                first = False
            if not empty:  # open on a day of the 12 months ending on D: start <= D and end > their start
                touched.update(range(bisect_left(ends, start), self._until(self.starts, end)))
        self._count_placement(episodes[0].child if episodes else "", touched, placements)

    def _count_placement(self, child: str, touched: set[int], placements: dict[int, int]) -> None:
        for index in touched:
            placements[index] += 1
            if placements[index] == 3:
                self.three_plus[index].add(child)
        touched.clear()

    def add_missing(self, table: Table, dates: _Dates, problems: _Problems) -> None:
        """Rule 7: every row whose MIS_START falls in D's month, whatever its MISSING code."""
        self.missing = [0] * len(self.ends)
        for row in table.rows:
            child = row.cells["CHILD"]
            if not child:
                message = "CHILD is blank; the row is left out"
                problems.add(table.name, row, child, ProblemRule.BLANK_CHILD, message)
                continue
            start = dates.read(table.name, row, child, "MIS_START", required=True)
            if start and (index := self.month.get((start.year, start.month))) is not None:
                self.missing[index] += 1

    def results(self, by_child: Mapping[str, list[Episode]], oc2: Mapping[str, Row] | None) -> list[Figure]:
        figures: list[Figure] = []
        for index, day in enumerate(self.ends):
            period = day.replace(day=1)
            in_care = self.open[index]
            figures.append(Figure("cic_count", period, Decimal(len(in_care))))
            figures.append(Figure("cic_started_in_month", period, Decimal(len(self.started[index]))))
            figures.append(Figure("cic_ceased_in_month", period, Decimal(len(self.ceased[index]))))
            if self.missing is not None:
                figures.append(Figure("missing_incidents_in_month", period, Decimal(self.missing[index])))
            _percent(
                figures,
                "three_plus_placements_pct",
                period,
                len(self.three_plus[index] & in_care),
                len(in_care),
            )
            if oc2 is None or (day.month, day.day) != (3, 31):
                continue
            since = self.starts[index]  # rule 8: open on D and on every day of the 12 months ending on D
            stayed = [child for child in in_care if _open_throughout(by_child[child], since, day)]
            for code, column in HEALTH.items():
                done = sum(1 for child in stayed if child in oc2 and oc2[child].cells[column] == "1")
                _percent(figures, code, period, done, len(stayed))
        order = {entry.code: position for position, entry in enumerate(INDICATORS)}
        figures.sort(key=lambda figure: (figure.period, order[figure.indicator]))
        return figures


def _percent(figures: list[Figure], code: str, period: date, numerator: int, denominator: int) -> None:
    if denominator:
        value = PERCENT.divide(Decimal(numerator) * 100, Decimal(denominator))
        figures.append(Figure(code, period, value, numerator, denominator))


def _open_throughout(episodes: list[Episode], since: date, until: date) -> bool:
    """Whether the child's episodes leave no day from ``since`` to ``until`` uncovered."""
    covered = since  # every day before it is covered (or before the 12 months)
    for episode in episodes:
        if episode.start > covered:
            return False
        if episode.end is None or episode.end > until:
            return True
        covered = max(covered, episode.end)
    return False
