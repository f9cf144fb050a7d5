"""Diagnosers: one module (or package) per kind of problem, listed in ``handlers.registry``.

Each diagnoser collects evidence from AWS and Kubernetes (``collect``), then decides in pure
functions (``analyse``, ``plan_fix``) that are tested from fixture data. Diagnosers never
import Slack or SQLAlchemy (checked by import-linter).
"""
