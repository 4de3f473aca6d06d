"""A place's Excel workbook and board report, without LibreOffice: what the files hold, checked against figures
worked out by hand, and `python -m logic place FILE --xlsx OUT --html OUT`.

tests/test_place_xlsx_libreoffice.py recalculates the same workbooks in LibreOffice.

The small places (written to tmp_path by `write_places`):

- hand: one programme, Family support (2026-2028, discount 0): 10 families, each costing the council 1,000
  in 2026; half of them stay together (rate 0.5, none without, grade 1: no optimism bias), each worth 4,000
  a year to the council, all cashable, for 3 years. So the council banks 10 x 0.5 x 4,000 = 20,000 in each of
  2026-2028 and pays 10 x 1,000 = 10,000 in 2026. The fund: the council is its one member and pays 5,000 in
  2026; the fund pays the council's costs; the council keeps half its savings, the other half is paid in a
  year later; 10% a year on a negative balance. The calendar runs 2026-2029 (3 years + the lag of 1).
      paid in   = 5,000 + 0       | 0 + 10,000 | 10,000 | 10,000
      paid out  = 10,000          | 0          | 0      | 0
      balance   = -5,000          | -5,000 x 1.1 + 10,000 = 4,500 | 14,500 | 24,500
  bridge 5,000 (at the end of 2026); from 2027 the balance rises without contributions: pays its own way
  from 2027 (index 1). The council's net cash = 0.5 x savings - contributions: 5,000 | 10,000 | 10,000 | 0.
  Economic case (discount 0): PV costs 10,000, PV fiscal 60,000, NPV 50,000.
- mixed: three programmes (a payment-by-results one starting a year later at half size, a fee-for-service
  one), two members, a non-member, only own costs and outcome payments pooled, lag 2, both interest rates,
  an opening balance, 2% inflation; two programmes credit the NHS with the same unit-cost code.
- lag0: no lag, all savings paid in, only funding pooled, a negative opening balance.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import yaml

from logic.__main__ import main
from logic.export.place_report import place_report_html, write_place_report
from logic.export.place_xlsx import money_format, place_input_cells, place_workbook_bytes, write_place_workbook
from logic.export.report_blocks import remote_references
from logic.place import EXAMPLE_PLACE, evaluate_place, load_place

ROOT = Path(__file__).resolve().parents[1]

FAMILY = """
format: toc-business-case/1
name: Family support
settings: {start_year: 2026, horizon_years: 3, discount_rate: 0.0}
agencies:
  - {id: council, name: Anytown council}
cohort: {intake: [10], engagement_rate: 1.0}
nodes:
  - {id: need, stage: need, label: Families in crisis}
  - id: act
    stage: activity
    label: Family support workers
    costs: [{item: Workers, payer: council, per_participant: 1000}]
  - id: out
    stage: outcome
    label: Family stays together
    rate_with: 0.5
    rate_without: 0.0
    evidence_grade: 1
    duration_years: 3
    benefits: [{agency: council, value: 4000, type: fiscal, cashable: 1.0}]
edges:
  - {source: need, target: act}
  - {source: act, target: out}
"""

WORK = """
format: toc-business-case/2
name: Into work
settings: {start_year: 2026, horizon_years: 3, discount_rate: 0.035}
agencies:
  - {id: council, name: Anytown council}
  - {id: nhs, name: Anytown NHS}
  - {id: dwp, name: DWP}
cohort: {intake: [20, 20], engagement_rate: 1.0}
nodes:
  - id: act
    stage: activity
    label: Employment coaching
    costs: [{item: Coaches, payer: provider, per_participant: 500}]
  - id: out
    stage: outcome
    label: In work for six months
    rate_with: 0.4
    rate_without: 0.1
    evidence_grade: 1
    duration_years: 2
    price: 2000
    benefits:
      - {agency: nhs, value: 1000, type: fiscal, cashable: 0.5, code: HE1}
      - {agency: dwp, value: 3000, type: fiscal, cashable: 1.0, transfer: true}
edges:
  - {source: act, target: out}
contract:
  type: payment_by_results
  payment_lag_years: 1
  outcome_payers: [{agency: council, share: 0.5}, {agency: nhs, share: 0.5}]
