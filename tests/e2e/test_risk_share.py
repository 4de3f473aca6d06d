"""A rate changed on the Outcomes page moves the Risk share page's chart, table and figures."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, expect

from .helpers import DataEditor, go_to, key_figures, open_app


@dataclass(frozen=True)
class RiskShareView:
    curves: tuple[str, ...]  # the drawn lines and points of the risk-share chart (SVG path data)
    table: str  # "Low, central and high performance"
    figures: dict[str, str]  # the key-figure strip


def risk_share_view(page: Page) -> RiskShareView:
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    marks = chart.locator("g.mark-line path, g.mark-symbol path")
    expect(marks.first).to_be_attached()
    # Path data only: element ids (clip paths, gradients) differ between two drawings of the same chart.
    curves = tuple(marks.evaluate_all("(paths) => paths.map((p) => p.getAttribute('d'))"))
    table = page.locator("[data-testid='stTable']").last.inner_text()
    return RiskShareView(curves, table, key_figures(page))


def test_changing_rate_with_on_outcomes_changes_the_risk_share(page, app_url):
    open_app(page, app_url)
    go_to(page, "Risk share")
    before = risk_share_view(page)
    go_to(page, "Outcomes")
    go_to(page, "Risk share")
    assert risk_share_view(page) == before, "the same scenario must draw the same risk share"

    go_to(page, "Outcomes")
    outcomes = DataEditor(page, "nodes-outcome")
    row = outcomes.find_row("Id", "out-stays-home")
    assert outcomes.cell_text(row, "Rate with programme") != "0.55"
    outcomes.set_cell(row, "Rate with programme", 0.55)

    go_to(page, "Risk share")
    after = risk_share_view(page)
    assert after.curves != before.curves
    assert after.table != before.table
    assert after.figures["NPV (fiscal)"] != before.figures["NPV (fiscal)"]
