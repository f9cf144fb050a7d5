"""Reading ``/metrics`` in tests: sample values by name and labels, and every name a scrape exports."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

# the series a family of each type exposes, after prometheus-client's text format
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created", ""),
    "gauge": ("",),
    "info": ("_info",),
    "unknown": ("",),
    "stateset": ("",),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
}


def scrape(url: str) -> str:
    answer = httpx.get(f"{url}/metrics", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.text


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels`` (0 when there is none)."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def label_values(text: str, name: str, label: str) -> set[str]:
    return {s.labels.get(label, "") for f in text_string_to_metric_families(text) for s in f.samples if s.name == name}


def exported_names(text: str) -> set[str]:
    """Every series name the scrape exports, including those of families that have no sample yet."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names |= {s.name for s in family.samples}
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names