"""

GRANT = """
format: toc-business-case/2
name: Wellbeing service
settings: {start_year: 2026, horizon_years: 3, discount_rate: 0.035}
agencies:
  - {id: council, name: Anytown council}
  - {id: nhs, name: Anytown NHS}
  - {id: people, name: Residents, kind: people}
cohort: {intake: [5, 5, 5], engagement_rate: 1.0}
nodes:
  - id: act
    stage: activity
    label: Wellbeing sessions
    costs: [{item: Sessions, payer: provider, per_year: 20000}]
  - id: out
    stage: outcome
    label: Better wellbeing
    rate_with: 0.6
    rate_without: 0.2
    evidence_grade: 1
    duration_years: 2
    benefits:
      - {agency: nhs, value: 2500, type: fiscal, cashable: 0.4, code: HE1}
      - {agency: people, value: 6000, type: social, discount: health}
edges:
  - {source: act, target: out}
contract:
  type: fee_for_service
  provider_margin: 0.1
  outcome_payers: [{agency: council, share: 1.0}]
"""

PLACES = {
    "hand": {
        "format": "toc-place/1",
        "name": "Hand place",
        "settings": {"start_year": 2026, "horizon_years": 3, "discount_rate": 0.0},
        "programmes": [{"scenario": "family.yaml"}],
        "fund": {
            "members": ["council"],
            "contributions": [{"agency": "council", "by_year": [5000]}],
            "savings_returned": 0.5,
            "savings_lag_years": 1,
            "bridge_rate": 0.1,
        },
    },
    "mixed": {
        "format": "toc-place/1",
        "name": "Mixed place",
        "settings": {
            "start_year": 2026,
            "horizon_years": 4,
            "discount_rate": 0.05,
            "price_base_year": 2025,
            "inflation": 0.02,
        },
        "programmes": [
            {"scenario": "family.yaml"},
            {"scenario": "work.yaml", "start_year": 2027, "scale": 0.5},
            {"scenario": "grant.yaml"},
        ],
        "fund": {
            "members": ["council", "nhs"],
            "opening_balance": 1000,
            "contributions": [
                {"agency": "council", "by_year": [30000, 10000]},
                {"agency": "nhs", "by_year": [5000]},
            ],
            "pays_for": ["own_costs", "outcome_payments"],
            "savings_returned": 0.25,
            "savings_lag_years": 2,
            "bridge_rate": 0.05,
            "balance_rate": 0.02,
        },
    },
    "lag0": {
        "format": "toc-place/1",
        "name": "No lag",
        "settings": {"start_year": 2026, "horizon_years": 3},
        "programmes": [{"scenario": "family.yaml"}, {"scenario": "grant.yaml", "start_year": 2027}],
        "fund": {
            "members": ["council"],
            "opening_balance": -2000,
            "contributions": [{"agency": "council", "by_year": [0, 10000, 10000]}],
            "pays_for": ["funding"],
            "savings_returned": 0.0,
            "savings_lag_years": 0,
            "bridge_rate": 0.2,
        },
    },
}


def write_places(folder: Path) -> dict[str, Path]:
    """The small places and their programmes as files in `folder`: name -> the place file."""
    for name, text in (("family", FAMILY), ("work", WORK), ("grant", GRANT)):
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    out = {}
    for name, doc in PLACES.items():
        out[name] = write_place(folder, name, doc)
    return out


def write_place(folder: Path, name: str, doc: dict) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, Path]:
    return write_places(tmp_path_factory.mktemp("places"))


@pytest.fixture(scope="module")
def hand(places):
    return evaluate_place(load_place(places["hand"]))


def _sheet(result, title):
    import io

    return openpyxl.load_workbook(io.BytesIO(place_workbook_bytes(result)))[title]


def _cell(wb, address: str):
    sheet, coordinate = address.split("!")
    return wb[sheet.strip("'")][coordinate.replace("$", "")]


# --- the workbook ------------------------------------------------------------------------------------------


def test_the_workbook_holds_the_places_inputs_as_blue_values_and_every_figure_as_a_formula(hand, tmp_path):
    path = write_place_workbook(hand, tmp_path / "hand.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Inputs", "Fund", "Agencies", "Economic case", "Programmes", "Programme cash"]
    cells = place_input_cells(hand)
    expected = {
        "fund.opening_balance": 0,
        "fund.savings_returned": 0.5,
        "fund.savings_lag_years": 1,
        "fund.bridge_rate": 0.1,
        "fund.balance_rate": 0,
        "fund.pays_for: own_costs": 1,
        "fund.pays_for: funding": 1,
        "fund.pays_for: outcome_payments": 1,
        "fund.members: council": 1,
        "fund.contributions: council[0]": 5000,
        "fund.contributions: council[1]": 0,
        "fund.contributions: council[3]": 0,
    }
    for path_in_file, value in expected.items():
        cell = _cell(wb, cells[path_in_file])
        assert cell.value == value, path_in_file
        assert cell.data_type != "f" and cell.font.color.rgb.endswith("0000FF"), path_in_file
    assert "fund.contributions: council[4]" not in cells  # the calendar is 2026-2029: four years
    # The terms have workbook-wide names, so a formula reads savings_returned, not Inputs!$B$6.
    assert {"savings_returned", "savings_lag_years", "bridge_rate", "pays_own_costs"} <= set(wb.defined_names)
    for title in ("Fund", "Agencies"):
        for row in wb[title].iter_rows(min_row=3, min_col=6):
            for cell in row:
                if cell.value is not None:
                    assert cell.data_type == "f", f"{title}!{cell.coordinate} holds {cell.value!r}, not a formula"
    summary = wb["Summary"]
    keyed = {r[2].value: r[1] for r in summary.iter_rows(min_col=1, max_col=3) if isinstance(r[2].value, str)}
    for key in ("fund:bridge_needed", "fund:self_sustaining_year", "economic:npv_public_value"):
        assert keyed[key].data_type == "f", key


def test_the_programmes_cash_is_written_as_the_hand_worked_figures(hand):
    ws = _sheet(hand, "Programme cash")
    rows = {r[2]: list(r[5:9]) for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[2], str)}
    # 10 families x 0.5 x 4,000 banked in each of 2026-2028; 10 x 1,000 paid in 2026 (module docstring).
    assert rows["programme 1: cashable"] == [20000, 20000, 20000, 0]
    assert rows["programme 1: own_costs"] == [10000, 0, 0, 0]
    assert len(rows) == 2  # items with no cash in any year are left out
    # The Agencies sheet sums them with plain references, one per programme that has the item.
    agencies = _sheet(hand, "Agencies")
    formulas = {r[2].value: r[5].value for r in agencies.iter_rows(min_row=3) if isinstance(r[2].value, str)}
    assert re.fullmatch(r"='Programme cash'!F\d+", formulas["cashable:council"])
    assert "funding:council" not in formulas  # no agency funds delivery here


def test_the_fund_formulas_follow_the_design(hand):
    ws = _sheet(hand, "Fund")
    formulas = {r[2].value: [c.value for c in r[5:9]] for r in ws.iter_rows(min_row=3) if isinstance(r[2].value, str)}
    savings_in = formulas["fund:savings_in_by_year"]
    # The lag is read from the Inputs cell: the savings banked savings_lag_years before, by INDEX.
    assert all("savings_lag_years" in f and "INDEX(" in f and "(1-savings_returned)" in f for f in savings_in)
    # Interest on the balance at the start of the year (a row of its own), at the bridge rate when negative.
    assert re.fullmatch(r"=IF\(G(\d+)<0,G\1\*bridge_rate,G\1\*balance_rate\)", formulas["fund:interest"][1])


@pytest.mark.parametrize(
    ("currency", "shown", "absent"),
    [("GBP", '"£"#,##0', "€"), ("EUR", '"€"#,##0', "£"), ("CHF", '#,##0" CHF"', "£")],
)
def test_money_cells_are_in_the_places_currency(places, tmp_path, currency, shown, absent):
    doc = {**PLACES["hand"], "settings": {**PLACES["hand"]["settings"], "currency": currency}}
    result = evaluate_place(load_place(write_place(places["hand"].parent, f"hand_{currency}", doc)))
    assert money_format(currency).startswith(shown)
    wb = openpyxl.load_workbook(write_place_workbook(result, tmp_path / f"{currency}.xlsx"))
    formats = {c.number_format for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    balance_row = next(r for r in wb["Fund"].iter_rows(min_row=3) if r[2].value == "fund:balance_by_year")
    assert all(c.number_format.startswith(shown) for c in balance_row[5:9])
    assert not any(absent in f for f in formats)


def test_user_text_stays_text_in_the_workbook_and_is_escaped_in_the_report(tmp_path):
    hostile = FAMILY.replace("name: Family support", 'name: \'=HYPERLINK("http://x","<script>x</script>")\'')
    hostile = hostile.replace("name: Anytown council", "name: \"=cmd|' /C calc'!A0\"")
    (tmp_path / "family.yaml").write_text(hostile, encoding="utf-8")
    doc = {**PLACES["hand"], "name": "=1+1 <img src=x>", "description": "@SUM(1)"}
    result = evaluate_place(load_place(write_place(tmp_path, "hostile", doc)))
    wb = openpyxl.load_workbook(write_place_workbook(result, tmp_path / "hostile.xlsx"))
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert "HYPERLINK" not in cell.value and "cmd" not in cell.value, cell.coordinate
    assert wb["Summary"]["A1"].value == "=1+1 <img src=x>" and wb["Summary"]["A1"].data_type == "s"
    html = place_report_html(result)
    assert "<script>" not in html and "<img" not in html and "&lt;img src=x&gt;" in html
    assert remote_references(html) == []


# --- the board report --------------------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every table of a page as rows of cell texts, and the page's text."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _page(html: str) -> Tables:
    page = Tables()
    page.feed(html)
    return page


def _table(page: Tables, first_header: str, second_header: str) -> list[list[str]]:
    return next(t for t in page.tables if t and t[0][:2] == [first_header, second_header])


def test_the_report_shows_the_hand_worked_fund(hand, tmp_path):
    path = write_place_report(hand, tmp_path / "hand.html", source="hand.yaml")
    html = path.read_text(encoding="utf-8")
    page = _page(html)
    text = " ".join(" ".join(page.text).split())
    assert "The fund is overdrawn by up to £5,000, at the end of 2026" in text
    assert "From 2027 the fund pays its own way" in text
    assert "At the end of 2029 it holds £24,500." in text
    fund = _table(page, "Year", "Contributions")
    # Year, contributions, savings paid in, paid in, paid out, interest, balance (module docstring):
    # interest in 2027 = -5,000 x 10% = -500; no interest on a positive balance (balance_rate 0).
    assert fund[1:5] == [
        ["2026 (lowest)", "£5,000", "£0", "£5,000", "£10,000", "£0", "-£5,000"],
        ["2027", "£0", "£10,000", "£10,000", "£0", "-£500", "£4,500"],
        ["2028", "£0", "£10,000", "£10,000", "£0", "£0", "£14,500"],
        ["2029", "£0", "£10,000", "£10,000", "£0", "£0", "£24,500"],
    ]
    assert fund[5][:6] == ["Total", "£5,000", "£30,000", "£35,000", "£10,000", "-£500"]
    net = next(t for t in page.tables if t[0] == ["Year", "Anytown council"])  # not the contributions' table
    assert net[1:6] == [
        ["2026", "£5,000"],
        ["2027", "£10,000"],
        ["2028", "£10,000"],
        ["2029", "£0"],
        ["Total", "£25,000"],
    ]
    economic = {r[0]: r[1] for r in _table(page, "Figure", "Value")[1:]}
    assert economic["PV of costs"] == "£10,000" and economic["PV of fiscal benefits"] == "£60,000"
    assert economic["NPV to public budgets"] == "£50,000" and economic["NPV (public value)"] == "£50,000"
    assert economic["Benefit-cost ratio (public value)"] == "6.00"
    # Self-contained: no script, nothing fetched, the chart inline.
    assert "<script" not in html and remote_references(html) == [] and "<svg" in html
    assert "hand.yaml" in html and "No double counting found" in text


def test_the_report_says_when_there_is_no_bridge_and_the_fund_never_pays_its_own_way(places):
    result = evaluate_place(load_place(places["lag0"]))
    text = " ".join(" ".join(_page(place_report_html(result)).text).split())
    # Balances 17,600 | 25,600 | 33,600 | 11,600: never negative; in 2029 it falls by 22,000 with no contribution.
    assert "The fund is never overdrawn" in text
    assert "The fund does not pay its own way within the calendar (2026 to 2029)" in text
    assert "At the end of 2029 it holds £11,600." in text


def test_the_report_names_double_counting_and_the_other_warnings(places):
    result = evaluate_place(load_place(places["mixed"]))
    page = _page(place_report_html(result))
    text = " ".join(" ".join(page.text).split())
    assert (
        "Programmes 2 (Into work) and 3 (Wellbeing service) both credit Anytown NHS with savings coded HE1. "
        "Both lines stay in the totals" in text
    )
    assert "assumes inflation of 0.0% a year; the place's 2.0% is used for it" in text
    programmes = _table(page, "#", "Programme")
    assert [r[1:4] for r in programmes[1:]] == [
        ["Family support From family.yaml", "2026", "1"],
        ["Into work From work.yaml", "2027", "0.5"],
        ["Wellbeing service From grant.yaml", "2026", "1"],
    ]
    agencies = _table(page, "Agency", "Contributions")
    members = {r[0]: r[1] for r in agencies[1:]}
    # council pays 30,000 + 10,000, the NHS 5,000; the DWP is not a member.
    assert members["Anytown council Member of the fund"] == "£40,000"
    assert members["Anytown NHS Member of the fund"] == "£5,000"
    assert members["DWP Not a member"] == "£0"


def test_the_example_place_report_and_workbook(tmp_path):
    result = evaluate_place(load_place(EXAMPLE_PLACE))
    html = place_report_html(result, source="anytown.yaml")
    assert result.loaded.place.name in html and html.count("<svg") == 1
    wb = openpyxl.load_workbook(write_place_workbook(result, tmp_path / "anytown.xlsx"))
    inputs = place_input_cells(result)
    assert _cell(wb, inputs["fund.contributions: council[2]"]).value == 400000
    assert _cell(wb, inputs["fund.members: lcf"]).value == 0  # a donor that is not a member


# --- the command line --------------------------------------------------------------------------------------


def test_place_writes_the_workbook_and_the_report(places, tmp_path, capsys):
    xlsx, html = tmp_path / "out.xlsx", tmp_path / "out.html"
    assert main(["place", str(places["hand"]), "--xlsx", str(xlsx), "--html", str(html)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"wrote {xlsx}", f"wrote {html}"]
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "Summary"
    assert "Hand place" in html.read_text(encoding="utf-8")
    # Without either, the table as before.
    assert main(["place", str(places["hand"])]) == 0
    assert "Bridge needed" in capsys.readouterr().out


def test_place_with_json_keeps_stdout_for_the_json(places, tmp_path):
    html = tmp_path / "out.html"
    out = subprocess.run(
        [sys.executable, "-m", "logic", "place", str(places["hand"]), "--json", "--html", str(html)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["fund"]["bridge_needed"] == pytest.approx(5000)
    assert out.stderr.strip() == f"wrote {html}" and html.exists()


@pytest.mark.parametrize("option", ["--xlsx", "--html"])
def test_a_path_that_cannot_be_written_is_one_line_and_exit_2(places, tmp_path, capsys, option):
    target = tmp_path / "missing" / "out.file"
    assert main(["place", str(places["hand"]), option, str(target)]) == 2
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"could not write {target}: No such file or directory"]
    assert "Traceback" not in out.err and not target.exists()
    assert main(["place", str(places["hand"]), option, str(tmp_path)]) == 2  # a folder, not a file
    assert capsys.readouterr().out.strip() == f"could not write {tmp_path}: Is a directory"


def test_a_bad_place_file_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: toc-place/1\nname: x\n", encoding="utf-8")
    assert main(["place", str(bad), "--xlsx", str(tmp_path / "x.xlsx"), "--html", str(tmp_path / "x.html")]) == 2
    assert "settings" in capsys.readouterr().out
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.html").exists()
