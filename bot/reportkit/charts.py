"""PNG charts for reports, drawn with matplotlib's Agg backend on a private ``Figure``.

No pyplot global state, so it is safe in scheduler worker threads. Pure: data in, PNG bytes out.
Titles stay in English (the default fonts have no Hangul glyphs). The database-hours chart of
the ``rds`` report is ``handlers.rds.chart.hours_chart``; this module draws the week's series.

matplotlib is the ``charts`` extra (``pip install 'eks-chatops[charts]'``), not a runtime
dependency: without it the reports are posted without their PNG and say so (``NOT_AVAILABLE``).
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Sequence
from datetime import datetime

from bot.domain import Msg
from bot.reportkit.model import Chart

NOT_AVAILABLE = Msg(
    "📉 Chart not available: this installation has no charts extra (pip install 'eks-chatops[charts]').",
    "📉 차트를 표시할 수 없습니다: charts 추가 패키지가 설치되어 있지 않습니다 (pip install 'eks-chatops[charts]').",
)


def available() -> bool:
    """Whether matplotlib (the ``charts`` extra) is installed, found without importing it."""
    return importlib.util.find_spec("matplotlib") is not None


def series_chart(points: Sequence[tuple[datetime, float]], title: str, filename: str, ylabel: str = "pods") -> Chart:
    """A step chart of a count over time (one point per report run)."""
    # imported here: matplotlib (the charts extra) costs ~40 MB, paid only when a report draws
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
