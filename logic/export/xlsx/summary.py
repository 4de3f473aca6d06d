"""The Summary sheet: the headline figures, each a formula; the cell to the right of each value holds its
``evaluate --json`` key (``npv_fiscal``, ``party:council``, ``financial:public_sector_position``, ...), so
scripts can find it."""

from __future__ import annotations

import re

from openpyxl.worksheet.worksheet import Worksheet

from ...model import INVESTOR, PROVIDER, Scenario
from ...snapshots import snapshot_sha256
from .book import Book
from .cells import (
    COUNT,
    MONEY,
    NONE_TEXT,
    RATE,
    RATIO,
    TITLE,
    WHOLE,
    WRAP,
    header_row,
    put_formula,
    put_text,
    ratio,
    section,
    set_widths,
)

GMCA_ATTRIBUTION = "Source: GMCA Unit Cost Database v1.4"
BOND = "social_impact_bond"


def write_summary(book: Book) -> None:
    ws = book.summary
    put_text(ws, 1, 1, "Business case summary", TITLE)
    put_text(ws, 2, 1, "Scenario")
    put_text(ws, 2, 2, book.sc.name)
    put_text(ws, 3, 1, "Snapshot SHA-256 (of the scenario this workbook was made from)")
    put_text(ws, 3, 2, snapshot_sha256(book.sc))
    put_text(ws, 4, 1, "Contract type")
    put_formula(ws, 4, 2, "=contract_type")
    put_formula(
        ws,
        5,
        1,
        '="Money is real, in "&price_base&", unless marked cash; present values use the discount factors on the '
        'Flows and Contract sheets."',
    )
    header = 7
    header_row(ws, header, ["Figure", "Value", "Key (evaluate --json)", "Note"])
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    row = _headline(book, ws, header + 1)
    row = _contract(book, ws, row + 1)
    row = _financial(book, ws, row + 1)
    row = _agencies(book, ws, row + 1)
    row = _additional(book, ws, row + 1)
    _sources(book, ws, row + 1)
    set_widths(ws, {1: 62, 2: 22, 3: 34, 4: 50})


def _row(ws: Worksheet, row: int, label: str, formula: str, key: str, number_format: str | None, note: str = "") -> int:
    put_text(ws, row, 1, label)
    put_formula(ws, row, 2, formula, number_format)
    put_text(ws, row, 3, key)
    if note:
        put_text(ws, row, 4, note)
    return row + 1


def _headline(book: Book, ws: Worksheet, row: int) -> int:
    t = book.flow.totals
    pv = {k: f"Flows!$E${t[k]}" for k in ("costs", "fiscal", "transfers", "cashable", "economic", "social")}
    section(ws, row, "The economic case (present values, real)", 4)
    row += 1
    row = _row(ws, row, "Price base", "=price_base", "price_base", None)
    row = _row(ws, row, "Price base year", "=price_base_year", "price_base_year", WHOLE)
    # A transfer is a real saving to a budget but no value created: left out of public value.
    public = f"({pv['fiscal']}-{pv['transfers']}+{pv['economic']}+{pv['social']})"
    money = [
        ("Costs (graded cost lines uplifted by their optimism bias)", "pv_costs", f"={pv['costs']}"),
        ("Fiscal benefits", "pv_fiscal", f"={pv['fiscal']}"),
        ("  of which transfers (no value to society)", "pv_transfers", f"={pv['transfers']}"),
        ("Cashable fiscal benefits", "pv_cashable", f"={pv['cashable']}"),
        ("Economic benefits", "pv_economic", f"={pv['economic']}"),
        ("Social benefits", "pv_social", f"={pv['social']}"),
        ("Net present budget impact (fiscal - costs)", "npv_fiscal", f"={pv['fiscal']}-{pv['costs']}"),
        ("Net cashable (cashable - costs)", "npv_cashable", f"={pv['cashable']}-{pv['costs']}"),
        (
            "Net public value (fiscal - transfers + economic + social - costs)",
            "npv_public_value",
            f"={public}-{pv['costs']}",
        ),
    ]
    for label, key, formula in money:
        row = _row(ws, row, label, formula, key, MONEY)
    note = "none when there are no costs"
    row = _row(ws, row, "Benefit-cost ratio, fiscal", ratio(pv["fiscal"], pv["costs"]), "bcr_fiscal", RATIO, note)
    row = _row(ws, row, "Benefit-cost ratio, public value", ratio(public, pv["costs"]), "bcr_public_value", RATIO, note)
    marker = f"Flows!{book.year_span(book.flow.payback_marker, absolute_row=True)}"
    row = _row(
        ws,
        row,
        "Payback year (index: first year the discounted cumulative net fiscal reaches 0)",
        f'=IF(COUNT({marker})=0,"{NONE_TEXT}",MIN({marker}))',
        "payback_year",
        WHOLE,
    )
    put_formula(
        ws, row - 1, 4, f'=IF(ISNUMBER(B{row - 1}),"calendar year "&(start_year+B{row - 1}),"not within the horizon")'
    )
    return row


