"""Example scripts written against the sandbox's public API (``sandbox/README.md``)."""
