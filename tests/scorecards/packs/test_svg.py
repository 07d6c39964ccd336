"""The PDF's indicator chart: the web chart's series, benchmarks and target, drawn as SVG with no browser; its
legend, printed as text under it, each entry beside a key drawn like its line."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from scorecards import rating
from scorecards.models import Indicator
from scorecards.packs.svg import chart_legend, indicator_chart_svg, nice_ticks
from scorecards.rows import BenchmarkFigures, MonthCell, ScorecardRow

SVG = "{http://www.w3.org/2000/svg}"


def make_row(
    values: list[float | None],
    *,
    start: datetime.date = datetime.date(2020, 6, 1),
    name: str = "Dental checks within 12 months",
    unit: str = "percent",
    decimals: int = 0,
    england: float | None = 85,
    sn_average: float | None = None,
    sn_range: tuple[float, float] | None = (78, 94),
    target: tuple[str, float] | None = None,
    statuses: dict[int, str] | None = None,
) -> ScorecardRow:
    indicator = Indicator(
        code="dental_check_pct",
        section="Health",
        name=name,
        unit=unit,
        polarity="higher_is_better",
        decimals=decimals,
    )
    months = rating.month_window(
        datetime.date(
            start.year + (start.month + len(values) - 2) // 12, (start.month + len(values) - 2) % 12 + 1, 1
        ),
        len(values),
    )
    cells = []
    for index, (month, value) in enumerate(zip(months, values, strict=True)):
        figure = Decimal(str(value)) if value is not None else None
        status = (statuses or {}).get(index, "")
        text = f"{value:g}%" if value is not None else "–"
        cells.append(MonthCell(month, figure, status, text))
    decimal = lambda v: Decimal(str(v)) if v is not None else None  # noqa: E731
    figures = BenchmarkFigures(
        year="2018/19",
        england=decimal(england),
        sn_average=decimal(sn_average),
        sn_min=decimal(sn_range[0]) if sn_range else None,
        sn_max=decimal(sn_range[1]) if sn_range else None,
    )
    latest, previous = rating.latest_two([(c.period, c.value) for c in cells])
    return ScorecardRow(
        indicator=indicator,
        cells=tuple(cells),
        latest=latest,
        previous=previous,
        benchmark=figures,
        target=(target[0], Decimal(str(target[1]))) if target else None,
        baseline=None,
        direction=rating.Direction.NONE,
        rating=rating.Rating(rating.Rag.NONE, rating.Basis.NO_COMPARATOR),
        period=months[-1],
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_it_is_well_formed_svg_with_a_title_and_description():
    root = parse(indicator_chart_svg(make_row([70, 69, 65, 58, 55, 42])))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Chart of Dental checks within 12 months"
    assert "From 70% in June 2020 to 42% in November 2020" in root.find(f"{SVG}desc").text


def test_it_draws_the_series_with_a_gap_for_each_missing_month():
    root = parse(indicator_chart_svg(make_row([70, 69, None, 58, 55, 42], statuses={2: "not_available"})))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert len(lines[0].get("points").split()) == 2
    assert len(lines[1].get("points").split()) == 3
    assert "n/a" in texts(root)


def test_a_lone_month_between_gaps_is_still_a_point():
    root = parse(indicator_chart_svg(make_row([None, None, 58, None, None, None])))
    assert root.findall(f"{SVG}polyline") == []
    assert "58%" in texts(root)


def dashed(root: ET.Element) -> dict[str, str]:
    """The chart's dashed lines: their colour and dashes."""
    return {
        element.get("stroke"): element.get("stroke-dasharray")
        for element in root.iter()
        if element.get("stroke-dasharray")
    }


def test_it_shows_england_sn_average_range_and_target_with_their_years():
    row = make_row([70, 69, 65, 58, 55, 42], sn_average=86, target=("2022/23", 90))
    root = parse(indicator_chart_svg(row))
    lines = dashed(root)
    assert set(lines) == {"#505a5f", "#6f3c96", "#00703c"}
    assert len(set(lines.values())) == 3, "each line its own dashes: never colour alone"
    band = [rect for rect in root.findall(f"{SVG}rect") if rect.get("fill-opacity")]
    assert band, "the SN range is drawn as a band"

    legend = chart_legend(row, series_label="Dorset monthly value")
    assert [item.label for item in legend] == [
        "Dorset monthly value",
        "England 85% (2018/19)",
        "SN average 86% (2018/19)",
        "SN range 78% to 94% (2018/19)",
        "Target 90% (2022/23)",
    ]
    # Each key is drawn as its line is in the chart: the same colour and the same dashes.
    for item in legend[1:]:
        key = parse(item.key_svg)
        if item.kind == "band":
            assert key.find(f"{SVG}rect").get("fill") == "#6f3c96"
        else:
            assert dashed(key) == {item.colour: lines[item.colour]}, item.label
    series_key = parse(legend[0].key_svg)
    assert series_key.find(f"{SVG}circle") is not None and not dashed(series_key)


