"""Opening the app on the bundled example: the business case is there, and every page draws cleanly."""

from playwright.sync_api import expect

from .helpers import assert_page_is_healthy, go_to, key_figure, open_app, page_titles


def test_the_example_business_case_shows_its_npv_and_charts(page, app_url):
    open_app(page, app_url)
    go_to(page, "Business case")

    npv = key_figure(page, "NPV (fiscal)")
    assert npv.startswith("£"), npv
    expect(page.get_by_role("heading", name="Headline figures")).to_be_visible()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2, "savings by agency and the cumulative position"
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        # Vega draws into an svg or a canvas once its view has run.
        expect(chart.locator("svg.marks, canvas.marks").first).to_be_visible()
    assert_page_is_healthy(page)


def test_every_page_in_the_sidebar_draws_without_an_error(page, app_url):
    open_app(page, app_url)
    titles = page_titles(page)
    assert {"Programme", "Needs", "Activities", "Outcomes", "Impact", "Business case", "Risk share"} <= set(titles)
    for title in titles:
        go_to(page, title)
        assert_page_is_healthy(page)
