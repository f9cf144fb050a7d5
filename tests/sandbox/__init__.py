"""Tests of the offline sandbox stand-ins (bot.sandbox)."""
