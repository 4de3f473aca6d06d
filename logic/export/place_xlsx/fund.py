"""The Fund sheet: what is paid in and out of the pooled fund each year, its balance, the bridge and the
first year from which it pays its own way, every figure a formula of the Inputs and Agencies sheets.

DESIGN.md, "A place": outflow = the members' items the fund pays; savings paid in = (1 - savings_returned)
x the members' cashable savings banked savings_lag_years before; balance = last year's balance with
interest (bridge_rate when it was negative, balance_rate otherwise) + inflow - outflow.
"""

from __future__ import annotations

from ..xlsx.cells import (
    BOLD,
    LABEL_COL,
    TOTAL_COL,
    WHOLE,
    YEAR_INDEX_ROW,
    YEAR_ROW,
    col,
    put_formula,
    put_text,
    section,
    year_col,
)
from .book import KEY_COL, MEMBER_COL, SWITCH_NAMES, PlaceBook
from .inputs import MEMBER_SWITCH_COL

# The engine's tolerance: a year "pays its own way" when the balance falls by less than a millionth of a unit.
TOLERANCE = "0.000001"
PAYS_WORDS = {
    "own_costs": "The members' own cost lines",
    "funding": "What the members fund of delivery",
    "outcome_payments": "The members' share of outcome payments",
}


def write_fund(book: PlaceBook) -> None:
    ws = book.fund
    book.year_headers(ws, "The pooled fund by year (cash)")
    rows = book.rows.fund
    width = 5 + book.L
    row = 3
    section(ws, row, "Paid in", width)
    first, last = book.rows.contributions_span
    switches = f"Inputs!${col(MEMBER_SWITCH_COL)}${first}:${col(MEMBER_SWITCH_COL)}${last}"

    def members_sum(item: str):
        agency_rows = book.rows.agency[item]
        if not agency_rows:
            return lambda t: "0"
        top, bottom = min(agency_rows.values()), max(agency_rows.values())
        members = f"Agencies!${col(MEMBER_COL)}${top}:${col(MEMBER_COL)}${bottom}"
        return lambda t: f"SUMPRODUCT({members},Agencies!{year_col(t)}${top}:{year_col(t)}${bottom})"

    rows["contributions"] = book.year_row(
        ws,
        row + 1,
        "Contributions by the members",
        lambda t: f"=SUMPRODUCT({switches},Inputs!{year_col(t)}${first}:{year_col(t)}${last})",
        key="fund:contributions_by_year",
    )
    cashable = members_sum("cashable")
    rows["banked"] = book.year_row(
        ws,
        row + 2,
        "The members' cashable savings, as banked",
        lambda t: "=" + cashable(t),
        key="fund:members_cashable",
    )
    banked = rows["banked"]
    rows["savings_in"] = book.year_row(
        ws,
        row + 3,
        "Savings paid in: (1 - share kept) x savings banked lag years before",
        lambda t: (
            f"=IF({year_col(t)}${YEAR_INDEX_ROW}>=savings_lag_years,(1-savings_returned)*"
            f"INDEX({book.span(banked, absolute_row=True)},1,{year_col(t)}${YEAR_INDEX_ROW}+1-savings_lag_years),0)"
        ),
        key="fund:savings_in_by_year",
    )
    rows["inflow"] = book.year_row(
        ws,
        row + 4,
        "Paid in",
        lambda t: f"={year_col(t)}{rows['contributions']}+{year_col(t)}{rows['savings_in']}",
        key="fund:inflow_by_year",
    )
    ws.cell(row=rows["inflow"], column=LABEL_COL).font = BOLD
    row += 6
    section(ws, row, "Paid out: the members' items the fund pays (switched on in Inputs)", width)
    row += 1
    for item, switch in SWITCH_NAMES.items():
        summed = members_sum(item)
        rows[item] = book.year_row(
            ws, row, PAYS_WORDS[item], lambda t, s=switch, f=summed: f"={s}*{f(t)}", key=f"fund:pays:{item}"
        )
        row += 1
    parts = [rows[item] for item in SWITCH_NAMES]
    rows["outflow"] = book.year_row(
        ws,
        row,
        "Paid out",
        lambda t: "=" + "+".join(f"{year_col(t)}{r}" for r in parts),
        key="fund:outflow_by_year",
    )
    ws.cell(row=rows["outflow"], column=LABEL_COL).font = BOLD
    row += 2
    section(ws, row, "Balance", width)
    row += 1
    _balance(book, row)
    _key_figures(book, rows["pays_to_end"] + 2)


