"""Words around figures: what each means, the two questions' answers in sentences, and the command line's tables.

Shared by the app, the CLI and the reports. How a figure is written (money in the scenario's currency,
rates, ratios, payback) is `logic.presentation`'s; its names are re-exported here for older callers.
"""

from __future__ import annotations

import re

from .presentation import (
    amount,
    compact_money,
    format_figure,
    format_metric,
    irr_text,
    money,
    nothing_yet,
    payback,
    payback_of,
    ratio,
)

__all__ = [
    "ECONOMIC_CASE",
    "EXPLANATIONS",
    "FINANCIAL_CASE",
    "PREMIUM_NONE",
    "WHAT_COUNTS",
    "compact_money",
    "economic_verdict",
    "financial_verdict",
    "format_figure",
    "format_metric",
    "headline_table",
    "irr_text",
    "metric_label",
    "money",
    "nothing_yet",
    "paid_per_outcome_reason",
    "payback",
    "payback_of",
    "plain_problem",
    "ratio",
    "simulation_table",
]

# What each headline figure means, in words a commissioner would use.
EXPLANATIONS: dict[str, tuple[str, str]] = {
    "npv_fiscal": (
        "Net budget impact (NPV, fiscal)",
        "Public money saved minus money spent, as a present value (real terms, discounted to the first year). "
        "Above zero, the programme pays for itself across the public sector over the appraisal period, before "
        "any outcomes contract decides who pays for what.",
    ),
    "npv_cashable": (
        "Cashable NPV",
        "As above, but counting only savings that can be taken out of budgets as cash (fewer placements bought, "
        "not just freed-up staff time).",
    ),
    "npv_public_value": (
        "Public value NPV",
        "All benefits - fiscal, economic and social (wellbeing) - minus costs, as a present value. Transfers are "
        "left out: money moving from one pocket to another is not value created. The wider case for the "
        "programme to society.",
    ),
    "bcr_fiscal": (
        "Fiscal benefit-cost ratio",
        "Public money saved for each 1 spent: 1.5 means every 1 spent saves 1.50.",
    ),
    "bcr_public_value": (
        "Public value benefit-cost ratio",
        "Total value (fiscal, economic and social, transfers left out) for each 1 spent.",
    ),
    "payback_year": (
        "Payback year",
        "The first year in which the discounted savings to date have caught up with the discounted spending "
        "to date. 'Not within the horizon' means they never do in the years appraised.",
    ),
    "pv_costs": (
        "Present value of costs",
        "Everything the programme costs, as a present value, raised by optimism bias where the cost evidence is weak.",
    ),
    "pv_fiscal": (
        "Present value of fiscal benefits",
        "Savings to public budgets (cashable and not), as a present value, after deadweight, attribution, "
        "displacement and optimism bias.",
    ),
    "pv_transfers": (
        "Present value of transfers",
        "The part of fiscal savings that is money moving between people and the state (a welfare benefit no "
        "longer paid, say): a real saving to the budget that paid it, but not value created, so left out of "
        "public value.",
    ),
    "pv_cashable": ("Present value of cashable savings", "The part of fiscal savings that can be released as cash."),
    "pv_economic": ("Present value of economic benefits", "Gains to the economy, such as higher earnings."),
    "pv_social": ("Present value of social benefits", "Wellbeing and other social value, monetised."),
}


# A format-2 business case answers two questions (DESIGN.md "Format 2"). Is it worth it? The economic
# case: value to society, real terms, transfers left out. Can we afford it, under this contract? The
# financial case: what each budget pays and banks, in cash, year by year.
ECONOMIC_CASE: dict[str, tuple[str, str]] = {
    "pv_fiscal_counted": (
        "Savings to public budgets (not transfers)",
        "Costs the public sector no longer bears because the outcomes happen (fewer care placements, arrests, "
        "hospital stays), transfers excepted.",
    ),
    "pv_economic": ("Gains to the economy", "Higher earnings and output, for instance from people back in work."),
    "pv_social": ("Social value", "Wellbeing and other gains to people's lives, given a value in money."),
    "pv_benefits_counted": (
        "Value counted",
        "The three lines above added up: what the programme is worth to society.",
    ),
    "pv_costs": (
        "Costs",
        "Everything the programme costs whoever pays (public bodies, the provider, investors), raised by optimism "
        "bias where the cost evidence is weak.",
    ),
    "npv_public_value": (
        "Net present value to society",
        "Value counted minus costs. Above zero, the programme creates more value than it uses up.",
    ),
    "bcr_public_value": ("Benefit-cost ratio", "Value counted for each 1 of cost."),
    "pv_transfers": (
        "Transfers (shown, not counted)",
        "Money moving between people and the state, such as a welfare benefit no longer paid: a saving to the "
        "budget that paid it (so it is in the financial case), but not value created, so left out here.",
    ),
}

