"""The Contract sheet, first part: the years past the horizon, prices in cash, and the outcome payments.

Its years run past the horizon by the longest payment lag: outcomes achieved within the horizon are
still paid for after it, and those payments count in every contract figure. Payments are cash (a rate
card is a cash sum, raised each year by the cash index under indexation); each outcome's running total
is capped at its own cap, then the running total of all outcomes at the contract's cap, a cut within a
year shared pro rata between outcomes.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...model import Node
from .book import Book
from .cells import (
    BOLD,
    COUNT,
    DETAIL_COL,
    FACTOR,
    FIRST_YEAR_COL,
    LABEL_COL,
    MONEY,
    RATE,
    TOTAL_COL,
    TYPE_COL,
    WHOLE,
    YEAR_INDEX_ROW,
    YEAR_ROW,
    put_formula,
    put_text,
    ref,
    section,
    year_col,
)
from .flows import discount_factor, yearly_rate
from .inputs import out_col


def write_years_and_payments(book: Book) -> int:
    """Writes the top of the Contract sheet; returns the next free row."""
    ws = book.contract
    book.year_headers(ws, "Outcomes contract", years=book.X)
    put_text(ws, YEAR_INDEX_ROW, DETAIL_COL, "Party", BOLD)
    put_text(ws, YEAR_INDEX_ROW, TYPE_COL, "Key (evaluate --json)", BOLD)
    ws.column_dimensions["C"].width = 30
    row = _years_and_prices(book, ws, YEAR_ROW + 2)
    return _payments(book, ws, row + 1)


def _years_and_prices(book: Book, ws: Worksheet, row: int) -> int:
    H, X, f, k = book.H, book.X, book.flow, book.con
    section(ws, row, "Discounting and prices over the contract's years (the schedule carried on past the horizon)", 5)
    k.rate, k.discount = row + 1, row + 2
    book.year_row(
        ws,
        k.rate,
        "Discount rate that applies in the year",
        lambda t: f"=Flows!{year_col(t)}${f.rate}" if t < H else yearly_rate(book, t),
        RATE,
        total=False,
        pv=False,
        years=X,
    )
    book.year_row(
        ws,
        k.discount,
        "Discount factor",
        lambda t: f"=Flows!{year_col(t)}${f.discount}" if t < H else discount_factor(t, k.rate, k.discount),
        FACTOR,
        total=False,
        pv=False,
        years=X,
    )
    k.cash_index = book.year_row(
        ws,
        row + 3,
        "Cash index I_t = (1 + inflation)^(start year + t - price base year): cash = real x I_t",
        lambda t: f"=(1+inflation)^(start_year+{year_col(t)}${YEAR_INDEX_ROW}-price_base_year)",
        FACTOR,
        total=False,
        pv=False,
        years=X,
    )
    for r in (k.discount, k.cash_index):
        ws.cell(row=r, column=LABEL_COL).font = BOLD
    return row + 4


def _payments(book: Book, ws: Worksheet, row: int) -> int:
    k = book.con
    section(
        ws,
        row,
        "Outcome payments, cash: 'by intake year' rows are INTAKE years, the others PAYMENT years",
        FIRST_YEAR_COL - 1,
    )
    row += 1
    put_text(ws, row, LABEL_COL, "Contract pays for outcomes (1 yes, 0 no: none and fee_for_service pay nothing)")
    put_formula(
        ws,
        row,
        TOTAL_COL,
        '=IF(OR(contract_type="payment_by_results",contract_type="social_impact_bond"),1,0)',
        WHOLE,
    )
    k.pays = f"$D${row}"
    row += 1
    blocks = []
    for o in book.outcomes:
        block = _outcome_payments(book, ws, row, o)
        blocks.append(block)
        row = block["end"] + 1

    def due_after_own_caps(t: int) -> str:
        if not blocks:
            return "=0"
        y = year_col(t)
        return "=" + "+".join(f"{y}{b['paid_own']}" for b in blocks)

    X = book.X
    section(ws, row, "All outcomes: the contract's cap", FIRST_YEAR_COL - 1)
    total = book.year_row(ws, row + 1, "Due after each outcome's own cap", due_after_own_caps, pv=False, years=X)
    cumulative = book.cumulative_row(ws, row + 2, "Cumulative", total, years=X)

    def paid(t: int) -> str:
        y = year_col(t)
        # The year that crosses the cap is paid in part: the difference of the capped running total.
        before = f"-MIN({year_col(t - 1)}{cumulative},outcome_cap)" if t else ""
        return f"=IF(ISNUMBER(outcome_cap),MIN({y}{cumulative},outcome_cap){before},{y}{total})"

    k.payments = book.year_row(ws, row + 3, "Outcome payments in the year, cash", paid, pv=False, years=X)
    ws.cell(row=k.payments, column=LABEL_COL).font = BOLD
    put_text(ws, k.payments, TYPE_COL, "contract:payments_by_year")
    kept = book.year_row(
        ws,
        row + 4,
        "Share kept after the contract's cap (each outcome's payment is cut pro rata)",
        lambda t: f"=IF({year_col(t)}{total}>0,{year_col(t)}{k.payments}/{year_col(t)}{total},0)",
        FACTOR,
        total=False,
        pv=False,
        years=X,
    )
    k.payments_real = book.year_row(
        ws,
        row + 5,
        "Outcome payments in the year, real (cash / cash index)",
        lambda t: f"={year_col(t)}{k.payments}/{year_col(t)}${k.cash_index}",
        years=X,
    )
    ws.cell(row=k.payments_real, column=LABEL_COL).font = BOLD
    row += 6
    k.beyond = row
    put_text(ws, row, LABEL_COL, "Payments falling after the horizon, cash (counted in every figure here)")
    after = f"=SUM({year_col(book.H)}{k.payments}:{year_col(X - 1)}{k.payments})" if X > book.H else "=0"
    put_formula(ws, row, TOTAL_COL, after, MONEY)
    k.cap_binds = row + 1
    put_text(ws, row + 1, LABEL_COL, "The contract's cap binds (due after the outcomes' caps exceeds it)")
    put_formula(ws, row + 1, TOTAL_COL, f"=IF(ISNUMBER(outcome_cap),D{total}>outcome_cap,FALSE())")
    for b in blocks:
        k.outcome_paid[b["id"]] = b["paid"]
        for t in range(X):
            y = year_col(t)
            put_formula(ws, b["paid"], FIRST_YEAR_COL + t, f"={y}{b['paid_own']}*{y}${kept}", MONEY)
        put_formula(ws, b["paid"], TOTAL_COL, f"=SUM({book.year_span(b['paid'], X)})", MONEY)
    row += 2
    put_text(ws, row, LABEL_COL, "Earned but due after this sheet's last year (a lag typed longer than it covers)")
    lost = "+".join(f"$D${b['lost']}" for b in blocks) or "0"
    put_formula(ws, row, TOTAL_COL, f"={lost}", MONEY)
    put_formula(
        ws,
        row + 1,
        LABEL_COL,
        f'=IF(D{row}>0,"Some payments fall after this sheet\'s years: export the workbook again from the app",'
        '"Every payment falls within this sheet\'s years")',
    )
    return row + 2


def _outcome_payments(book: Book, ws: Worksheet, row: int, o: Node) -> dict:
    """One outcome: counted and earned by intake year, then due, capped and paid by payment year (cash)."""
    r = book.inp.outcome_row[o.id]
    w, b = ref("Inputs", out_col("rate_with"), r), ref("Inputs", out_col("rate_without"), r)
    price = ref("Inputs", out_col("price"), r)
    own_lag = ref("Inputs", out_col("payment_lag_years"), r)
    cap = ref("Inputs", out_col("payment_cap"), r)
    g, p = book.out_rows[o.id].gross, book.participants_row
    H, X, k = book.H, book.X, book.con

    put_text(ws, row, LABEL_COL, o.label, BOLD)
    put_text(ws, row, DETAIL_COL, o.id, BOLD)
    # gross: everyone achieving it; above_baseline: only those above the comparison group (no
    # attribution or optimism bias: the contract measures against a comparison group).
    counted = book.year_row(
        ws,
        row + 1,
        "Counted, by intake year",
        lambda t: f'=IF(payment_basis="gross",Outcomes!{year_col(t)}${g},MAX(0,Outcomes!{year_col(t)}${p}*({w}-{b})))',
        COUNT,
        pv=False,
    )
    earned = book.year_row(
        ws,
        row + 2,
        "Earned (counted x price), by intake year, at the rate card's prices",
        lambda t: f"={year_col(t)}{counted}*{price}",
        pv=False,
    )
    lag = row + 3
    put_text(ws, lag, LABEL_COL, "Payment lag (its own, else the contract's)")
    put_formula(ws, lag, TOTAL_COL, f"=IF(ISNUMBER({own_lag}),{own_lag},payment_lag)", WHOLE)
    span = book.year_span(earned, absolute_row=True)
    lost = row + 9
    put_text(ws, lost, LABEL_COL, "Earned but due after this sheet's last year (at the rate card's prices)")
    intake_years = book.year_span(YEAR_INDEX_ROW, absolute_row=True)
    put_formula(ws, lost, TOTAL_COL, f"={k.pays}*SUMPRODUCT({span}*(({intake_years}+$D${lag})>={X}))", MONEY)

    def due(t: int) -> str:
        c = f"({year_col(t)}${YEAR_INDEX_ROW}-$D${lag})"  # the intake year paid for in year t
        index = f'IF(indexation="inflation",{year_col(t)}${k.cash_index},1)'
        return f"={k.pays}*IF(AND({c}>=0,{c}<{H}),INDEX({span},1,{c}+1),0)*{index}"

    due_row = book.year_row(
        ws, row + 4, "Due in the year, before caps (x cash index if indexed)", due, pv=False, years=X
    )
    cumulative = book.cumulative_row(ws, row + 5, "Cumulative due", due_row, years=X)

    def paid_own(t: int) -> str:
        y = year_col(t)
        before = f"-MIN({year_col(t - 1)}{cumulative},{cap})" if t else ""
        return f"=IF(ISNUMBER({cap}),MIN({y}{cumulative},{cap}){before},{y}{due_row})"

    own = book.year_row(ws, row + 6, "After its own cap", paid_own, pv=False, years=X)
    binds = row + 7
    put_text(ws, binds, LABEL_COL, "Its own cap binds")
    put_formula(ws, binds, TOTAL_COL, f"=IF(ISNUMBER({cap}),D{due_row}>{cap},FALSE())")
    book.con.outcome_cap_binds[o.id] = binds
    paid = row + 8  # filled once the contract's cap is known
    put_text(ws, paid, LABEL_COL, "Paid for it, cash (after the contract's cap)")
    put_text(ws, paid, DETAIL_COL, o.id)
    put_text(ws, paid, TYPE_COL, f"contract:payments_by_outcome:{o.id}")
    return {"id": o.id, "lag": lag, "paid_own": own, "paid": paid, "lost": lost, "end": lost}
