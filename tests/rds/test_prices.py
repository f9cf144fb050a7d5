"""Prices per region: a listed region's own figures, any other region's labelled as estimated from another's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from handlers.rds.report import PRICES, load_prices, render, weekly_report

UNTIL = datetime(2026, 11, 30, tzinfo=UTC)


def _report(region: str):
    return weekly_report([], [], {}, load_prices(region), UNTIL - timedelta(days=7), UNTIL)


def test_every_listed_region_cites_its_source_and_date():
    raw = json.loads(PRICES.read_text(encoding="utf-8"))
    assert raw["fallback"] in raw["regions"]
    for region, table in raw["regions"].items():
        assert table["source"].startswith("https://") and table["as_of"], region
        assert all(isinstance(v, float) and v > 0 for v in table["hourly"].values()), region


def test_a_listed_region_reports_its_own_prices():
    prices = load_prices("ap-northeast-2")
    assert (prices.region, prices.estimated_from) == ("ap-northeast-2", "")
    text = render(_report("ap-northeast-2"), "en")
    assert "(ap-northeast-2, " in text and "estimated from" not in text


def test_another_region_says_whose_prices_stand_in():
    prices = load_prices("ap-northeast-1")
    assert (prices.region, prices.estimated_from) == ("ap-northeast-1", "ap-northeast-2")
    assert prices.hourly == load_prices("ap-northeast-2").hourly
    assert "ap-northeast-1: estimated from ap-northeast-2 prices" in render(_report("ap-northeast-1"), "en")
    assert "ap-northeast-1: ap-northeast-2 가격으로 추정" in render(_report("ap-northeast-1"), "ko")
