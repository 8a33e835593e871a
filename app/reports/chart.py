"""The outcome breakdown as a server-side SVG bar chart (no CDN, no JavaScript).

Each bucket is two lines: its label and value, then its bar across the whole width. The chart
is drawn CHART_WIDTH units wide and shown between 100% of a phone's column and MAX_SHOWN_PX, so
its 12-unit text is 12 px or more at 375 px (a label beside its bar shrank it to 7 px there)
and no more than about 15 px on a desktop.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from app.web import number

CHART_WIDTH = 320
MAX_SHOWN_PX = 400
LABEL_LINE = 16
BAR_HEIGHT = 12
ROW_HEIGHT = LABEL_LINE + BAR_HEIGHT + 8


def breakdown_svg(buckets: list[dict]) -> Markup:
    """Labelled horizontal bars, one per bucket; scales to the container width (viewBox)."""
    height = ROW_HEIGHT * len(buckets) + 2
    biggest = max((b["count"] for b in buckets), default=0) or 1
    parts = [
        f'<svg class="outcome-chart" role="img" aria-labelledby="outcome-chart-title" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="100%" style="max-width: {MAX_SHOWN_PX}px" '
        f'preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
        '<title id="outcome-chart-title">Clientes por resultado</title>',
    ]
    for i, bucket in enumerate(buckets):
        y = i * ROW_HEIGHT + 1
        bar = round(CHART_WIDTH * bucket["count"] / biggest, 1)
        label = escape(bucket["label"])
        value = f'{number(bucket["count"])} ({str(bucket["percent"]).replace(".", ",")}%)'
        parts.append(
            f'<g data-bucket="{escape(bucket["key"])}">'
            f'<text x="0" y="{y + 12}" fill="#212529">{label}</text>'
            f'<text x="{CHART_WIDTH}" y="{y + 12}" text-anchor="end" fill="#212529">{escape(value)}</text>'
            f'<rect x="0" y="{y + LABEL_LINE}" width="{CHART_WIDTH}" height="{BAR_HEIGHT}" fill="#f1f3f5"></rect>'
            f'<rect x="0" y="{y + LABEL_LINE}" width="{bar}" height="{BAR_HEIGHT}" fill="{escape(bucket["color"])}">'
            f'<title>{label}: {escape(value)}</title></rect>'
            f'</g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
