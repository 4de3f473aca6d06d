"""Opening the app on the bundled example: the business case is there, and every page draws cleanly."""

from playwright.sync_api import expect

from .helpers import assert_page_is_healthy, go_to, headline_figure, key_figure, money, open_app, page_titles


def test_the_example_business_case_shows_its_npv_and_charts(page, app_url):
    open_app(page, app_url)
    go_to(page, "Business case")

    expect(page.locator("[data-testid='stMetric']").filter(has_text="NPV (fiscal)")).to_be_visible()
    npv = key_figure(page, "NPV (fiscal)")
    exact = headline_figure(page, "Net budget impact (NPV, fiscal)")
    # The strip rounds (£2.95m); the headline table gives the pound. They must be the same figure.
    assert abs(money(npv) - money(exact)) <= 5_000, (npv, exact)
    assert money(exact) > 0, "the bundled example pays for itself"
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2, "savings by agency and the cumulative position"
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        # Vega draws into an svg or a canvas once its view has run.
        expect(chart.locator("svg.marks, canvas.marks").first).to_be_visible()
    assert_page_is_healthy(page)


def test_every_page_draws_without_an_error_for_a_first_and_a_second_visitor(page, app_url):
    # The second visitor gets the cached results of the first (st.cache_*): those must draw too.
    for _visitor in ("first", "second"):
        open_app(page, app_url)  # a new session each time
        titles = page_titles(page)
        assert {"Programme", "Needs", "Activities", "Outcomes", "Impact", "Business case", "Risk share"} <= set(titles)
        for title in titles:
            go_to(page, title)
            assert_page_is_healthy(page)
