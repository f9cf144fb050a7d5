"""Tests of the free-text parser (``bot.parsing``): table-driven over ``tests/fixtures/parsing``."""
