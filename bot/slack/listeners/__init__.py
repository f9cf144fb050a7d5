"""Bolt listeners, one module per Slack surface, each with ``register(app, deps)``.

The callbacks are module-level functions that read their dependencies from ``context["deps"]``
(set by ``bot.slack.inject`` before any listener runs); ``register`` only wires them to the app.
"""
