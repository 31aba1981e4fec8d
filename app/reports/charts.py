"""Bar and line charts as SVG, drawn on the server: the same markup goes into the web page and the PDF,
needs no script, and satisfies the Content-Security-Policy (presentation attributes, no style attributes).

Each chart is an image with a title and a description for screen readers; the numbers themselves are in
the table printed next to it.
"""
import math
from itertools import count
from xml.sax.saxutils import escape

from babel.numbers import format_decimal
from markupsafe import Markup

from app.reports.model import NOK, PERCENT, Chart

# Okabe–Ito: distinguishable with the common colour-vision deficiencies; dashes tell lines apart in grey.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "")
INK = "#1b1b1b"
GRID = "#d0d0d0"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
WIDTH = 720
CHAR_WIDTH = 6.6          # average width of a 11px DejaVu Sans character, for label layout

_ids = count(1)


def _number(value: float) -> str:
    return format_decimal(value, "#,##0.##", locale="nb_NO")


def axis_label(value: float, unit: str) -> str:
    """Tick labels: 20 %, 1,5 mill., 300 000."""
    if unit == PERCENT:
        return f"{_number(value * 100)} %"
    if unit == NOK and abs(value) >= 1_000_000:
        return f"{_number(value / 1_000_000)} mill."
    return _number(value)


def value_label(value: float, unit: str) -> str:
    if unit == PERCENT:
        return f"{format_decimal(value * 100, '#,##0', locale='nb_NO')} %"
    if unit == NOK and abs(value) >= 1_000_000:
        return f"{format_decimal(value / 1_000_000, '#,##0.0', locale='nb_NO')} mill."
    return _number(value)


def nice_ticks(maximum: float, target: int = 5) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 × 10^k) up to at least `maximum`."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(multiple * magnitude for multiple in (1, 2, 2.5, 5, 10) if multiple * magnitude >= raw)
    ticks, value = [0.0], 0.0
    while value < maximum - 1e-9:
        value = round(value + step, 10)
        ticks.append(value)
    return ticks


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 11, weight: str = "normal",
          fill: str = INK, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}" font-family="{FONT}"{extra}>{escape(content)}</text>')


def _dashes(pattern: str) -> str:
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def _legend(chart: Chart, y: float, line: bool) -> tuple[list[str], float]:
    """The legend in rows across the top; returns its parts and the height it takes."""
    if len(chart.series) < 2:
        return [], 0
    parts, x, row = [], 0.0, 0
    for index, series in enumerate(chart.series):
        width = 26 + len(series.name) * CHAR_WIDTH + 18
        if x + width > WIDTH and x > 0:
            x, row = 0.0, row + 1
        top = y + row * 18
        colour = PALETTE[index % len(PALETTE)]
        if line:
            dash = DASHES[index % len(DASHES)]
            parts.append(f'<line x1="{x:.1f}" y1="{top + 6:.1f}" x2="{x + 18:.1f}" y2="{top + 6:.1f}" '
                         f'stroke="{colour}" stroke-width="3"{_dashes(dash)}/>')
        else:
            parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 24, top + 11, series.name))
        x += width
    return parts, (row + 1) * 18 + 8


def _frame(chart: Chart, height: float, body: list[str]) -> Markup:
    number = next(_ids)
    title_id, desc_id = f"diagram-{number}-tittel", f"diagram-{number}-beskrivelse"
    description = chart.description or "Tallene står i tabellen under diagrammet."
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{title_id}">{escape(chart.title)}</title><desc id="{desc_id}">{escape(description)}</desc>'
        + "".join(body) + "</svg>")


def _values(chart: Chart) -> list[float]:
    return [float(value or 0) for series in chart.series for value in series.values]


