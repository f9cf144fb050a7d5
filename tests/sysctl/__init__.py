"""Tests of the sysctl diagnoser."""
