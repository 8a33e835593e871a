"""The outcome breakdown as a server-side SVG bar chart (no CDN, no JavaScript)."""
from __future__ import annotations

from markupsafe import Markup, escape

from app.web import number

ROW_HEIGHT = 26
LABEL_WIDTH = 150
BAR_WIDTH = 220
VALUE_WIDTH = 110


def breakdown_svg(buckets: list[dict]) -> Markup:
    """Horizontal bars, one per bucket; scales to the container width (viewBox), readable at 375 px."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW_HEIGHT * len(buckets) + 4
    biggest = max((b["count"] for b in buckets), default=0) or 1
    parts = [
        f'<svg class="outcome-chart" role="img" aria-labelledby="outcome-chart-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
        '<title id="outcome-chart-title">Clientes por resultado</title>',
    ]
    for i, bucket in enumerate(buckets):
        y = i * ROW_HEIGHT + 2
        bar = round(BAR_WIDTH * bucket["count"] / biggest, 1)
        label = escape(bucket["label"])
        value = f'{number(bucket["count"])} ({str(bucket["percent"]).replace(".", ",")}%)'
        parts.append(
            f'<g data-bucket="{escape(bucket["key"])}">'
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end" fill="#212529">{label}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{BAR_WIDTH}" height="18" fill="#f1f3f5"></rect>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{bar}" height="18" fill="{escape(bucket["color"])}">'
            f'<title>{label}: {escape(value)}</title></rect>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 16}" fill="#212529">{escape(value)}</text>'
            f'</g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
