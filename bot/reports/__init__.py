"""Scheduled reports: per kind a collect step (I/O) and a pure ``build`` step.

Kinds: ``health`` (cluster digest), ``approvals`` (plans waiting), ``rds`` (schedule report) and
``audit`` (the week's changes). Each ``build(data, previous_state, now, lang) -> ReportContent``
diffs against the previous run (``diff``) and renders Block Kit as plain dicts (``render``);
``charts`` draws PNGs. ``bot.services.reports.ReportService`` collects, builds, posts and records.
"""
