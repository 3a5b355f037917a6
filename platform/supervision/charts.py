"""Dashboard charts, rendered on the server as SVG by pygal (its tooltip script, linked from another host, is switched off).

Colours come from ``models.LEVEL_COLOURS``, the one source of truth for warning / yellow / red.
"""

from __future__ import annotations

import re

import pygal
from pygal.style import Style

from .models import LEVEL_COLOURS, Level

FONT = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


def _style(*colours: str) -> Style:
    # Sizes in the SVG's own units; a chart is drawn 800 wide and never shown narrower than 680 px
    # (supervision/_style.html), so no text falls below 12 px on screen.
    return Style(background="white", plot_background="white", font_family=FONT, colors=colours or ("#3366aa",),
                 label_font_size=15, major_label_font_size=15, legend_font_size=15, title_font_size=18,
                 value_font_size=15, value_label_font_size=15, tooltip_font_size=15, no_data_font_size=20)


# Every chart: the legend below the plot (never over an axis), "暂无数据" when there is nothing
# to draw, and nothing linked from outside.
_COMMON = {"legend_at_bottom": True, "legend_at_bottom_columns": 5, "no_data_text": "暂无数据", "height": 320,
           "width": 800, "truncate_legend": -1}


def count_ticks(largest: float) -> list[int]:
    """Whole-number ticks from 0 to at least ``largest`` (a count is never 2.5 cases), at most
    about 8 of them."""
    top = max(1, int(-(-largest // 1)))
    step = max(1, -(-top // 8))
    return list(range(0, top + step, step))


# pygal always writes an inline <script> with its tooltip configuration; with no tooltip script
# linked nothing reads it, and the Content-Security-Policy forbids inline script: leave it out.
_INLINE_SCRIPT = re.compile(r"<script[^>]*>.*?</script>", re.DOTALL)


def _svg(chart) -> str:
    chart.js = []  # pygal links its tooltip script from kozea.github.io by default: nothing from outside
    return _INLINE_SCRIPT.sub("", chart.render(is_unicode=True, disable_xml_declaration=True))


def card_trend_svg(trend: dict) -> str:
    largest = max([y + r for y, r in zip(trend["yellow"], trend["red"], strict=True)] or [0])
    chart = pygal.StackedBar(title="黄牌、红牌趋势（近30天，张）", x_label_rotation=45,
                             style=_style(LEVEL_COLOURS[Level.YELLOW], LEVEL_COLOURS[Level.RED]),
                             show_minor_x_labels=False, x_labels_major_every=3, truncate_label=-1,
                             y_labels=count_ticks(largest), **_COMMON)
    chart.x_labels = trend["labels"]
    chart.add("黄牌", trend["yellow"])
    chart.add("红牌", trend["red"])
    return _svg(chart)


def time_left_svg(buckets: list[tuple[str, int]]) -> str:
    colours = (LEVEL_COLOURS[Level.RED], LEVEL_COLOURS[Level.YELLOW], LEVEL_COLOURS[Level.WARNING], "#5b9bd5",
               "#3c9a5f")
    chart = pygal.Bar(title="在办件剩余时间分布（按承诺时限，件）", style=_style(*colours),
                      y_labels=count_ticks(max([n for _label, n in buckets] or [0])), print_values=True, **_COMMON)
    for (label, n) in buckets:
        chart.add(label, [n])
    return _svg(chart)


def on_time_svg(rows: list[tuple[str, int, int]]) -> str:
    chart = pygal.HorizontalBar(title="按时办结率（近90天，%）", range=(0, 100), style=_style("#3c9a5f"),
                                truncate_label=-1, print_values=True, show_legend=False,
                                value_formatter=lambda v: f"{v:g}%", **_COMMON)
    chart.x_labels = [name for name, _total, _on_time in rows]
    if rows:
        chart.add("按时办结率", [round(100 * on_time / total, 1) if total else None for _n, total, on_time in rows])
    return _svg(chart)


def days_used_svg(rows: list[tuple[str, float]]) -> str:
    """Average working days per item; each bar carries its figure, so a case decided on the day
    it was accepted shows "0" rather than nothing."""
    top = count_ticks(max([avg for _name, avg in rows] or [0]))[-1]
    chart = pygal.HorizontalBar(title="平均用时（工作日，近90天办结）", style=_style("#5b6fd5"), truncate_label=-1,
                                print_values=True, print_zeroes=True, show_legend=False,
                                range=(0, top), min_scale=1, max_scale=min(top, 8),  # whole days on the axis
                                value_formatter=lambda v: f"{v:g}", **_COMMON)
    chart.x_labels = [name for name, _avg in rows]
    if rows:
        chart.add("平均工作日", [avg for _name, avg in rows])
    return _svg(chart)


def item_record_svg(months: list[dict]) -> str:
    """The small chart of an item's public guide: cases completed per month, and how many of them
    within the promised limit (the last 12 months)."""
    chart = pygal.Bar(title="近12个月办结件数", height=220, width=640, style=_style("#5b9bd5", "#3c9a5f"),
                      x_label_rotation=45, legend_at_bottom=True, truncate_label=-1)
    chart.x_labels = [m["month"] for m in months]
    chart.add("办结", [m["completed"] for m in months])
    chart.add("承诺时限内办结", [m["on_time"] for m in months])
    return _svg(chart)


def theme_trend_svg(weeks: list[tuple[str, int]]) -> str:
    """A theme's findings per week (专题监察): one bar per week, labelled by its Monday."""
    chart = pygal.Bar(title="按周发现件数（件）", style=_style("#5b6fd5"), x_label_rotation=45, truncate_label=-1,
                      print_values=True, show_legend=False, y_labels=count_ticks(max([n for _w, n in weeks] or [0])),
                      **_COMMON)
    chart.x_labels = [week for week, _n in weeks]
    if weeks:
        chart.add("发现件数", [n for _w, n in weeks])
    return _svg(chart)


def preview_cards_svg(months: list[tuple[str, int, int, int]]) -> str:
    """The impact preview's past period: per month, the cases given a yellow or red card, actually
    and as the rules in force and the drafted rules would have given them."""
    largest = max([max(row[1:]) for row in months] or [0])
    chart = pygal.Bar(title="按月黄牌、红牌（件）：实际、现行规则、修改后规则", x_label_rotation=45,
                      style=_style("#8a8a8a", "#5b9bd5", "#d9822b"),  # not the levels' colours: these are sources
                      truncate_label=-1, print_values=True, y_labels=count_ticks(largest), **_COMMON)
    chart.x_labels = [label for label, *_ in months]
    chart.add("实际给出", [row[1] for row in months])
    chart.add("按现行规则", [row[2] for row in months])
    chart.add("按修改后规则", [row[3] for row in months])
    return _svg(chart)
