"""The Flows sheet: discount factors, each benefit and cost line by year, totals, who pays / who benefits.

Everything here is real (in the price base year's prices) and within the horizon. A benefit line is
discounted with its own factors (standard, or health), so a total's present value is the sum of its
lines' present values, not its yearly row times one set of factors.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.worksheet.worksheet import Worksheet

from ...model import INVESTOR, PROVIDER
from .book import Book
from .cells import (
    BOLD,
    DETAIL_COL,
    FACTOR,
    FIRST_YEAR_COL,
    LABEL_COL,
    PV_COL,
    RATE,
    TYPE_COL,
    WHOLE,
    YEAR_INDEX_ROW,
    YEAR_ROW,
    col,
    put_formula,
    put_text,
    ref,
    section,
    times,
    year_col,
)
from .inputs import BEN_COLUMNS, COST_COLUMNS, profile_col


def write_flows(book: Book) -> None:
    ws = book.flows
    book.year_headers(ws, "Costs, benefits and discounting by year (real)")
    put_text(ws, YEAR_INDEX_ROW, DETAIL_COL, "Agency / payer", BOLD)
    put_text(ws, YEAR_INDEX_ROW, TYPE_COL, "Type", BOLD)
    row = _discounting(book, ws, YEAR_ROW + 1)
    row = _benefit_lines(book, ws, row + 1)
    row = _cost_lines(book, ws, row + 1)
    row = _totals(book, ws, row + 1)
    _by_agency(book, ws, row + 1)


# -- discounting ------------------------------------------------------------------------------------


def yearly_rate(book: Book, t: int, health: bool = False) -> str:
    """The discount rate that applies in year t (t >= 1), standard or health, as a formula.

    green_book: the scenario's rate (health: the health rate) for years 1..30, then the table's bands;
    a health line's bands are scaled by the health rate / the table's standard rate.
    """
    own = "health_discount_rate" if health else "discount_rate"
    index = f"{year_col(t)}${YEAR_INDEX_ROW}"
    expr = book.inp.green_book_after
    if health:
        expr = f"{expr}*health_discount_rate/green_book_standard"
    for i, (last, rate) in reversed(list(enumerate(book.inp.green_book))):
        if i == 0:
            rate = own  # years 1..30: the scenario's own rate
        elif health:
            rate = f"{rate}*health_discount_rate/green_book_standard"
        expr = f"IF({index}<={last},{rate},{expr})"
    return f'=IF(discount_schedule="green_book",{expr},{own})'


def discount_factor(t: int, rate_row: int, factor_row: int, health: bool = False) -> str:
    """constant: (1 + r)^-t; green_book: the product of 1 / (1 + r_s) for s = 1..t. Year 0 is not discounted."""
    if t == 0:
        return "=1"
    own = "health_discount_rate" if health else "discount_rate"
    return (
        f'=IF(discount_schedule="green_book",{year_col(t - 1)}{factor_row}/(1+{year_col(t)}{rate_row}),'
        f"(1+{own})^(-{year_col(t)}${YEAR_INDEX_ROW}))"
    )


def _discounting(book: Book, ws: Worksheet, row: int) -> int:
    f = book.flow
    f.rate, f.discount, f.health_rate, f.health_discount = row, row + 1, row + 2, row + 3
    book.year_row(
        ws,
        f.rate,
        "Discount rate that applies in the year",
        lambda t: yearly_rate(book, t) if t else "=0",
        RATE,
        total=False,
        pv=False,
    )
    book.year_row(
        ws,
        f.discount,
        "Discount factor",
        lambda t: discount_factor(t, f.rate, f.discount),
        FACTOR,
        total=False,
        pv=False,
    )
    ws.cell(row=f.discount, column=LABEL_COL).font = BOLD
    book.year_row(
        ws,
        f.health_rate,
        "Health discount rate that applies in the year (lines marked health)",
        lambda t: yearly_rate(book, t, health=True) if t else "=0",
        RATE,
        total=False,
        pv=False,
    )
    book.year_row(
        ws,
        f.health_discount,
        "Health discount factor",
        lambda t: discount_factor(t, f.health_rate, f.health_discount, health=True),
        FACTOR,
        total=False,
        pv=False,
    )
    return row + 4


# -- lines ---------------------------------------------------------------------------------------------


def _benefit_lines(book: Book, ws: Worksheet, row: int) -> int:
    section(
        ws,
        row,
        "Benefit lines: benefit units of the outcome x value per outcome (present value with the line's own factors)",
        FIRST_YEAR_COL - 1,
    )
    row += 1
    standard = book.discount_span()
    health = f"Flows!{book.year_span(book.flow.health_discount, absolute_row=True)}"
    for (o, _, _), input_row in zip(book.benefits, book.inp.benefit_rows):
        units = book.out_rows[o.id].units
        value = ref("Inputs", col(BEN_COLUMNS["value"]), input_row)
        discount = ref("Inputs", col(BEN_COLUMNS["discount"]), input_row)
        span = book.year_span(row)
        pv = f'=IF({discount}="health",SUMPRODUCT({span},{health}),SUMPRODUCT({span},{standard}))'
        book.year_row(ws, row, o.label, times(f"${units}", value, "Outcomes!"), pv=pv)
        put_formula(ws, row, DETAIL_COL, "=" + ref("Inputs", col(BEN_COLUMNS["agency"]), input_row))
        put_formula(ws, row, TYPE_COL, "=" + ref("Inputs", col(BEN_COLUMNS["type"]), input_row))
        book.flow.benefit_lines.append(row)
        row += 1
    if not book.benefits:
        put_text(ws, row, LABEL_COL, "(no benefit lines)")
        row += 1
    return row


def _cost_lines(book: Book, ws: Worksheet, row: int) -> int:
    section(
        ws,
        row,
        "Cost lines: (setup in year 0 + per year with intake + per participant + profile) x uplift",
        FIRST_YEAR_COL - 1,
    )
    row += 1
    intake, people = book.intake_row, book.participants_row
    for (_, _, c), input_row in zip(book.costs, book.inp.cost_rows):
        setup, per_year, per_person, uplift = (
            ref("Inputs", col(COST_COLUMNS[name]), input_row)
            for name in ("setup", "per_year", "per_participant", "uplift")
        )

        def cost(t: int, setup=setup, per_year=per_year, per_person=per_person, uplift=uplift, r=input_row) -> str:
            y = year_col(t)
            start = f"{setup}+" if t == 0 else ""
            profile = ref("Inputs", profile_col(t), r)
            return (
                f"=({start}IF(Outcomes!{y}${intake}>0,{per_year},0)+{per_person}*Outcomes!{y}${people}+{profile})"
                f"*{uplift}"
            )

        book.year_row(ws, row, c.item, cost)
        put_formula(ws, row, DETAIL_COL, "=" + ref("Inputs", col(COST_COLUMNS["payer"]), input_row))
        book.flow.cost_lines.append(row)
        row += 1
    if not book.costs:
        put_text(ws, row, LABEL_COL, "(no cost lines)")
        row += 1
    return row


# -- sums over lines -----------------------------------------------------------------------------------


def _benefit_filters(
    book: Book,
    *,
    type_: str | None = None,
    cashable: bool = False,
    agency: str | None = None,
    transfer: bool = False,
    health: bool | None = None,
) -> list[str]:
    first, last = book.inp.benefit_rows[0], book.inp.benefit_rows[-1]

    def inputs_range(name: str) -> str:
        c = col(BEN_COLUMNS[name])
        return f"Inputs!${c}${first}:${c}${last}"

    terms = []
    if agency is not None:
        # EXACT, not "=" or SUMIF: ids are case-sensitive and may contain *, ?, < or =.
        terms.append(f"EXACT({inputs_range('agency')},{agency})")
    if type_ is not None:
        terms.append(f'({inputs_range("type")}="{type_}")')
    if transfer:
        terms.append(f"({inputs_range('transfer')}=TRUE())")
    if health is not None:
        terms.append(f'({inputs_range("discount")}{"=" if health else "<>"}"health")')
    if cashable:
        terms.append(inputs_range("cashable"))
    return terms


def benefit_sum(book: Book, t: int, **filters) -> str:
    """SUMPRODUCT over the benefit lines of year t, filtered by type, agency, transfer, discount (no '=')."""
    if not book.benefits:
        return "0"
    y = year_col(t)
    lines = f"{y}{book.flow.benefit_lines[0]}:{y}{book.flow.benefit_lines[-1]}"
    return "SUMPRODUCT(" + "*".join(_benefit_filters(book, **filters) + [lines]) + ")"


def benefit_pv(book: Book, **filters) -> str:
    """The sum of the filtered lines' present values (each with its own discount factors)."""
    if not book.benefits:
        return "=0"
    lines = f"Flows!${col(PV_COL)}${book.flow.benefit_lines[0]}:${col(PV_COL)}${book.flow.benefit_lines[-1]}"
    return "=SUMPRODUCT(" + "*".join(_benefit_filters(book, **filters) + [lines]) + ")"