FINANCIAL_CASE: dict[str, tuple[str, str]] = {
    "public_sector_position": (
        "Public sector's position under the contract",
        "What the public bodies together bank minus what they pay under this contract: their cashable savings, "
        "less their own costs, what they fund and the outcome payments they make. A present value in real terms; "
        "below zero, the contract costs them more than the cash it releases.",
    ),
    "public_sector_total_cash": (
        "Public sector's net cash, all years",
        "The same money as it leaves and enters budgets: each year's cash at that year's prices, added up "
        "without discounting, over every year a payment falls.",
    ),
    "premium_over_fee_for_service": (
        "Premium paid for the risk transfer",
        "What paying by results costs the outcome payers over simply paying for delivery (its costs plus the "
        "provider's margin), as a present value: the price of moving the risk that the programme falls short onto "
        "the provider or investors. Below zero, paying by results is the cheaper route at the planned performance.",
    ),
    "outcome_payments_total": (
        "Outcome payments, all years",
        "Everything paid for outcomes, in cash, including payments that fall after the last year appraised.",
    ),
    "payments_beyond_horizon": (
        "of which paid after the horizon",
        "Payments owed for outcomes achieved within the appraisal period but paid after it (the payment lag). "
        "They count in every contract figure.",
    ),
}

PREMIUM_NONE = "n/a: nothing is paid for results under this contract"

WHAT_COUNTS = (
    "**Counted:** savings to public budgets, gains to the economy and social value, each after deadweight, "
    "attribution, displacement and optimism bias, less every cost. **Not counted:** transfers (money moving "
    "between people and the state), and outcome payments, which move money between the commissioners and "
    "whoever delivers or invests: they belong to the financial case."
)


def economic_verdict(npv: float | None, bcr: float | None, currency: str = "GBP") -> str:
    """'Is it worth it?' answered in a sentence from the public value NPV and ratio."""
    if npv is None:
        return "Not yet known: the programme has no costs or no values yet."
    per_pound = "" if bcr is None else f" ({amount(bcr, currency)} of value for each {amount(1, currency)} spent)"
    if npv >= 0:
        return f"Yes: it creates {money(npv, currency)} more value to society than it costs{per_pound}."
    return f"Not on these figures: it costs {money(-npv, currency)} more than the value it creates{per_pound}."


def financial_verdict(
    position: float, total_cash: float, premium: float | None, contract: str, risk_taker: str, currency: str = "GBP"
) -> str:
    """'Can we afford it, under this contract?' answered in a sentence or two."""
    if position >= 0:
        text = (
            f"Under the {contract}, the public sector as a whole banks {money(position, currency)} more in cash "
            f"savings than it pays (present value; {money(total_cash, currency, signed=True)} in cash over all years)."
        )
    else:
        text = (
            f"Under the {contract}, the public sector as a whole pays {money(-position, currency)} more than the cash "
            f"it saves (present value; {money(total_cash, currency, signed=True)} in cash over all years): "
            "a budget has to be found for that."
        )
    if premium is not None and premium >= 0:
        text += (
            f" Paying by results costs {money(premium, currency)} more than paying for delivery: the premium for "
            f"moving the risk of failure onto {risk_taker}."
        )
    elif premium is not None:
        text += f" Paying by results costs {money(-premium, currency)} less than paying for delivery would."
    return text