def test_legend_entries_too_long_for_half_the_width_have_a_line_of_their_own():
    row = make_row([70, 69, 65, 58, 55, 42], sn_average=86, target=("2022/23", 90))
    legend = chart_legend(row, width=428, series_label="Dorset monthly value")
    assert not any(item.wide for item in legend), "two to a line"
    long_label = chart_legend(
        row, width=428, series_label="Bournemouth, Christchurch and Poole monthly value"
    )
    assert long_label[0].wide and not long_label[1].wide


def test_without_benchmarks_there_are_no_benchmark_lines_or_legend_entries():
    row = make_row([1, 2, 3], unit="count", england=None, sn_range=None)
    assert not dashed(parse(indicator_chart_svg(row)))
    assert [item.label for item in chart_legend(row)] == ["Monthly value"]


def test_the_legend_is_not_drawn_in_the_chart():
    """WeasyPrint draws SVG text a letter at a time: the legend is printed as text under the chart instead."""
    row = make_row([70, 69, 65, 58, 55, 42], sn_average=86, target=("2022/23", 90))
    labels = texts(parse(indicator_chart_svg(row)))
    assert not any(label.startswith(("England", "SN ", "Target", "Monthly")) for label in labels)


def test_the_points_are_one_path_and_each_value_is_labelled():
    root = parse(indicator_chart_svg(make_row([70, 69, None, 58, 55, 42], statuses={2: "not_available"})))
    points = [path for path in root.findall(f"{SVG}path") if path.get("fill") == "#1d3f72"]
    assert len(points) == 1
    assert points[0].get("d").count("M") == 5, "one circle per value, none for the missing month"
    assert not root.findall(f"{SVG}circle")
    assert {"70%", "69%", "58%", "55%", "42%"} <= set(texts(root))


def test_months_are_labelled_with_their_year_where_the_year_starts():
    row = make_row([1, 2, 3, 4], start=datetime.date(2020, 11, 1), unit="count", england=None, sn_range=None)
    labels = texts(parse(indicator_chart_svg(row)))
    assert [t for t in labels if t in {"Nov", "Dec", "Jan", "Feb", "2020", "2021"}] == [
        "Nov",
        "2020",
        "Dec",
        "Jan",
        "2021",
        "Feb",
    ]


def test_the_axis_names_its_unit_and_percent_ticks_carry_a_percent_sign():
    labels = texts(parse(indicator_chart_svg(make_row([70, 69, 65, 58, 55, 42]))))
    assert "Percent" in labels
    assert any(label.endswith("%") and label[:-1].isdigit() for label in labels)
    rate_labels = texts(parse(indicator_chart_svg(make_row([70.1, 71.2], unit="rate_per_10k", england=None))))
    assert "Rate per 10,000 children" in rate_labels


def test_text_from_the_data_is_escaped():
    row = make_row([1, 2], name='Dental <script>alert("x")</script> & more', england=None, sn_range=None)
    svg = indicator_chart_svg(row)
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == 'Chart of Dental <script>alert("x")</script> & more'


def test_a_row_with_no_values_is_an_empty_but_valid_chart():
    root = parse(indicator_chart_svg(make_row([None, None, None], england=None, sn_range=None)))
    assert root.findall(f"{SVG}polyline") == []
    assert not [path for path in root.findall(f"{SVG}path") if path.get("fill") == "#1d3f72"], "no points"
    assert "No monthly values" in root.find(f"{SVG}desc").text


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (42, 94, [40, 60, 80, 100]),
        (-1.33, -0.93, [-1.4, -1.3, -1.2, -1.1, -1.0, -0.9]),
        (5, 5, [4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6]),
    ],
)
def test_ticks_are_round_numbers_covering_the_range(low, high, expected):
    assert nice_ticks(low, high) == pytest.approx(expected)


def test_a_whole_number_indicator_gets_whole_number_ticks():
    assert nice_ticks(0, 2.4, decimals=0) == [0, 1, 2, 3]
    assert nice_ticks(42.5, 55, decimals=0) == [40, 45, 50, 55], "no 2.5 steps: they would print 47.5%"


def test_a_small_wobble_does_not_fill_the_chart():
    labels = texts(
        parse(indicator_chart_svg(make_row([21, 22, 22, 22, 21, 21], england=None, sn_range=None)))
    )
    ticks = [int(label[:-1]) for label in labels if label.endswith("%") and label[:-1].isdigit()]
    assert max(ticks) - min(ticks) >= 10