def _balance(book: PlaceBook, row: int) -> None:
    ws = book.fund
    rows = book.rows.fund
    start, interest, end, change, pays, to_end = range(row, row + 6)
    rows.update(start=start, interest=interest, balance=end, change=change, pays=pays, pays_to_end=to_end)
    book.year_row(
        ws,
        start,
        "Balance at the start of the year",
        lambda t: f"={year_col(t - 1)}{end}" if t else "=opening_balance",
        total=False,
    )
    book.year_row(
        ws,
        interest,
        "Interest (bridge rate if negative, balance rate if positive)",
        lambda t: f"=IF({year_col(t)}{start}<0,{year_col(t)}{start}*bridge_rate,{year_col(t)}{start}*balance_rate)",
        key="fund:interest",
    )
    book.year_row(
        ws,
        end,
        "Balance at the year end",
        lambda t: (
            f"={year_col(t)}{start}+{year_col(t)}{interest}+{year_col(t)}{rows['inflow']}-{year_col(t)}{rows['outflow']}"
        ),
        key="fund:balance_by_year",
        total=False,
    )
    ws.cell(row=end, column=LABEL_COL).font = BOLD
    book.year_row(
        ws,
        change,
        "Change in the balance without that year's contributions",
        lambda t: f"={year_col(t)}{end}-{year_col(t)}{start}-{year_col(t)}{rows['contributions']}",
        total=False,
    )
    book.year_row(
        ws,
        pays,
        "Pays its own way that year (1 = yes: savings cover the rest)",
        lambda t: f"=IF({year_col(t)}{change}>=-{TOLERANCE},1,0)",
        WHOLE,
        total=False,
    )
    last = book.L - 1
    book.year_row(
        ws,
        to_end,
        "... and in every year to the end (1 = yes)",
        lambda t: f"={year_col(t)}{pays}" if t == last else f"={year_col(t)}{pays}*{year_col(t + 1)}{to_end}",
        WHOLE,
        total=False,
    )


def _key_figures(book: PlaceBook, row: int) -> None:
    ws = book.fund
    rows, cells = book.rows.fund, book.rows.fund_cells
    balance = book.span(rows["balance"], absolute_row=True)
    to_end = f"SUM({book.span(rows['pays_to_end'], absolute_row=True)})"
    years = book.span(YEAR_ROW, absolute_row=True)
    section(ws, row, "Key figures", 4)
    row += 1
    figures = [
        (
            "bridge_needed",
            "Bridge needed (the most overdrawn at a year end)",
            f"=MAX(0,-MIN({balance}))",
            book.money,
            "fund:bridge_needed",
        ),
        ("lowest", "Lowest balance at a year end", f"=MIN({balance})", book.money, "fund:lowest_balance"),
        (
            "lowest_year",
            "Year of the lowest balance",
            f"=INDEX({years},1,MATCH(MIN({balance}),{balance},0))",
            WHOLE,
            "fund:lowest_balance_year",
        ),
        (
            "self_sustaining_year",
            "Pays its own way from (year index; none if never)",
            f'=IF({to_end}=0,"none",{book.L}-{to_end})',
            WHOLE,
            "fund:self_sustaining_year",
        ),
        (
            "self_sustaining_calendar_year",
            "Pays its own way from (year)",
            f'=IF({to_end}=0,"none",INDEX({years},1,{book.L + 1}-{to_end}))',
            WHOLE,
            "fund:self_sustaining_calendar_year",
        ),
        (
            "closing",
            "Balance at the end of the calendar",
            f"=${year_col(book.L - 1)}${rows['balance']}",
            book.money,
            "fund:closing_balance",
        ),
    ]
    for name, label, formula, number_format, key in figures:
        put_text(ws, row, LABEL_COL, label)
        put_text(ws, row, KEY_COL, key)
        put_formula(ws, row, TOTAL_COL, formula, number_format).font = BOLD
        cells[name] = f"Fund!${col(TOTAL_COL)}${row}"
        row += 1