def _horizontal_bars(chart: Chart) -> Markup:
    """Bars to the right of their labels: for many categories or long names (hospitals, chapters)."""
    legend, legend_height = _legend(chart, 0, line=False)
    label_width = min(300, max(len(category) for category in chart.categories) * CHAR_WIDTH + 12)
    left, right, row_gap = label_width, 70, 6
    bar = 14
    row = bar * len(chart.series) + row_gap
    top = legend_height + 22
    ticks = nice_ticks(max(_values(chart), default=0))
    scale = (WIDTH - left - right) / ticks[-1]
    plot_height = row * len(chart.categories)
    body = list(legend)
    for tick in ticks:
        x = left + tick * scale
        body.append(f'<line x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" y2="{top + plot_height:.1f}" '
                    f'stroke="{GRID}"/>')
        body.append(_text(x, top - 8, axis_label(tick, chart.unit), anchor="middle", size=10))
    for index, category in enumerate(chart.categories):
        y = top + index * row
        shown = category if len(category) * CHAR_WIDTH <= label_width - 8 else \
            category[: int((label_width - 8) / CHAR_WIDTH) - 1] + "…"
        body.append(_text(left - 8, y + row / 2 + 3, shown, anchor="end"))
        for number, series in enumerate(chart.series):
            value = float(series.values[index] or 0)
            colour = PALETTE[number % len(PALETTE)]
            body.append(f'<rect x="{left:.1f}" y="{y + number * bar:.1f}" width="{max(value * scale, 0):.1f}" '
                        f'height="{bar - 2}" fill="{colour}"/>')
            body.append(_text(left + value * scale + 4, y + number * bar + bar - 4, value_label(value, chart.unit),
                              size=10))
    body.append(f'<line x1="{left:.1f}" y1="{top - 4:.1f}" x2="{left:.1f}" y2="{top + plot_height:.1f}" '
                f'stroke="{INK}"/>')
    return _frame(chart, top + plot_height + 10, body)


def _vertical(chart: Chart) -> Markup:
    line = chart.kind == "line"
    legend, legend_height = _legend(chart, 0, line=line)
    ticks = nice_ticks(max(_values(chart), default=0))
    tick_width = max(len(axis_label(tick, chart.unit)) for tick in ticks) * CHAR_WIDTH
    left, right, top, plot_height = tick_width + 14, 12, legend_height + 14, 230
    bottom = top + plot_height
    plot_width = WIDTH - left - right
    slot = plot_width / len(chart.categories)
    scale = plot_height / ticks[-1]
    body = list(legend)
    for tick in ticks:
        y = bottom - tick * scale
        body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - right:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, axis_label(tick, chart.unit), anchor="end", size=10))
    longest = max(len(category) for category in chart.categories) * CHAR_WIDTH
    rotate = longest > slot - 4
    for index, category in enumerate(chart.categories):
        x = left + slot * (index + 0.5)
        if rotate:
            body.append(_text(x, bottom + 14, category, anchor="end", size=10,
                              extra=f' transform="rotate(-35 {x:.1f} {bottom + 14:.1f})"'))
        else:
            body.append(_text(x, bottom + 16, category, anchor="middle", size=10))
    bars = len(chart.categories) * len(chart.series)
    for number, series in enumerate(chart.series):
        colour = PALETTE[number % len(PALETTE)]
        if line:
            points = [(left + slot * (index + 0.5), bottom - float(value) * scale)
                      for index, value in enumerate(series.values) if value is not None]
            dash = DASHES[number % len(DASHES)]
            body.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="none" '
                        f'stroke="{colour}" stroke-width="2.5"{_dashes(dash)}/>')
            for x, y in points:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
            if len(chart.series) == 1 and len(points) <= 12:
                for (x, y), value in zip(points, [v for v in series.values if v is not None], strict=True):
                    body.append(_text(x, y - 8, value_label(float(value), chart.unit), anchor="middle", size=9))
        else:
            group = slot * 0.8
            width = group / len(chart.series)
            for index, value in enumerate(series.values):
                value = float(value or 0)
                x = left + slot * index + (slot - group) / 2 + number * width
                body.append(f'<rect x="{x:.1f}" y="{bottom - value * scale:.1f}" width="{max(width - 1.5, 1):.1f}" '
                            f'height="{value * scale:.1f}" fill="{colour}"/>')
                if bars <= 16:
                    body.append(_text(x + width / 2, bottom - value * scale - 4, value_label(value, chart.unit),
                                      anchor="middle", size=9))
    body.append(f'<line x1="{left:.1f}" y1="{bottom:.1f}" x2="{WIDTH - right:.1f}" y2="{bottom:.1f}" stroke="{INK}"/>')
    height = bottom + (min(longest, 200) * 0.6 + 20 if rotate else 28)
    return _frame(chart, height, body)


def render_chart(chart: Chart) -> Markup:
    """The chart as an inline <svg> element."""
    if not chart.categories or not chart.series:
        return Markup("")
    long_labels = max(len(category) for category in chart.categories) > 14
    if chart.kind == "bar" and (len(chart.categories) > 12 or long_labels):
        return _horizontal_bars(chart)
    return _vertical(chart)
