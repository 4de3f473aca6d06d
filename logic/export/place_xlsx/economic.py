"""The Economic case sheet (every programme's real costs and benefits on the place's calendar, as values,
discounted here by formulas) and the Programmes sheet (each programme's own headline, as values)."""

from __future__ import annotations

import numpy as np

from ...evaluation import price_base_label
from ...place import place_factors
from ...presentation import payback
from ..xlsx.cells import (
    BOLD,
    FACTOR,
    FIRST_YEAR_COL,
    LABEL_COL,
    PV_COL,
    RATIO,
    TITLE,
    TOTAL_COL,
    WHOLE,
    WRAP,
    col,
    header_row,
    put_formula,
    put_text,
    section,
    set_widths,
)
from .book import KEY_COL, PlaceBook, landscape

KINDS = (
    ("fiscal", "Fiscal benefits (savings to public budgets, transfers included)"),
    ("transfers", "of which transfers (money moving between people)"),
    ("economic", "Economic benefits"),
    ("social", "Social benefits"),
)
SCHEDULE_WORDS = {"constant": "constant", "green_book": "HM Treasury Green Book declining schedule"}


def write_economic(book: PlaceBook) -> None:
    ws = book.economic
    s = book.place.settings
    book.year_headers(ws, "The combined economic case (real)")
    put_text(ws, 1, PV_COL, "Present value", BOLD)
    standard, health = place_factors(book.place, book.L)
    row = 3
    put_text(
        ws,
        row,
        LABEL_COL,
        f"Real terms, {price_base_words(book)}: values from each programme's own evaluation, on the place's calendar; "
        "present values are formulas, each line with its own discount factors (standard or health).",
    )
    row += 1
    section(ws, row, "Discount factors (year 0 = the place's first year)", PV_COL)
    row += 1
    factor_rows = {}
    for name, label, factors in (
        ("standard", f"Standard: {s.discount_rate:.2%} a year, {SCHEDULE_WORDS[s.discount_schedule]}", standard),
        ("health", f"Health lines: {s.health_discount_rate:.2%} a year, {SCHEDULE_WORDS[s.discount_schedule]}", health),
    ):
        put_text(ws, row, LABEL_COL, label)
        for t in range(book.L):
            ws.cell(row=row, column=FIRST_YEAR_COL + t, value=float(factors[t])).number_format = FACTOR
        factor_rows[name] = row
        row += 1
    row += 1
    section(ws, row, "Costs and benefits by year, all programmes (real)", PV_COL)
    row += 1
    costs = sum((p.costs_real for p in book.result.cash), start=np.zeros(book.L))
    pv_cells: dict[str, list[str]] = {}
    row = _line(book, row, "Costs: every cost line, optimism bias included", costs, factor_rows["standard"])
    pv_cells["costs"] = [f"${col(PV_COL)}${row - 1}"]
    for kind, label in KINDS:
        lines = sum((p.benefits_real[kind] for p in book.result.cash), start=np.zeros((2, book.L)))
        pv_cells[kind] = []
        for j, (which, factor_row) in enumerate(
            (("standard lines", factor_rows["standard"]), ("health lines", factor_rows["health"]))
        ):
            row = _line(book, row, f"{label}: {which}", lines[j], factor_row)
            pv_cells[kind].append(f"${col(PV_COL)}${row - 1}")
    row += 1
    _figures(book, row, pv_cells)


def _line(book: PlaceBook, row: int, label: str, values: np.ndarray, factor_row: int) -> int:
    ws = book.economic
    put_text(ws, row, LABEL_COL, label)
    for t in range(book.L):
        ws.cell(row=row, column=FIRST_YEAR_COL + t, value=float(values[t])).number_format = book.money
    put_formula(ws, row, TOTAL_COL, f"=SUM({book.span(row)})", book.money)
    factors = book.span(factor_row, absolute_row=True)
    put_formula(ws, row, PV_COL, f"=SUMPRODUCT({book.span(row)},{factors})", book.money)
    return row + 1