def cost_sum(book: Book, t: int, payer: str) -> str:
    if not book.costs:
        return "=0"
    first, last = book.inp.cost_rows[0], book.inp.cost_rows[-1]
    c = col(COST_COLUMNS["payer"])
    y = year_col(t)
    lines = f"{y}{book.flow.cost_lines[0]}:{y}{book.flow.cost_lines[-1]}"
    return f"=SUMPRODUCT(EXACT(Inputs!${c}${first}:${c}${last},{payer})*{lines})"


# -- totals and by agency ----------------------------------------------------------------------------------


def _totals(book: Book, ws: Worksheet, row: int) -> int:
    section(ws, row, "Totals", FIRST_YEAR_COL - 1)
    row += 1
    rows = book.flow.totals
    d, hd = book.flow.discount, book.flow.health_discount

    def total_costs(t: int) -> str:
        if not book.costs:
            return "=0"
        y = year_col(t)
        return f"=SUM({y}{book.flow.cost_lines[0]}:{y}{book.flow.cost_lines[-1]})"

    def lines(**filters):
        return lambda t: "=" + benefit_sum(book, t, **filters), benefit_pv(book, **filters)

    def discounted_fiscal(t: int) -> str:
        y = year_col(t)
        standard = benefit_sum(book, t, type_="fiscal", health=False)
        health = benefit_sum(book, t, type_="fiscal", health=True)
        return f"={y}${d}*{standard}+{y}${hd}*{health}"

    specs = [
        ("costs", "Costs (all cost lines)", total_costs, None),
        ("fiscal", "Fiscal benefits", *lines(type_="fiscal")),
        ("cashable", "  of which cashable", *lines(type_="fiscal", cashable=True)),
        (
            "non_cashable",
            "  of which non-cashable",
            lambda t: f"={year_col(t)}{rows['fiscal']}-{year_col(t)}{rows['cashable']}",
            lambda: f"=E{rows['fiscal']}-E{rows['cashable']}",
        ),
        (
            "transfers",
            "  of which transfers (fiscal savings that are no value to society)",
            *lines(type_="fiscal", transfer=True),
        ),
        ("economic", "Economic benefits", *lines(type_="economic")),
        ("social", "Social benefits", *lines(type_="social")),
        (
            "net_fiscal",
            "Net fiscal (fiscal - costs)",
            lambda t: f"={year_col(t)}{rows['fiscal']}-{year_col(t)}{rows['costs']}",
            False,
        ),
        ("discounted_fiscal", "Discounted fiscal benefits (each line with its own factor)", discounted_fiscal, False),
        (
            "discounted_net_fiscal",
            "Discounted net fiscal (discounted fiscal - costs x discount factor)",
            lambda t: f"={year_col(t)}{rows['discounted_fiscal']}-{year_col(t)}{rows['costs']}*{year_col(t)}${d}",
            False,
        ),
    ]
    for key, label, formula, pv in specs:
        rows[key] = row
        book.year_row(ws, row, label, formula, pv=pv() if callable(pv) else pv)
        row += 1
    rows["cumulative"] = book.cumulative_row(ws, row, "Cumulative discounted net fiscal", rows["discounted_net_fiscal"])
    row += 1
    # Payback: the first year whose cumulative discounted net fiscal reaches 0; MIN of this row.
    cumulative = rows["cumulative"]
    book.flow.payback_marker = book.year_row(
        ws,
        row,
        "Year index if the cumulative has reached 0 (payback = the first)",
        lambda t: f'=IF({year_col(t)}{cumulative}>=0,{year_col(t)}${YEAR_INDEX_ROW},"")',
        WHOLE,
        total=False,
        pv=False,
    )
    return row + 1


