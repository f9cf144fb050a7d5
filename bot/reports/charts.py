"""PNG charts for reports, drawn with matplotlib's Agg backend on a private ``Figure``.

No pyplot global state, so it is safe in scheduler worker threads. Pure: data in, PNG bytes out.
Titles stay in English (the default fonts have no Hangul glyphs). The database-hours chart of
the ``rds`` report is ``handlers.rds.chart.hours_chart``; this module draws the week's series.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from bot.reports.model import Chart


def series_chart(
    points: Sequence[tuple[datetime, float]], title: str, filename: str, ylabel: str = "pods"
) -> Chart:
    """A step chart of a count over time (one point per report run)."""
    # imported here: matplotlib costs ~40 MB, which the serving process should only pay when it draws
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 2.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    if points:
        tz = points[-1][0].tzinfo
        xs = [t for t, _ in points]
        ys = [v for _, v in points]
        ax.step(xs, ys, where="post", color="#c62828")
        ax.plot(xs, ys, "o", color="#c62828", markersize=3)
        ax.xaxis.set_major_formatter(DateFormatter("%m-%d %H:%M", tz=tz))
        ax.set_ylim(bottom=0, top=max(1.0, max(ys) * 1.2))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return Chart(filename, title, buf.getvalue())