def _contract(book: Book, ws: Worksheet, row: int) -> int:
    k, sc = book.con, book.sc
    section(ws, row, "Outcomes contract (payments after the horizon count in every figure)", 4)
    row += 1
    row = _row(ws, row, "Indexation of prices", "=indexation", "indexation", None)
    row = _row(ws, row, "Fixed share (hybrid)", "=fixed_share", "fixed_share", RATE)
    row = _row(
        ws, row, "Outcome payments, cash (undiscounted)", f"=Contract!$D${k.payments}", "outcome_payments_total", MONEY
    )
    row = _row(
        ws,
        row,
        "Outcome payments, real (undiscounted)",
        f"=Contract!$D${k.payments_real}",
        "outcome_payments_total_real",
        MONEY,
    )
    row = _row(
        ws,
        row,
        "Outcome payments, present value (real)",
        f"=Contract!$E${k.payments_real}",
        "pv_outcome_payments",
        MONEY,
    )
    row = _row(
        ws,
        row,
        "Outcome payments falling after the horizon, cash",
        f"=Contract!$D${k.beyond}",
        "payments_beyond_horizon",
        MONEY,
        "owed for outcomes achieved within the horizon; included above",
    )
    row = _row(ws, row, "The contract's cap binds", f"=Contract!$D${k.cap_binds}", "cap_binds", None)
    for o in book.outcomes:
        row = _row(
            ws,
            row,
            f"Its own cap binds: {o.label}",
            f"=Contract!$D${k.outcome_cap_binds[o.id]}",
            f"outcome_caps_bind:{o.id}",
            None,
        )
    names = {a.id: a.name for a in sc.agencies}
    for party, party_row in k.positions.items():
        if party == INVESTOR and sc.contract.type != BOND:
            continue
        label = names.get(party, {PROVIDER: "Provider", INVESTOR: "Investor"}.get(party, party))
        row = _row(ws, row, f"Position (PV, real): {label}", f"=Contract!$E${party_row}", f"party:{party}", MONEY)
    row = _row(
        ws,
        row,
        "Premium over a fee for service (PV, real; negative: paying by results saves)",
        f"=Contract!$D${k.premium}",
        "premium_over_fee_for_service",
        MONEY,
        "payment by results and bonds only",
    )
    for o in book.outcomes:
        row = _row(
            ws,
            row,
            f"Paid per valued outcome (real): {o.label}",
            f"=Contract!$D${k.paid_per_valued[o.id]}",
            f"paid_per_valued_outcome:{o.id}",
            MONEY,
        )
    if sc.contract.type == BOND:
        investor = (
            ("Investor: peak capital, cash", k.peak_capital, "investor:peak_capital", MONEY, ""),
            ("Investor: multiple (payments / funding, cash)", k.multiple, "investor:multiple", RATIO, ""),
            (
                "Investor: internal rate of return, nominal",
                k.irr,
                "investor:irr",
                RATE,
                "where the flows change sign more than once, the rate nearest 0%",
            ),
            ("Investor: internal rate of return, real", k.irr_real, "investor:irr_real", RATE, ""),
        )
        for label, r, key, number_format, note in investor:
            row = _row(ws, row, label, f"=Contract!$D${r}", key, number_format, note)
    return row


def _financial(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "The financial case (cash, undiscounted, over the contract's years)", 4)
    row += 1
    for a, r in zip(book.sc.agencies, book.fin.cash):
        row = _row(ws, row, f"Net cash: {a.name}", f"=Financial!$D${r}", f"financial:total_cash:{a.id}", MONEY)
    row = _row(
        ws,
        row,
        "Public sector net cash (agencies of kind public)",
        f"=Financial!$D${book.fin.public_by_year}",
        "financial:public_sector_total_cash",
        MONEY,
    )
    return _row(
        ws,
        row,
        "Public sector position (PV, real)",
        f"=Financial!$D${book.fin.public_position}",
        "financial:public_sector_position",
        MONEY,
    )


def _agencies(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Who pays, who benefits (present values by agency, real)", 4)
    row += 1
    f = book.flow
    measures = (
        ("pv_costs", "costs it pays itself", f.own_costs),
        ("pv_fiscal", "fiscal benefit", f.by_agency["fiscal"]),
        ("pv_transfers", "of which transfers", f.by_agency["transfers"]),
        ("pv_cashable", "cashable benefit", f.by_agency["cashable"]),
        ("pv_economic", "economic benefit", f.by_agency["economic"]),
        ("pv_social", "social benefit", f.by_agency["social"]),
    )
    for i, a in enumerate(book.sc.agencies):
        for key, what, rows in measures:
            row = _row(ws, row, f"{a.name}: {what}", f"=Flows!$E${rows[i]}", f"by_agency:{a.id}:{key}", MONEY)
    row = _row(ws, row, "Provider: delivery costs", f"=Flows!$E${f.delivery}", f"by_agency:{PROVIDER}:pv_costs", MONEY)
    if book.sc.contract.type == BOND:
        row = _row(
            ws,
            row,
            "Investor: the bond's own cost lines",
            f"=Flows!$E${f.investor_costs}",
            f"by_agency:{INVESTOR}:pv_costs",
            MONEY,
        )
    return row


def _additional(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Additional outcomes (people, summed over intake years, before optimism bias)", 4)
    row += 1
    for o in book.outcomes:
        row = _row(
            ws, row, o.label, f"=Outcomes!$D${book.out_rows[o.id].additional}", f"additional_outcomes:{o.id}", COUNT
        )
    return row


def _sources(book: Book, ws: Worksheet, row: int) -> None:
    section(ws, row, "Sources and notes", 4)
    row += 1
    sc = book.sc
    if mentions_gmca(sc):
        put_text(ws, row, 1, GMCA_ATTRIBUTION + " (GMCA Research Team, via the Government Outcomes Lab; CC licence)")
        row += 1
    if sc.description:
        put_text(ws, row, 1, "Description")
        cell = put_text(ws, row, 2, sc.description)
        cell.alignment = WRAP
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        ws.row_dimensions[row].height = min(400, 15 * (1 + sc.description.count("\n")))


def mentions_gmca(sc: Scenario) -> bool:
    texts = [sc.description or ""] + [n.notes or "" for n in sc.nodes]
    return any(re.search(r"\bGMCA\b", t) for t in texts)
