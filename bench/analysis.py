"""What the report says of measures that can miss their budget, and what was changed to meet the budgets.

Causes found by profiling (cProfile, EXPLAIN ANALYZE, gunicorn's access log) and what would fix them, for
measures that can miss their budget on the reference machine (2 cores): printed under "Budgets missed" only
while the measure misses, beside that run's own figures and profile.
"""

_FLOOR_RATIO = (
    "The floor is one query returning the 500 to 930 figures in about 6 ms. A repeated page serves the grid "
    "(headline tiles and table) from the cache: what is left is the session, the user, the membership with "
    "the authority's data version, the sign-off month, the month picker, the council switcher and rendering "
    'the page around the grid (see "Where the scorecard page\'s time goes"). A page after a change builds '
    "the grid: 11 queries about a fifth, building and rating the rows a quarter to a third, rendering about half.",
    "If the repeated page misses: measure on an idle machine (the floor moves with the load too); then cut "
    "what every page still makes: the month picker's 120 options, the session and user queries (a signed-cookie "
    "session). The first page after a change is not cached by design; a compiled template (Jinja2) for the "
    "grid would take off perhaps a fifth of it.",
)
#: What was changed to meet the budgets (issue "Performance at England scale"), for whoever compares a later run.
CHANGES = """\
Measured before each change on this data set; figures are medians on the reference machine.

- `scorecard_build` (scorecards/selectors.py), same 11 queries per page and the same rows:
  - benchmarks: only each indicator's benchmark year, both sources (a window function,
    `MAX(year) OVER (PARTITION BY indicator)`), instead of every year of both sources: 1,200 model instances
    a page became 120;
  - monthly values of the window as named tuples instead of model instances;
  - sign-offs of the window and the headline tiles' two-year look-back only, instead of every month.
  The selector went from 78 ms to about 25 ms; model instantiation had been its largest cost.
- The scorecard's month cells (templates/scorecards/core/scorecard.html) are written by `{% month_cells row %}`
  (scorecards/templatetags/scorecard_tags.py), one call per row with the same markup, instead of a dozen
  template nodes per cell: rendering went from about 35 ms to 17 ms for 60 indicators x 13 months.
- Index `benchmark_indicator_year` on benchmarks (indicator, source, year), migration 0004: the league table and
  its list of years read an indicator's 153 figures of one year instead of its 3,060 rows of every year and
  source (0.6-1.0 ms to under 0.1 ms with benchmarks stored release by release, as DfE loads arrive).
- Audit records (`scorecards.audit.changes_record`) are written with COPY on PostgreSQL from 200 records at
  once (smaller batches, and SQLite, as before): its part of importing 100,000 values went from 9.7 s to 2.4 s,
  the whole import from about 21 s to 12-16 s.
- Update imports (a file correcting figures already loaded) write the changed rows set-based
  (`update_rows`, scorecards/imports/base.py): on PostgreSQL COPY into a temporary table and one
  `UPDATE ... FROM` it, instead of one UPDATE per row, each of which fired the statement-level data-version
  trigger; on SQLite `UPDATE ... FROM (VALUES ...)` with thousands of rows to a statement, and the audit records
  in multi-row INSERTs (SQLite's own parameter limit, not Django's 999). Measured with 100,000 changed values
  on a shared 2-core machine at load average 3.5 to 4.5, where both imports took 2 to 5 times as long as on the
  reference machine: the update import went from 1.1-2.0× the create import (77 to 112 s) to
  0.5-0.8× (31 to 45 s); writing the values from 30 s to about 10 s, the UPDATE's trigger firing once (0.2 s).
- The scorecard's grid (headline tiles and table, templates/scorecards/core/partials/scorecard_grid.html) is cached
  per authority, month, window and reader kind (board members or those who see drafts), keyed by
  `Authority.data_version`: database triggers (migrations authorities 0002 and scorecards 0005; statement-level
  with transition tables on PostgreSQL, row-level on SQLite) give it a new random value in the transaction of
  every write to the authority's monthly values, benchmarks, targets, sign-off months and audit records, and
  every authority's on a change to the indicator catalogue, so ORM saves, `update()`, `bulk_create`, COPY
  and raw SQL all make the next page build afresh. Exports, the indicator page and the sign-off banner are
  never cached. Repeated pages are measured apart from the first page after a change (the grid built).
- Looked at and left: `pack_data_as_of`'s newest change (2.6 s once with a cold cache, 12 ms warm: the newest
  records are at the end of the `at` index); the comparison page (6 queries, about 20 ms).
"""

