"""The board report's financial case: can the public sector afford the programme, under this contract?

What each budget pays and banks, in cash, year by year over every year a payment falls (outcome
payments owed after the horizon included), the public sector's total and position, what paying by
results costs over paying for delivery, and what is paid per outcome the case values. The figures are
`evaluate()["financial"]` and `["contract"]`, picked and worded by `logic.case_views`; this module
only lays them out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import case_views, charts
from ..evaluation import Evaluation
from ..presentation import money
from .report_blocks import chart_svg, esc, figure, html_table, number, priced, section

PAYS_FOR_OUTCOMES = ("payment_by_results", "social_impact_bond")


def cash_caption(ev: Evaluation, text: str) -> str:
    """Cash figures name their price base too: the base year's prices grown by the inflation assumed."""
    return f"<p class='price'>{esc(text)}: {esc(case_views.cash_note(ev))}.</p>"


def summary_table(ev: Evaluation) -> str:
    df = case_views.financial_case_table(ev)
    rows = [[r["Figure"], r["Value"], r["What it means"]] for _, r in df.iterrows()]
    return html_table(["Figure", "Value", "What it means"], rows, numeric=[1], css="lead")


def cash_table(ev: Evaluation) -> str:
    """Each budget's cash by year, one row a year (the years run down the page, budgets across).

    Years after the horizon are shaded: only outcome payments fall there. The last rows are the
    undiscounted cash total and the position (present value, real), as in the app's table.
    """
    cur = ev.scenario.settings.currency
    df = case_views.cash_by_budget_table(ev).set_index("Budget")
    last = ev.scenario.settings.start_year + ev.scenario.settings.horizon_years - 1
    budgets = list(df.index)
    rows, classes = [], []
    for col in df.columns:
        after = col.isdigit() and int(col) > last
        label = f"{col} (after the horizon)" if after else col
        if col == "Position (PV)":
            label = f"Position (PV, real, {case_views.price_base(ev)})"
        rows.append([label, *(money(float(df.at[b, col]), cur) for b in budgets)])
        classes.append("total" if col == "Total (cash)" else ("after" if after else ""))
    return html_table(["Year", *budgets], rows, numeric=range(1, len(budgets) + 1), css="cash", row_classes=classes)


def paid_per_outcome(ev: Evaluation) -> str:
    """Per priced outcome: price, outcomes counted and valued, what is paid per outcome the case values."""
    if ev.figures["contract"]["paid_per_valued_outcome"] is None:
        return ""
    cur = ev.scenario.settings.currency
    df = case_views.paid_per_outcome_table(ev)
    df = df[df["Price per outcome counted"] > 0]
    if df.empty:
        return ""
    cols = [c for c in df.columns if c != "id"]

    def cell(col: str, v: Any) -> str:
        if col == "Outcome":
            return str(v)
        if v is None or pd.isna(v):
            return "n/a"
        return number(float(v)) if col in ("Outcomes counted", "Outcomes the case values") else money(float(v), cur)

    rows = [[cell(c, r[c]) for c in cols] for _, r in df.iterrows()]
    notes = "".join(f"<li>{esc(n)}</li>" for n in case_views.paid_per_outcome_notes(ev))
    return (
        "<h3>Paid per outcome the case values</h3>"
        + priced(ev, "Totals paid and worth per outcome, undiscounted")
        + "<p class='small muted'>Prices are paid per outcome the contract counts; the case values fewer (after "
        "deadweight, attribution, displacement and optimism bias), so each valued outcome costs more than its "
        "price. Worth: the fiscal value of one valued outcome to public bodies over its duration.</p>"
        + html_table(cols, rows, numeric=range(1, len(cols)))
        + (f"<ul class='small'>{notes}</ul>" if notes else "")
    )


def payment_terms(ev: Evaluation) -> str:
    """Each outcome's price, when it is paid and its own cap: what the contract section's figures rest on."""
    sc = ev.scenario
    k, cur = sc.contract, sc.settings.currency
    if k.type not in ("payment_by_results", "social_impact_bond"):
        return "<p class='muted small'>This contract pays nothing for outcomes: prices, lags and caps are unused.</p>"
    rows = []
    for o in sc.outcomes:
        own = o.payment_lag_years is not None
        lag = o.payment_lag_years if own else k.payment_lag_years
        whose = "its own" if own else "the contract's"
        rows.append(
            [
                o.label,
                money(o.price, cur),
                f"{lag} ({whose})",
                "none" if o.payment_cap is None else money(o.payment_cap, cur),
            ]
        )
    base = esc(case_views.price_base(ev))
    if k.indexation == "inflation":
        index = f"in {base} and rising with inflation"
    else:
        index = f"fixed in cash, so worth less than {base} in later years"
    return f"<p class='price'>Prices are cash sums, {index}; caps are cash sums and do not rise.</p>" + html_table(
        ["Outcome", "Price per outcome", "Paid, years after intake", "Cap on this outcome"], rows, [1, 3]
    )


def after_horizon_note(ev: Evaluation) -> str:
    c, cur = ev.figures["contract"], ev.scenario.settings.currency
    if c["type"] not in PAYS_FOR_OUTCOMES:
        return ""
    last = ev.scenario.settings.start_year + ev.scenario.settings.horizon_years - 1
    beyond = c["payments_beyond_horizon"]
    if beyond <= 0:
        return (
            f"<p class='small muted'>Every outcome payment falls by {last}, the last year appraised: "
            "none is owed after the horizon.</p>"
        )
    return (
        f"<p class='note'>{esc(money(beyond, cur))} of outcome payments (cash) fall after {last}, the last year "
        "appraised. They are owed for outcomes achieved within it, so they count in every figure here, while the "
        "savings from the same outcomes are cut at the horizon: the budgets' positions are on the prudent side.</p>"
    )


def financial_section(ev: Evaluation, title: str) -> str:
    chart = charts.cash_by_budget(case_views.cash_by_budget_year(ev), case_views.public_sector_cash(ev))
    body = (
        f"<p class='lead'>{esc(case_views.afford_it(ev))}</p>"
        + "<p>The economic case asks whether the programme is worth it to society. This asks whether each budget "
        "can carry it under the chosen contract: the cash it banks from savings that can be released, less its own "
        "costs, what it funds and its share of the outcome payments, in each year's cash.</p>"
        + priced(ev, "Positions and the premium are present values")
        + summary_table(ev)
        + after_horizon_note(ev)
        + figure(chart_svg(chart, "chart-cash"))
        + "<h3>Each budget's cash, year by year</h3>"
        + cash_caption(ev, "Cash by year and in total, undiscounted")
        + cash_table(ev)
        + paid_per_outcome(ev)
    )
    return section("financial", title, body, css="break")
