"""Benchmarks computed from DfE's published children-looked-after statistics.

DfE publishes every year, on Explore Education Statistics (EES), a CSV per table with a national row, regional
rows and one row per local authority. Which figure of which file feeds which indicator is data, not code: the
``PublishedMeasure`` rows, seeded from ``data/published_measures.csv`` and editable in the admin. From the
authority-level figures this package computes, per indicator and financial year, what LAIT shows: England
(the published national row), the region (the published row of the authority's region), the statistical-
neighbour average, minimum and maximum, the authority's own figure, its rank among all authorities and its
quartile band.

``files`` reads the published files, ``ranking`` computes a year's benchmarks from them, ``services`` seeds
the mapping and stores the benchmarks. The public names are re-exported here.
"""

from .files import (
    AMBIGUOUS_FILTERS,
    EES_COLUMNS,
    LOCAL_AUTHORITY,
    MISSING_SYMBOLS,
    NATIONAL,
    NOT_A_CODE,
    NOT_A_NUMBER,
    NOT_A_YEAR,
    REGIONAL,
    SHORT_ROW,
    WRONG_EES_LAYOUT,
    MeasureSpec,
    YearFigures,
    locate_published_files,
    parse_published_value,
    published_year,
    read_published_file,
)
from .ranking import (
    QUARTILES,
    STORED_PLACES,
    BenchmarkFigures,
    competition_ranks,
    compute_benchmarks,
    quartile_band,
    quartile_thresholds,
)
from .services import (
    BAD_MEASURE,
    BENCHMARK_FIELDS,
    CREATED_INDICATOR_SOURCE,
    FILTER_COLUMN,
    INDICATOR_CODE,
    MEASURE_COLUMNS,
    MEASURES_CSV,
    NOTE,
    BenchmarkImportResult,
    MeasureSeedResult,
    import_published_benchmarks,
    seed_published_measures,
)

__all__ = [
    "AMBIGUOUS_FILTERS",
    "BAD_MEASURE",
    "BENCHMARK_FIELDS",
    "CREATED_INDICATOR_SOURCE",
    "EES_COLUMNS",
    "FILTER_COLUMN",
    "INDICATOR_CODE",
    "LOCAL_AUTHORITY",
    "MEASURES_CSV",
    "MEASURE_COLUMNS",
    "MISSING_SYMBOLS",
    "NATIONAL",
    "NOTE",
    "NOT_A_CODE",
    "NOT_A_NUMBER",
    "NOT_A_YEAR",
    "QUARTILES",
    "REGIONAL",
    "SHORT_ROW",
    "STORED_PLACES",
    "WRONG_EES_LAYOUT",
    "BenchmarkFigures",
    "BenchmarkImportResult",
    "MeasureSeedResult",
    "MeasureSpec",
    "YearFigures",
    "competition_ranks",
    "compute_benchmarks",
    "import_published_benchmarks",
    "locate_published_files",
    "parse_published_value",
    "published_year",
    "quartile_band",
    "quartile_thresholds",
    "read_published_file",
    "seed_published_measures",
]
