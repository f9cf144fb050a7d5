"""The benchmark's pure figures: nearest-rank percentile and the bootstrap interval of the p99 ratio."""

from __future__ import annotations

import random

from bench.ack import ratio_interval
from bench.load import percentile


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([3.0], 99) == 3.0


def test_ratio_interval_brackets_the_true_ratio() -> None:
    rng = random.Random(7)
    base = [rng.expovariate(1.0) for _ in range(2000)]
    low, high = ratio_interval([1.5 * v for v in base], base)
    assert low < 1.5 < high  # independent resamples of the two sides: the interval has a width
    assert ratio_interval([2.0] * 50, [1.0] * 50) == [2.0, 2.0]
    same_low, same_high = ratio_interval(base, list(base))
    assert same_low < 1.0 < same_high
