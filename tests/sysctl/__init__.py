"""Tests of the sysctl diagnoser (issue 6)."""
