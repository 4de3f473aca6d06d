"""An edit the model refuses: the app says what is wrong, keeps the last valid figures, and keeps working."""

from playwright.sync_api import expect

from .helpers import DataEditor, editor_problem, go_to, key_figure, open_app


def test_a_duplicate_id_is_refused_with_a_message_and_the_app_keeps_working(page, app_url):
    open_app(page, app_url)
    go_to(page, "Needs")
    npv = key_figure(page, "NPV (fiscal)")

    needs = DataEditor(page, "nodes-need")
    row = needs.find_row("Id", "need-youth-offending")
    needs.set_cell(row, "Id", "need-care-entry")

    expect(editor_problem(page)).to_be_visible()
    expect(page.get_by_text("duplicate node id 'need-care-entry'")).to_be_visible()
    assert key_figure(page, "NPV (fiscal)") == npv, "the figures still show the last valid scenario"
    assert needs.cell_text(row, "Id") == "need-care-entry", "the user's typing is kept, to correct"

    go_to(page, "Business case")
    assert key_figure(page, "NPV (fiscal)") == npv
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    go_to(page, "Needs")  # back again: the table shows the scenario as it is, and no message
    needs.find_row("Id", "need-youth-offending")
    expect(editor_problem(page)).to_have_count(0)
