"""The Contract sheet, second part: who funds delivery, each party's position, the investor's return,
and what paying by results costs over a fee for service.

Funding and positions are real; the investor's cash flows, multiple and peak capital are cash, with a
nominal and a real internal rate of return.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ...model import INVESTOR, PROVIDER
from .book import Book
from .cells import (
    BOLD,
    DETAIL_COL,
    FIRST_YEAR_COL,
    LABEL_COL,
    MONEY,
    NONE_TEXT,
    PV_COL,
    RATE,
    RATIO,
    TOTAL_COL,
    put_formula,
    put_text,
    section,
    times,
    year_col,
)


def write_parties(book: Book, row: int) -> None:
    ws = book.contract
    row = _funding(book, ws, row + 1)
    row = _positions(book, ws, row + 1)
    row = _investor(book, ws, row + 1)
    _compared(book, ws, row + 1)


def _within(book: Book, t: int, formula: str) -> str:
    """Costs and benefits stop at the horizon: after it a row of them is 0."""
    return formula if t < book.H else "=0"


def agency_funding_share(book: Book, i: int) -> str:
    """The share of funded delivery an agency pays: all of it under a plain grant (first agency only), its
    outcome-payer share under fee for service, that share of the fixed fee under a hybrid, else nothing."""
    share = book.inp.agency_share[i]
    grant = "1" if i == 0 else "0"
    return f'IF(contract_type="none",{grant},{share}*$D${book.con.fee_share_row})'


def _funding(book: Book, ws: Worksheet, row: int) -> int:
    k, X = book.con, book.X
    section(ws, row, "Who funds delivery (delivery costs x (1 + margin)), real", FIRST_YEAR_COL - 1)
    row += 1
    delivery = book.year_row(
        ws,
        row,
        "Delivery costs (cost lines paid by the provider)",
        lambda t: _within(book, t, f"=Flows!{year_col(t)}${book.flow.delivery}"),
        years=X,
    )
    put_text(ws, row + 1, LABEL_COL, "Margin applied (none under payment by results)")
    put_formula(ws, row + 1, TOTAL_COL, '=IF(contract_type="payment_by_results",0,provider_margin)', RATE)
    margin = f"$D${row + 1}"
    funded = book.year_row(
        ws,
        row + 2,
        "Delivery funded (delivery x (1 + margin))",
        lambda t: f"={year_col(t)}{delivery}*(1+{margin})",
        years=X,
    )
    k.fee_share_row = row + 3
    put_text(
        ws, row + 3, LABEL_COL, "Share the outcome payers fund as a fee (fee for service: all; hybrid: the fixed share)"
    )
    put_formula(ws, row + 3, TOTAL_COL, f'=IF(contract_type="fee_for_service",1,{k.pays}*fixed_share)', RATE)
    row += 4
    for i, a in enumerate(book.sc.agencies):
        share = agency_funding_share(book, i)
        book.year_row(ws, row, f"Funding from: {a.name}", times(str(funded), share), years=X)
        put_formula(ws, row, DETAIL_COL, "=" + book.inp.agency_id[i])
        k.funding.append(row)
        row += 1
    bond = 'IF(contract_type="social_impact_bond",1,0)'
    investor_costs = book.flow.investor_costs
    k.investor_funding = book.year_row(
        ws,
        row,
        "Funding from the investor (bond: the rest of delivery, and the bond's own cost lines)",
        lambda t: (
            f"={bond}*({year_col(t)}{funded}*(1-fixed_share)"
            + (f"+Flows!{year_col(t)}${investor_costs})" if t < book.H else ")")
        ),
        years=X,
    )
    put_text(ws, row, DETAIL_COL, INVESTOR)
    book.year_row(
        ws,
        row + 1,
        "Funded by the provider itself (payment by results: the rest of delivery)",
        lambda t: f'={year_col(t)}{funded}*IF(contract_type="payment_by_results",1-fixed_share,0)',
        years=X,
    )
    put_text(ws, row + 1, DETAIL_COL, PROVIDER)
    row += 2
    section(ws, row, "Outcome payments by payer (payments x share), cash", FIRST_YEAR_COL - 1)
    row += 1
    for i, a in enumerate(book.sc.agencies):
        share = book.inp.agency_share[i]
        book.year_row(
            ws,
            row,
            f"Pays for outcomes: {a.name}",
            times(f"${k.payments}", share),
            pv=False,
            years=X,
        )
        put_formula(ws, row, DETAIL_COL, "=" + book.inp.agency_id[i])
        k.paying.append(row)
        row += 1
    k.delivery = delivery
    return row


def _positions(book: Book, ws: Worksheet, row: int) -> int:
    k, X, H = book.con, book.X, book.H
    section(
        ws,
        row,
        "Each party's position, real: cash in - cash out (present value in column E; benefit lines with their own "
        "discount factors)",
        FIRST_YEAR_COL - 1,
    )
    row += 1
    real = k.payments_real
    for i, a in enumerate(book.sc.agencies):
        cash, own = book.flow.by_agency["cashable"][i], book.flow.own_costs[i]
        funding, share = k.funding[i], book.inp.agency_share[i]

        def position(t: int, cash=cash, own=own, funding=funding, share=share) -> str:
            y = year_col(t)
            benefits = f"Flows!{y}${cash}-Flows!{y}${own}-" if t < H else "-"
            return f"={benefits}{y}{funding}-{share}*{y}${real}"

        pv = f"=Flows!$E${cash}-Flows!$E${own}-$E${funding}-{share}*$E${real}"
        book.year_row(
            ws,
            row,
            f"{a.name}: cashable benefits - own costs - funding - its share of outcome payments",
            position,
            pv=pv,
            years=X,
        )
        put_formula(ws, row, DETAIL_COL, "=" + book.inp.agency_id[i])
        k.positions[a.id] = row
        row += 1
    delivery = k.delivery
    book.year_row(
        ws,
        row,
        "Provider: margin received (payment by results: payments + fee - delivery costs)",
        lambda t: (
            f'=IF(contract_type="payment_by_results",{year_col(t)}{real}+{year_col(t)}{delivery}*fixed_share'
            f"-{year_col(t)}{delivery},{year_col(t)}{delivery}*provider_margin)"
        ),
        years=X,
    )
    put_text(ws, row, DETAIL_COL, PROVIDER)
    k.positions[PROVIDER] = row
    row += 1
    k.investor_real_flow = book.year_row(
        ws,
        row,
        "Investor: outcome payments - funding (social impact bond)",
        lambda t: f"={year_col(t)}{real}-{year_col(t)}{k.investor_funding}",
        years=X,
    )
    put_text(ws, row, DETAIL_COL, INVESTOR)
    k.positions[INVESTOR] = row
    for r in k.positions.values():
        ws.cell(row=r, column=PV_COL).font = BOLD
    return row + 1


def _investor(book: Book, ws: Worksheet, row: int) -> int:
    k, X = book.con, book.X
    section(ws, row, "Investor (social impact bond): cash flows", FIRST_YEAR_COL - 1)
    k.investor_flow = book.year_row(
        ws,
        row + 1,
        "Cash flow: outcome payments (cash) - funding x cash index",
        lambda t: f"={year_col(t)}{k.payments}-{year_col(t)}{k.investor_funding}*{year_col(t)}${k.cash_index}",
        pv=False,
        years=X,
    )
    cumulative = book.cumulative_row(ws, row + 2, "Cumulative cash flow (undiscounted)", k.investor_flow, years=X)
    k.peak_capital, k.multiple = row + 3, row + 4
    put_text(ws, k.peak_capital, LABEL_COL, "Peak capital, cash (largest cumulative shortfall)")
    put_formula(ws, k.peak_capital, TOTAL_COL, f"=MAX(0,-MIN({book.year_span(cumulative, X)}))", MONEY)
    put_text(ws, k.multiple, LABEL_COL, "Multiple (outcome payments / funding, cash, undiscounted)")
    funding = f"SUMPRODUCT({book.year_span(k.investor_funding, X)},{book.year_span(k.cash_index, X, True)})"
    put_formula(ws, k.multiple, TOTAL_COL, f'=IF({funding}>0,D{k.payments}/{funding},"{NONE_TEXT}")', RATIO)
    k.irr = _irr(ws, row + 5, "nominal, of the cash flow", book.year_span(k.investor_flow, X))
    k.irr_real = _irr(ws, k.irr + 1, "real, of the investor's real flow above", book.year_span(k.investor_real_flow, X))
    return k.irr_real + 1


IRR_GUESSES = (-0.5, 0.0, 0.1)


def _irr(ws: Worksheet, row: int, what: str, flows: str) -> int:
    """The internal rate of return, written as the spreadsheet's IRR from a few starting guesses.

    Where the flows change sign more than once there is more than one rate; like the app, the sheet takes
    the one nearest 0%. A root at or below -100% is no rate of return, so it counts as not found.
    Returns the row of the answer.
    """
    cells = []
    for i, guess in enumerate(IRR_GUESSES):
        found = f"IRR({flows},{guess})"
        put_text(ws, row + i, LABEL_COL, f"    IRR found from a starting guess of {guess:.0%}")
        put_formula(ws, row + i, TOTAL_COL, f'=IFERROR(IF({found}>-1,{found},"{NONE_TEXT}"),"{NONE_TEXT}")', RATE)
        cells.append(f"D{row + i}")
    answer = row + len(cells)
    distance = "MIN(" + ",".join(f"IFERROR(ABS({c}),9)" for c in cells) + ")"
    choice = cells[-1]
    for c in reversed(cells[:-1]):
        choice = f"IF(IFERROR(ABS({c}),9)={distance},{c},{choice})"
    put_text(ws, answer, LABEL_COL, f"Internal rate of return, {what} (the rate nearest 0% of those found)")
    put_formula(ws, answer, TOTAL_COL, f'=IF({distance}>=9,"{NONE_TEXT}",{choice})', RATE)
    return answer


def _compared(book: Book, ws: Worksheet, row: int) -> int:
    k = book.con
    section(ws, row, "Paying by results compared (payment by results and bonds only)", FIRST_YEAR_COL - 1)
    row += 1
    k.premium = row
    put_text(
        ws,
        row,
        LABEL_COL,
        "Premium over a fee for service (PV real): payments + the fee - delivery x (1 + the stated margin); "
        "negative: it saves",
    )
    fees = "+".join(f"$E${r}" for r in k.funding) or "0"
    put_formula(
        ws,
        row,
        TOTAL_COL,
        f'=IF({k.pays}=1,$E${k.payments_real}+{fees}-$E${k.delivery}*(1+provider_margin),"{NONE_TEXT}")',
        MONEY,
    )
    row += 1
    for o in book.outcomes:
        valued = f"Outcomes!$D${book.out_rows[o.id].valued}"
        paid = book.year_span(k.outcome_paid[o.id], book.X)
        index = book.year_span(k.cash_index, book.X, absolute_row=True)
        put_text(ws, row, LABEL_COL, f"Paid per valued outcome (real, undiscounted): {o.label}")
        put_text(ws, row, DETAIL_COL, o.id)
        put_formula(
            ws,
            row,
            TOTAL_COL,
            f'=IF(AND({k.pays}=1,{valued}>0),SUMPRODUCT({paid}/{index})/{valued},"{NONE_TEXT}")',
            MONEY,
        )
        k.paid_per_valued[o.id] = row
        row += 1
    return row