_PAGE = (
    'The page is CPU in Python, not the database (see "Where the scorecard page\'s time goes"): about 50 ms '
    "for 60 indicators x 13 months on an idle core of this machine, rising with the load average, as the "
    "floor beside it does (compare its figure with an idle run's 6-7 ms). When first profiled, before this "
    "issue's fixes, it was 83 ms: 1,200 benchmark model instances a page and a dozen template nodes per cell.",
    "On a shared machine, measure when the load average is near 0. To gain headroom on pages that build the "
    "grid (repeated pages are served from the cache): labels of the month picker made once in the view rather than two date filters for "
    "each of its 120 months (about 4 ms); fewer tooltip strings per row.",
)
_BUILT_RATIO = (
    "A page that builds the grid does in Python what the floor leaves undone: it rates 60 rows (RAG, direction, "
    "SPC icons from the kept sums, intervals), writes 60 × 13 cells with tooltips, the phone layout's cards "
    "and the sparklines, and around it the session, the user, the membership, the sign-off, the month picker "
    "and the council switcher (about 10 ms, the repeated page). Profiled on the England data set after this "
    "session's changes: building the rows about 22 ms of CPU, rendering the grid about 14 ms, the page around "
    "it about 15 ms, against a floor of 7 to 12 ms.",
    "Each part has been cut (sorting joins, model instances, Jinja2 for the grid, cells and SPC chips written "
    "in one pass, the month picker written once, SPC sums kept at approval) and none alone is the cause. "
    "Further: one query for the grid's figures, benchmarks and targets (the floor's shape); the phone cards "
    "made from the table's cells by CSS instead of a second copy; rows kept per approved month, as the SPC "
    "sums are, so that a page after an approval rates only what changed.",
)
_SPC = (
    "Reading the kept sums is one query of one row per indicator; worked out from the snapshots instead (60 "
    "indicators × 120 months sorted and windowed) it was 18 ms of a 19.5 ms measure.",
    "If it misses again: check that the summaries exist (migration 0010 fills them; `series_summaries_refresh` "
    "at approval keeps them) and that the query uses the one_series_summary_per_value index.",
)
ANALYSIS: dict[str, tuple[str, str]] = {
    "scorecard.ratio_cold.6": _BUILT_RATIO,
    "scorecard.ratio_cold.13": _BUILT_RATIO,
    "spc.grid": _SPC,
    "quarter.page.4": (
        "As the month page, plus the quarters before the window that the SPC series of quarters needs: "
        "about 6,400 earlier months read and made into quarters (roughly 10 ms of CPU and 7 ms of SQL).",
        "Keep quarter sums at approval as the monthly SPC sums are (core/series.py).",
    ),
    "plan.page": (
        "Rendering 200 action cards with their 2,000 updates, and the evidence scorecard of the cited "
        "indicators (its rows, not its series).",
        "Cards are written once per page in Python (plans/cards.py); next, paginate the history of each action.",
    ),
    "meeting_pack.time": (
        "WeasyPrint laying out the 60 indicators' pages plus the plans' progress and the challenge log, on one "
        "core, laid out once (page numbers written after layout, packs/paging.py); the first of the runs "
        "includes loading WeasyPrint and its fonts. It moves by seconds with the machine's load.",
        "Measure on an idle machine first. Then: the plans' tables (the time a meeting pack takes over a board "
        "pack), or sections rendered in parallel processes and joined.",
    ),
    "scorecard.page.6": _PAGE,
    "scorecard.page.13": _PAGE,
    "scorecard.page_cached.6": _PAGE,
    "scorecard.page_cached.13": _PAGE,
    "scorecard.ratio.6": _FLOOR_RATIO,
    "scorecard.ratio.13": _FLOOR_RATIO,
    "comparison.compare": (
        "Six queries of a few milliseconds; the rest is rendering the page with its two charts' data.",
        "As for the scorecard: measure on an idle machine; then profile the template.",
    ),
    "load.p95": (
        "CPU. A page costs 40 to 60 ms of one core in Django plus its share of PostgreSQL; 50 members pausing "
        "1 to 5 s ask for about 15 pages a second, about half of this 2-core machine, which also runs locust "
        "and PostgreSQL (and, when the load average says so, other work). gunicorn's own request time (from "
        "its access log, in the section below) rises with the run queue, not with the database.",
        "Run the load generator elsewhere and give the web tier more cores (config/gunicorn.py starts two "
        "workers per core); cut the CPU of the pages that build the grid (the first after a change).",
    ),
    "import.time": (
        "The values are written with one COPY (about 2 s for 100,000) and the sign-off months in a few "
        "statements; what is left is the foreign keys PostgreSQL checks at commit (about 400,000, 3 to 4 s), "
        "the audit records (COPY, about 2.5 s), planning (reading and checking every row, about 2 s) and reading "
        "the file. All of it waits on the disk and moves with the machine's load.",
        "Measure on an idle machine first; then check the foreign keys once per import rather than per row "
        "(immediate constraints within the import, or a check query before COPY).",
    ),
    "import.update_time": (
        "The changed rows are written set-based (scorecards/imports/base.py, update_rows): COPY into a "
        "temporary table and one UPDATE ... FROM it, so the data-version trigger fires once (about 0.2 s), not "
        "once per row. What is left is PostgreSQL rewriting each changed row: a new row version and an entry "
        "in each of the table's six indexes, as the pages the create import filled leave no room for HOT "
        "updates (EXPLAIN (ANALYZE, WAL): about 800,000 WAL records, 200 MB, for 100,000 rows), plus planning "
        "(every row read, checked and compared with the stored one) and the audit records (COPY). Both imports "
        "wait on the disk and move with the machine's load.",
        "Measure on an idle machine first. Then: a fillfactor below 100 on scorecards_monthlyvalue so that "
        "updates can be HOT (no new index entries); drop its authority_id index, a prefix of two others.",
    ),
    "pack.time": (
        "WeasyPrint on one core, each page laid out once (packs/paging.py writes the page references into the "
        "laid-out pages; target-counter() laid 39 pages out 51 times): laying out the grid table and the "
        "indicator panels, Pango's line breaking, the CSS cascade; the charts' text is drawn a string at a time "
        "(packs/svg_text.py). The queries (scorecard_build, pack_data_as_of) are under a second.",
        "Render the indicator sections in parallel processes and join the PDFs. The pack is made by the Celery "
        "worker with a progress bar, so a slow pack does not hold a page.",
    ),
    "comparison.league": (
        "Rendering: the league's two queries take a few milliseconds (with benchmark_indicator_year); the "
        "django-tables2 table of 153 rows is most of the page.",
        "Render the league's rows without django-tables2's per-cell machinery, or paginate it.",
    ),
}
