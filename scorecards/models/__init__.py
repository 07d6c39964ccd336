"""The scorecards app's models, by topic; every model is importable from ``scorecards.models``."""

from scorecards.models.catalogue import (
    FIGURE,
    YEAR_HELP,
    Indicator,
    Polarity,
    PublishedMeasure,
    QuarterRule,
    Unit,
)
from scorecards.models.figures import (
    Benchmark,
    BenchmarkSource,
    MonthlyValue,
    Target,
    TargetKind,
    ValueStatus,
)
from scorecards.models.packs import BoardPack, PackState
from scorecards.models.plans import (
    Action,
    ActionStatus,
    ActionUpdate,
    Meeting,
    Plan,
    PlanSource,
    Question,
    QuestionState,
)
from scorecards.models.returns import DataQualityProblem, ReturnImport, ReturnState
from scorecards.models.series import SeriesSummary
from scorecards.models.signoff import (
    ChangeRecord,
    ChangeRoute,
    MonthSnapshot,
    ScorecardMonth,
    SignOffState,
    SnapshotFigure,
)
from scorecards.models.uploads import PendingUpload, UploadState

__all__ = [
    "Action",
    "ActionStatus",
    "ActionUpdate",
    "DataQualityProblem",
    "Meeting",
    "PendingUpload",
    "Plan",
    "PlanSource",
    "Question",
    "QuestionState",
    "QuarterRule",
    "ReturnImport",
    "ReturnState",
    "UploadState",
    "FIGURE",
    "YEAR_HELP",
    "Benchmark",
    "BenchmarkSource",
    "BoardPack",
    "ChangeRecord",
    "ChangeRoute",
    "Indicator",
    "MonthSnapshot",
    "MonthlyValue",
    "PackState",
    "Polarity",
    "PublishedMeasure",
    "ScorecardMonth",
    "SeriesSummary",
    "SignOffState",
    "SnapshotFigure",
    "Target",
    "TargetKind",
    "Unit",
    "ValueStatus",
]
