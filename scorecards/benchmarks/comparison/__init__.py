"""Reads for the comparison pages: an indicator's published figures beside neighbours, region, England, all.

Only ``dfe`` benchmarks are used here. A council's typed benchmarks have no neighbours or league to sit in,
and setting them beside DfE's figures would compare unlike things. Ranks, ``rank_of`` and quartiles are the
ones stored when the release was loaded (computed once over every authority with a published figure), never
recomputed per request. A missing published figure stays missing: it is shown as missing and sorted last,
never drawn or ranked as zero.

Each selector runs a fixed number of queries, however many neighbours, authorities or years there are.
``neighbours`` builds the comparison page, ``league`` the league, ``common`` holds what they share; the
public names are re-exported here.
"""

from .common import NO_PUBLISHED_DATA, ONLY_PUBLISHED, PUBLICATION, published_indicator_get, source_label
from .league import League, LeagueRow, league_build, league_years
from .neighbours import AreaFigure, AreaKind, Comparison, TrendYear, comparison_build

__all__ = [
    "NO_PUBLISHED_DATA",
    "ONLY_PUBLISHED",
    "PUBLICATION",
    "AreaFigure",
    "AreaKind",
    "Comparison",
    "League",
    "LeagueRow",
    "TrendYear",
    "comparison_build",
    "league_build",
    "league_years",
    "published_indicator_get",
    "source_label",
]
