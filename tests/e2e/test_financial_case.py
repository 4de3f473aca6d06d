"""The Business case page in Chromium: the financial case's figures, read off the page as a board member
sees them, are the engine's."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from logic import DEFAULT_EXAMPLE, evaluate, load_scenario
from logic.report_text import FINANCIAL_CASE, compact_money, money

from .helpers import assert_page_is_healthy, go_to, key_figure, open_app
from .helpers import money as amount


def financial_figure(page: Page, key: str) -> str:
    """A value from the "Can we afford it, under this contract?" table, by its figure's label."""
    label = FINANCIAL_CASE[key][0]
    row = page.locator(".st-key-financial-case [data-testid='stTable'] tr").filter(
        has=page.get_by_text(label, exact=True)
    )
    expect(row).to_have_count(1)
    return row.locator("td").first.inner_text().strip()


def test_business_case_shows_the_public_sectors_position_and_the_premium(page, app_url):
    r = evaluate(load_scenario(DEFAULT_EXAMPLE))
    position = r["financial"]["public_sector_position"]
    premium = r["contract"]["premium_over_fee_for_service"]
    assert premium is not None, "the bundled example is an outcomes contract"

    open_app(page, app_url)
    go_to(page, "Business case")
    expect(page.get_by_role("heading", name="Is it worth it?", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Can we afford it, under this contract?", exact=True)).to_be_visible()

    assert financial_figure(page, "public_sector_position") == money(position)
    assert financial_figure(page, "premium_over_fee_for_service") == money(premium)
    # The strip's tile rounds the same figure.
    tile = key_figure(page, "Public sector under contract")
    assert tile == compact_money(position)
    assert abs(amount(tile) - position) <= 5_000
    # Beside the NPV, as the board reads it, and on screen without scrolling at 1280 x 800.
    npv = page.locator("[data-testid='stMetric']").filter(has_text="NPV (fiscal)").first
    public = page.locator("[data-testid='stMetric']").filter(has_text="Public sector under contract").first
    a, b = npv.bounding_box(), public.bounding_box()
    assert abs(a["y"] - b["y"]) < 2 and b["x"] > a["x"]
    assert b["x"] + b["width"] <= 1280 and b["y"] + b["height"] <= 800
    assert_page_is_healthy(page)
