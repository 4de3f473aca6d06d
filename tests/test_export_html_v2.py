"""The board report in format 2: the economic and the financial case, each figure equal to evaluate()
formatted by the app's formatter, the price base named wherever money is shown, the new inputs listed
among the assumptions, and still one offline, script-free file that prints on A4."""

from __future__ import annotations

import datetime
import re

import pytest
import yaml
from test_export_html import EVIL, Page, assert_no_active_content, assert_offline

import logic
from logic import evaluate, load_scenario, parse_scenario
from logic.export.html_report import report_html
from logic.report_text import ECONOMIC_CASE, FINANCIAL_CASE, money

WHEN = datetime.datetime(2030, 1, 2, 9, 30)
EXAMPLES = {p.stem: p for p in sorted(logic.EXAMPLES.glob("*.yaml"))}


def example_doc(name: str) -> dict:
    return yaml.safe_load(EXAMPLES[name].read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def rendered(request):
    sc = load_scenario(EXAMPLES[request.param])
    html = report_html(sc, generated=WHEN, source=EXAMPLES[request.param].name)
    return sc, evaluate(sc).to_dict(), html, Page(html)


def table_rows(page: Page, first_header: str, second_header: str | None = None) -> list[list[str]]:
    """The body rows of the first table whose header row starts with these cells."""
    for table in page.tables:
        head = table[0]
        if head and head[0] == first_header and (second_header is None or head[1] == second_header):
            return table[1:]
    raise AssertionError(f"no table headed {first_header!r}, {second_header!r}")


def section_text(html: str, anchor: str) -> str:
    start = html.index(f'<section id="{anchor}"')
    return html[start : html.index("</section>", start)]


def figure_row(page: Page, label: str) -> list[str]:
    rows = [row for table in page.tables for row in table if row and row[0] == label]
    assert rows, label
    return rows[0]


# --- order and self-containment ------------------------------------------------------------------


def test_the_two_cases_sit_in_board_paper_order(rendered):
    _, _, _, page = rendered
    order = ["toc", "headline", "economic", "savings", "who-pays", "financial", "assumptions", "do-nothing"]
    order += ["contract", "snapshot-sha256"]
    assert [i for i in page.ids if i in order] == order


def test_still_offline_and_script_free(rendered):
    _, _, html, _ = rendered
    assert_no_active_content(html)
    assert_offline(html)


# --- the economic case ------------------------------------------------------------------------------


def test_economic_case_figures_are_evaluate_formatted(rendered):
    sc, r, html, _ = rendered
    cur = sc.settings.currency
    counted = r["pv_fiscal"] - r["pv_transfers"]
    expected = {
        "pv_fiscal_counted": money(counted, cur),
        "pv_economic": money(r["pv_economic"], cur),
        "pv_social": money(r["pv_social"], cur),
        "pv_benefits_counted": money(counted + r["pv_economic"] + r["pv_social"], cur),
        "pv_costs": money(r["pv_costs"], cur),
        "npv_public_value": money(r["npv_public_value"], cur),
        "bcr_public_value": f"{r['bcr_public_value']:.2f}",
        "pv_transfers": money(r["pv_transfers"], cur),
    }
    economic = Page(section_text(html, "economic"))
    rows = {row[0]: row[1] for row in table_rows(economic, "Figure", "Value")}
    for key, (label, _) in ECONOMIC_CASE.items():
        assert rows[label] == expected[key], key


def test_transfers_have_their_own_line_in_who_pays(rendered):
    sc, r, _, page = rendered
    rows = table_rows(page, "Organisation", "Pays")
    names = {a.id: a.name for a in sc.agencies}
    by_name = {row[0]: row for row in rows}
    for a in sc.agencies:
        assert by_name[names[a.id]][3] == money(r["by_agency"][a.id]["pv_transfers"], sc.settings.currency)


def test_the_jobs_transfers_are_shown_and_not_counted():
    sc = load_scenario(EXAMPLES["employment_support"])
    r = evaluate(sc).to_dict()
    page = Page(report_html(sc, generated=WHEN))
    assert r["pv_transfers"] > 0
    assert figure_row(page, ECONOMIC_CASE["pv_transfers"][0])[1] == money(r["pv_transfers"])
    dwp = next(row for row in table_rows(page, "Organisation", "Pays") if row[0] == "Department for Work and Pensions")
    assert dwp[2] == dwp[3] == money(r["by_agency"]["dwp"]["pv_transfers"])  # all of DWP's saving is a transfer


# --- the financial case ------------------------------------------------------------------------------


def test_financial_summary_is_evaluate_formatted(rendered):
    sc, r, _, page = rendered
    cur, fin, c = sc.settings.currency, r["financial"], r["contract"]
    expected = {
        "public_sector_position": money(fin["public_sector_position"], cur),
        "public_sector_total_cash": money(fin["public_sector_total_cash"], cur),
        "premium_over_fee_for_service": money(c["premium_over_fee_for_service"], cur),
        "outcome_payments_total": money(c["outcome_payments_total"], cur),
        "payments_beyond_horizon": money(c["payments_beyond_horizon"], cur),
    }
    for key, (label, _) in FINANCIAL_CASE.items():
        assert figure_row(page, label)[1] == expected[key], key


def test_each_budgets_cash_by_year_is_the_financial_case(rendered):
    sc, r, _, page = rendered
    cur, fin, parties = sc.settings.currency, r["financial"], r["contract"]["parties"]
    names = {a.id: a.name for a in sc.agencies}
    table = next(t for t in page.tables if t[0][0] == "Year")
    head, rows = table[0], {row[0].split(" (")[0]: row for row in table[1:]}
    shown = [a for a, xs in fin["by_year"].items() if any(abs(x) > 0.005 for x in xs)]
    for a in shown:
        col = next(i for i, h in enumerate(head) if h.startswith(names[a]))
        for year, x in zip(fin["years"], fin["by_year"][a]):
            assert rows[str(year)][col] == money(x, cur), (a, year)
        assert rows["Total"][col] == money(fin["total_cash"][a], cur)
        assert rows["Position"][col] == money(parties[a], cur)
    public = len(head) - 1
    assert head[public].startswith("Public sector")
    for year, x in zip(fin["years"], fin["public_sector_by_year"]):
        assert rows[str(year)][public] == money(x, cur)
    assert rows["Total"][public] == money(fin["public_sector_total_cash"], cur)
    assert rows["Position"][public] == money(fin["public_sector_position"], cur)


def test_paid_per_valued_outcome_is_evaluate_formatted(rendered):
    sc, r, _, page = rendered
    paid = r["contract"]["paid_per_valued_outcome"]
    rows = {row[0]: row for row in table_rows(page, "Outcome", "Price per outcome counted")}
    for o in sc.outcomes:
        if o.price > 0:
            assert rows[o.label][5] == money(paid[o.id], sc.settings.currency), o.id
            assert rows[o.label][1] == money(o.price, sc.settings.currency)


def test_investor_returns_nominal_and_real():
    sc = load_scenario(EXAMPLES["edge_of_care"])
    inv = evaluate(sc)["contract"]["investor"]
    page = Page(report_html(sc, generated=WHEN))
    assert figure_row(page, "Return (IRR, cash)")[1] == f"{inv['irr']:.1%}"
    assert figure_row(page, "Return (IRR, real, 2025/26 prices)")[1] == f"{inv['irr_real']:.1%}"
    assert inv["irr"] > inv["irr_real"]  # 2% inflation, prices fixed in cash


def late_payments_doc() -> dict:
    """The edge-of-care example on a six-year horizon with payments three years after intake."""
    doc = example_doc("edge_of_care")
    doc["settings"]["horizon_years"] = 6
    doc["contract"]["payment_lag_years"] = 3
    return doc


def test_payments_after_the_horizon_are_counted_and_said_so():
    sc = parse_scenario(late_payments_doc())
    r = evaluate(sc).to_dict()
    c, fin = r["contract"], r["financial"]
    beyond = c["payments_beyond_horizon"]
    assert beyond > 0 and fin["years"][-1] > sc.settings.start_year + 5
    html = report_html(sc, generated=WHEN)
    page = Page(html)
    text = " ".join(page.all_text.split())
    assert f"{money(beyond)} of outcome payments (cash) fall after 2031" in text
    assert figure_row(page, FINANCIAL_CASE["payments_beyond_horizon"][0])[1] == money(beyond)
    table = next(t for t in page.tables if t[0][0] == "Year")
    after = [row[0] for row in table[1:] if "after the horizon" in row[0]]
    assert after == [f"{y} (after the horizon)" for y in fin["years"] if y > 2031]
    assert re.search(r'<tr class="after"><td>2032 \(after the horizon\)</td>', section_text(html, "financial"))
    # the contract section counts them too
    assert f"of which after 2031, the last year appraised (cash) {money(beyond)}" in text


# --- the price base wherever money is shown -------------------------------------------------------------


def test_every_money_table_and_chart_names_its_price_base(rendered):
    sc, r, html, _ = rendered
    base = r["price_base"]
    assert base == "2025/26 prices"
    body = html[html.index("<body>") :]
    # each part under a heading that shows money in a table names the price base in that part
    for part in re.split(r"<h[23]\b", body)[1:]:
        if "<table" in part and "£" in part.split("<table", 1)[1]:
            assert base in part, part[:120]
    # every chart (the theory-of-change drawing apart) says what its pounds are
    figures = re.findall(r"<figure>(.*?)</figure>", body, flags=re.S)
    charts = [f for f in figures if 'class="toc"' not in f]
    assert len(charts) >= 6
    for chart in charts:
        assert base in chart, chart[:200]


def test_the_cover_names_price_base_and_cash_basis(rendered):
    _, _, _, page = rendered
    text = " ".join(page.all_text.split())
    assert "Price base 2025/26 prices: every amount is in real terms" in text
    assert "Cash figures Cash: 2025/26 prices grown by inflation of 2.0% a year" in text


# --- the new inputs in the assumptions ---------------------------------------------------------------


def test_new_inputs_are_listed_in_the_assumptions():
    sc = load_scenario(EXAMPLES["edge_of_care"])
    html = report_html(sc, generated=WHEN)
    page = Page(html)
    text = " ".join(Page(section_text(html, "assumptions")).all_text.split())
    assert "Price base 2025/26 prices (as set)" in text
    assert "Inflation 2% a year (GDP deflator), for cash figures only" in text
    assert "Health discount rate 1.5% a year" in text
    assert "When people arrive Through the year (half way on average)" in text
    kinds = {row[1]: row[2] for row in table_rows(page, "Organisation", "Id")}
    assert kinds["families"].startswith("The people themselves") and kinds["lcf"].startswith("Public body")
    costs = {row[1]: row for row in table_rows(page, "Activity", "Item")}
    mst = costs["Two MST teams - therapists, supervisors, on-call, licence"]
    assert mst[6:] == ["2030: £110,000", "2 (+5%)"]
    verification = costs["Intermediary performance management and independent verification"]
    assert verification[6:] == ["2030: £40,000; 2031: £20,000", "3 (+10%)"]
    assert (
        "Young people and their families (social value): £3,320 a year, social, discounted at the health rate" in text
    )
    assert "unit-cost code SS2.0+SS3.0" in text
    terms = {row[0]: row[1:] for row in table_rows(page, "Outcome", "Price per outcome")}
    assert terms["Family relationships and the young person's emotional wellbeing improve"] == [
        "£1,500",
        "1 (its own)",
        "none",
    ]
    assert terms["Stays out of care for 18 months after referral"] == ["£80,000", "2 (the contract's)", "none"]


def test_transfer_flags_are_listed():
    html = report_html(load_scenario(EXAMPLES["employment_support"]), generated=WHEN)
    text = " ".join(Page(section_text(html, "assumptions")).all_text.split())
    assert (
        "Department for Work and Pensions: £6,964 a year, fiscal, 100% cashable, a transfer (a saving to this "
        "budget, not value to society), unit-cost code E&E1.0.1" in text
    )
    assert "People supported into work (the output of their new jobs): £12,698 a year, economic" in text


def test_caps_indexation_and_fixed_share_are_shown():
    doc = example_doc("edge_of_care")
    stays = next(n for n in doc["nodes"] if n["id"] == "out-stays-home")
    stays["payment_cap"] = 2_000_000
    doc["contract"].update(indexation="inflation", fixed_share=0.25)
    sc = parse_scenario(doc)
    r = evaluate(sc).to_dict()
    html = report_html(sc, generated=WHEN)
    page = Page(html)
    text = " ".join(page.all_text.split())
    assert "Indexation prices rise with inflation (2% a year)" in text
    assert "Fixed share (hybrid) 25% of funded delivery is paid by the outcome payers as a fee, not at risk" in text
    terms = {row[0]: row[1:] for row in table_rows(page, "Outcome", "Price per outcome")}
    assert terms["Stays out of care for 18 months after referral"][2] == "£2,000,000"
    assert r["contract"]["outcome_caps_bind"]["out-stays-home"]
    assert figure_row(page, FINANCIAL_CASE["outcome_payments_total"][0])[1] == money(
        r["contract"]["outcome_payments_total"]
    )


def test_plain_grant_has_no_premium_and_still_renders():
    doc = example_doc("employment_support")
    doc["contract"] = {"type": "none"}
    sc = parse_scenario(doc)
    page = Page(report_html(sc, generated=WHEN))
    assert figure_row(page, FINANCIAL_CASE["premium_over_fee_for_service"][0])[1].startswith("n/a")
    assert not any(t[0][:2] == ["Outcome", "Price per outcome counted"] for t in page.tables)


def test_hostile_codes_and_names_stay_text():
    doc = example_doc("employment_support")
    doc["agencies"][0]["name"] = EVIL
    doc["nodes"][4]["costs"][0]["item"] = EVIL
    for n in doc["nodes"]:
        for b in n.get("benefits", []):
            b["code"] = EVIL[:100]
    html = report_html(parse_scenario(doc), generated=WHEN)
    assert_no_active_content(html)
    assert_offline(html)
    assert "b" not in Page(html).tags
    cash = next(t for t in Page(html).tables if t[0][0] == "Year")
    assert EVIL in cash[0]  # DWP's column in the cash table