def paid_per_outcome_reason(
    label: str,
    price: float,
    paid: float | None,
    *,
    basis: str,
    deadweight_share: float,
    attribution: float,
    displacement: float,
    optimism_bias: float,
    grade: int,
    cap_cuts: bool,
    fixed_cash_prices: bool,
    currency: str = "GBP",
) -> str:
    """Why the contract pays more (or less) per outcome the case values than its price per outcome counted."""
    if paid is None:
        return (
            f"{label}: the case values none of these outcomes (the programme adds none), so whatever the contract "
            "pays for them buys nothing the case counts."
        )
    counted = (
        f"the contract counts every outcome achieved, including the {deadweight_share:.0%} that would have "
        "happened anyway"
        if basis == "gross"
        else "the contract counts every outcome above the comparison group"
    )
    case = []
    if attribution < 1:
        case.append(f"credits the programme with {attribution:.0%} of them (attribution)")
    if displacement > 0:
        case.append(f"takes off the {displacement:.0%} that only move elsewhere (displacement)")
    if optimism_bias > 0:
        case.append(f"trims the rest by {optimism_bias:.0%} for optimism bias (evidence grade {grade})")
    reasons = counted + (", while the case " + _and(case) if case else ", as the case does")
    if cap_cuts:
        reasons += "; the cap cuts what is paid"
    if fixed_cash_prices:
        reasons += "; and prices fixed in cash lose a little of their real value as prices rise"
    return (
        f"{label}: {money(price, currency)} per outcome counted is {money(paid, currency)} per outcome the case "
        f"values, because {reasons}."
    )


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def headline_table(result: dict, currency: str = "GBP") -> str:
    """A readable table for the terminal."""
    start = result["by_year"][0]["year"] if result.get("by_year") else None
    rows = [
        (
            EXPLANATIONS[k][0],
            payback_of(result, start) if k == "payback_year" else format_figure(k, result[k], start, currency),
        )
        for k in EXPLANATIONS
    ]
    width = max(len(r[0]) for r in rows)
    lines = [result.get("name", ""), ""]
    lines += [f"{label.ljust(width)}  {value:>18}" for label, value in rows]
    lines += ["", "By agency (present values)"]
    for agency, figs in result["by_agency"].items():
        costs, fiscal, cash = (money(figs[k], currency) for k in ("pv_costs", "pv_fiscal", "pv_cashable"))
        lines.append(f"  {agency:<20} pays {costs:>14}   receives fiscal {fiscal:>14}   cashable {cash:>14}")
    c = result.get("contract")
    if c and c["type"] != "none":
        lines += ["", f"Contract: {c['type'].replace('_', ' ')} ({c['payment_basis'].replace('_', ' ')})"]
        paid, pv = money(c["outcome_payments_total"], currency), money(c["pv_outcome_payments"], currency)
        lines.append(f"  outcome payments {paid} (PV {pv})")
        for party, value in c["parties"].items():
            lines.append(f"  {party:<20} position {money(value, currency):>14}")
    return "\n".join(lines)


METRIC_LABELS = {
    "npv_fiscal": "NPV (fiscal)",
    "npv_public_value": "NPV (public value)",
    "bcr_fiscal": "Benefit-cost ratio (fiscal)",
    "investor_irr": "Investor IRR",
}


def metric_label(name: str, names: dict[str, str] | None = None) -> str:
    if name.startswith("party:"):
        party = name.removeprefix("party:")
        return f"Position: {(names or {}).get(party, party)}"
    return METRIC_LABELS.get(name, name)


def simulation_table(summary: dict, currency: str = "GBP") -> str:
    """The Monte Carlo summary as text; `central` (the figure at the central inputs) first, where given."""
    lines = [f"{summary['draws']} draws, seed {summary['seed']}", ""]
    keys: tuple[str, ...] = ("mean", "p5", "p50", "p95")
    titles: tuple[str, ...] = ("mean", "5%", "median", "95%")
    if any("central" in m for m in summary["metrics"].values()):
        keys, titles = ("central", *keys), ("central", *titles)
    lines.append(f"{'':34} " + " ".join(f"{t:>14}" for t in titles) + f" {'P(<0)':>7}")
    for name, m in summary["metrics"].items():
        cells = [format_metric(name, m.get(k), currency) for k in keys]
        p = "n/a" if m["p_below_zero"] is None else f"{m['p_below_zero']:.1%}"
        lines.append(f"{metric_label(name):34} " + " ".join(f"{c:>14}" for c in cells) + f" {p:>7}")
    return "\n".join(lines)


_NODE_AT = re.compile(r"^nodes\[(\d+)\] ([^:\s]+)")
_LINE_AT = re.compile(r" (costs|benefits)\[(\d+)\]")
_EDGE_AT = re.compile(r"^edges\[(\d+)\]")


def plain_problem(line: str, labels: dict[str, str]) -> str:
    """A validation line in a workshop's words: the box's label instead of its list position.

    "nodes[11] out-x costs[0]: ..." -> "'Stays home' (out-x), cost line 1: ...". The command line
    keeps the positions (a file's author wants them); the app speaks to people looking at tables.
    """
    m = _NODE_AT.match(line)
    if m:
        node_id = m.group(2)
        name = f"'{labels[node_id]}' ({node_id})" if node_id in labels else f"'{node_id}'"
        line = name + line[m.end() :]
    kind = {"costs": "cost", "benefits": "benefit"}
    line = _LINE_AT.sub(lambda k: f", {kind[k.group(1)]} line {int(k.group(2)) + 1}", line)
    return _EDGE_AT.sub(lambda k: f"link {int(k.group(1)) + 1}", line)