def _figures(book: PlaceBook, row: int, pv: dict[str, list[str]]) -> None:
    ws = book.economic
    cells = book.rows.economic_cells
    section(ws, row, "The economic case (present values)", PV_COL)
    row += 1

    def total(kind: str) -> str:
        return "(" + "+".join(pv[kind]) + ")"

    public = f"({total('fiscal')}-{total('transfers')}+{total('economic')}+{total('social')})"
    figures = [
        ("pv_costs", "PV of costs", f"={total('costs')}", book.money),
        ("pv_fiscal", "PV of fiscal benefits", f"={total('fiscal')}", book.money),
        ("pv_transfers", "PV of transfers", f"={total('transfers')}", book.money),
        ("pv_economic", "PV of economic benefits", f"={total('economic')}", book.money),
        ("pv_social", "PV of social benefits", f"={total('social')}", book.money),
        (
            "npv_fiscal",
            "NPV to public budgets (fiscal benefits - costs)",
            f"={total('fiscal')}-{total('costs')}",
            book.money,
        ),
        (
            "npv_public_value",
            "NPV (public value): fiscal - transfers + economic + social - costs",
            f"={public}-{total('costs')}",
            book.money,
        ),
        (
            "bcr_public_value",
            "Benefit-cost ratio (public value)",
            f'=IF({total("costs")}>0,{public}/{total("costs")},"none")',
            RATIO,
        ),
    ]
    for key, label, formula, number_format in figures:
        put_text(ws, row, LABEL_COL, label)
        put_text(ws, row, KEY_COL, f"economic:{key}")
        put_formula(ws, row, TOTAL_COL, formula, number_format).font = BOLD
        cells[key] = f"'Economic case'!${col(TOTAL_COL)}${row}"
        row += 1


def price_base_words(book: PlaceBook) -> str:
    return price_base_label(book.figures["price_base_year"])


PROGRAMME_HEADERS = [
    "#",
    "Programme",
    "From (file or saved scenario)",
    "Starts",
    "Scale",
    "PV of costs",
    "PV of fiscal benefits",
    "NPV to public budgets",
    "NPV (public value)",
    "Benefit-cost ratio (public value)",
    "Pays back",
]


def write_programmes(book: PlaceBook) -> None:
    ws = book.programmes
    put_text(ws, 1, 1, "The programmes, each on its own (its own file's discounting and horizon; values)", TITLE)
    put_text(
        ws,
        2,
        1,
        f"Present values in real terms, {price_base_words(book)}, discounted to each programme's own first year: "
        "they do not add up to the place's combined case, which is discounted to the place's first year.",
    )
    header_row(ws, 4, PROGRAMME_HEADERS)
    row = 5
    for i, p in enumerate(book.figures["programmes"]):
        head = p["headline"]
        put_text(ws, row, 1, str(i + 1))
        put_text(ws, row, 2, p["name"]).alignment = WRAP
        put_text(ws, row, 3, p["source"]).alignment = WRAP
        ws.cell(row=row, column=4, value=p["start_year"]).number_format = WHOLE
        ws.cell(row=row, column=5, value=p["scale"]).number_format = "0.00"
        for c, key in enumerate(("pv_costs", "pv_fiscal", "npv_fiscal", "npv_public_value"), start=6):
            ws.cell(row=row, column=c, value=head[key]).number_format = book.money
        bcr = head["bcr_public_value"]
        if bcr is None:
            put_text(ws, row, 10, "none")
        else:
            ws.cell(row=row, column=10, value=bcr).number_format = RATIO
        put_text(ws, row, 11, payback(head["payback_year"], p["start_year"]))
        row += 1
    ws.freeze_panes = "C5"
    set_widths(ws, {1: 4, 2: 46, 3: 28, 4: 8, 5: 7, 6: 15, 7: 15, 8: 15, 9: 15, 10: 13, 11: 22})
    landscape(ws)
