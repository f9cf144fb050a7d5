"""The core's scheduled reports: per kind a collect step (I/O) and a pure ``build`` step.

Kinds: ``health`` (cluster digest), ``approvals`` (plans waiting) and ``audit`` (the week's
changes); features add theirs through ``Feature.reports``. Each
``build(data, previous_state, now, lang) -> ReportContent`` diffs against the previous run and
renders Block Kit as plain dicts with ``bot.reportkit``. ``bot.services.reports.ReportService``
collects, builds, posts and records.
"""
