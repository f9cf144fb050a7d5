"""The demo scenarios, listed explicitly in the order the demo runs them."""

from __future__ import annotations

from bot.sandbox.scenarios.pod_restart import run as pod_restart

SCENARIOS = {
    "pod-restart": pod_restart,
}
