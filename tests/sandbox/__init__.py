"""Tests of the offline sandbox stand-ins (sandbox)."""
