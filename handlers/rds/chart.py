"""A PNG bar chart of hours stopped vs running per database for the weekly report.

Uses matplotlib's Agg backend on a private Figure (no pyplot global state), so it is safe in
worker threads. Called by the report job; returns PNG bytes for a Slack file upload.
"""

from __future__ import annotations

import io

from handlers.rds.report import WeeklyReport


def hours_chart(report: WeeklyReport, title: str = "RDS hours stopped vs running") -> bytes:
    # imported here: matplotlib (the charts extra) costs ~40 MB, paid only when a report draws
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = [r.target_id for r in report.rows] or ["(none)"]
    stopped = [r.hours_stopped for r in report.rows] or [0.0]
    running = [r.hours_running for r in report.rows] or [0.0]
    fig = Figure(figsize=(max(4.0, 1.2 * len(names) + 2), 3.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.barh(names, stopped, color="#2e7d32", label="stopped")
    ax.barh(names, running, left=stopped, color="#c62828", label="running")
    ax.set_xlabel("hours")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