def _by_agency(book: Book, ws: Worksheet, row: int) -> int:
    agencies = book.sc.agencies
    section(ws, row, "Costs each party pays itself (cost lines naming it as payer)", FIRST_YEAR_COL - 1)
    row += 1
    for a, id_ref in zip(agencies, book.inp.agency_id):
        book.year_row(ws, row, a.name, _cost_sums(book, id_ref))
        put_formula(ws, row, DETAIL_COL, "=" + id_ref)
        book.flow.own_costs.append(row)
        row += 1
    book.flow.delivery = book.year_row(
        ws, row, "Delivery costs (payer: provider)", lambda t: cost_sum(book, t, f'"{PROVIDER}"')
    )
    put_text(ws, row, DETAIL_COL, PROVIDER)
    row += 1
    # An agency may be called "investor" where there is no bond; its lines are its own, not a bond's.
    named = INVESTOR in book.sc.agency_ids
    book.flow.investor_costs = book.year_row(
        ws,
        row,
        "The bond's own costs (payer: investor)",
        lambda t: "=0" if named else cost_sum(book, t, f'"{INVESTOR}"'),
    )
    put_text(ws, row, DETAIL_COL, INVESTOR)
    row += 1
    measures = (
        ("fiscal", "Fiscal benefit each agency receives", dict(type_="fiscal")),
        ("cashable", "Cashable fiscal benefit each agency receives", dict(type_="fiscal", cashable=True)),
        (
            "transfers",
            "Transfers each agency receives (part of its fiscal benefit)",
            dict(type_="fiscal", transfer=True),
        ),
        ("economic", "Economic benefit by agency", dict(type_="economic")),
        ("social", "Social benefit by agency", dict(type_="social")),
    )
    for key, title, filters in measures:
        section(ws, row, title, FIRST_YEAR_COL - 1)
        row += 1
        book.flow.by_agency[key] = []
        for a, id_ref in zip(agencies, book.inp.agency_id):
            book.year_row(
                ws,
                row,
                a.name,
                _benefit_sums(book, agency=id_ref, **filters),
                pv=benefit_pv(book, agency=id_ref, **filters),
            )
            put_formula(ws, row, DETAIL_COL, "=" + id_ref)
            book.flow.by_agency[key].append(row)
            row += 1
    return row


def _cost_sums(book: Book, payer: str) -> Callable[[int], str]:
    """Each year's formula for the cost lines `payer` pays (one function per payer, bound when made)."""
    return lambda t: cost_sum(book, t, payer)


def _benefit_sums(book: Book, **filters) -> Callable[[int], str]:
    """Each year's formula for the benefit lines that pass `filters` (bound when made)."""
    return lambda t: "=" + benefit_sum(book, t, **filters)
