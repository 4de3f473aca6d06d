"""The board-paper report: one self-contained HTML file (no script, no network, prints on A4).

Everything shown is computed by `evaluate`, `logic.views` and `logic.case_views`, and written by
`logic.presentation` (money in the scenario's currency), exactly as the app shows it; this module
only lays it out. Every piece of user text goes through `esc`, and the charts are SVG drawn by
vl-convert with network access refused, so the file opens anywhere, offline, and a hostile label
cannot run or fetch anything. Every money figure names its price base: real terms in the price base
year for the economic case, cash for the financial case (see `report_financial`).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from .. import case_views, charts, views
from ..evaluation import Evaluation, evaluate
from ..model import CostLine, Node, Scenario
from ..presentation import money, money_in
from ..report_text import WHAT_COUNTS
from ..snapshots import snapshot_sha256
from ..toc import graph_warnings
from .report_blocks import (
    BASIS_NAMES,
    CSS,
    SOURCE_LINE,
    TYPE_NAMES,
    chart_svg,
    esc,
    facts,
    figure,
    frame_table,
    html_table,
    marked_up,
    number,
    paragraphs,
    pct,
    priced,
    reflowed,
    remote_references,
    section,
)
from .report_financial import financial_section, payment_terms
from .toc_svg import toc_svg

__all__ = ["remote_references", "report_html", "write_report"]

KIND_WORDS = {
    "public": "Public body (in the public sector's totals)",
    "donor": "Donor (pays, but not a public budget)",
    "people": "The people themselves (their gains; not a budget)",
}


# --- sections ----------------------------------------------------------------------------


def cover(ev: Evaluation, generated: datetime.datetime, source: str | None) -> str:
    sc = ev.scenario
    s = sc.settings
    end_year = s.start_year + s.horizon_years - 1
    schedule = "constant" if s.discount_schedule == "constant" else "HM Treasury Green Book declining schedule"
    items = [
        ("Generated", generated.strftime("%d %B %Y, %H:%M")),
        ("Price base", f"{case_views.price_base(ev)}: every amount is in real terms, in the prices of that year"),
        ("Cash figures", f"{case_views.cash_note(ev)} (the financial case only)"),
        ("Currency", s.currency),
        ("Discount rate", f"{pct(s.discount_rate, 2)} a year, real ({schedule})"),
        ("Appraisal period", f"{s.horizon_years} years, {s.start_year} to {end_year}"),
        ("Contract", TYPE_NAMES[sc.contract.type]),
    ]
    if source:
        items.append(("Snapshot file", source))
    return (
        "<header>"
        "<p class='kicker'>Theory of change and business case</p>"
        f"<h1>{esc(sc.name)}</h1>"
        f"<div class='description'>{paragraphs(sc.description)}</div>"
        f"{facts(items)}"
        "</header>"
    )


def toc_section(ev: Evaluation) -> str:
    sc = ev.scenario
    warnings = "".join(f"<p class='warn small'>{esc(w)}</p>" for w in graph_warnings(sc))
    body = (
        "<p>How the programme is meant to work: each need is met by activities, which lead to outcomes and, "
        "in the long run, to the impact. Every arrow is an assumption (listed with its evidence under "
        "<a href='#assumptions'>Assumptions</a>); its line shows how strong the evidence is. The programme answers "
        "for the outcomes above the accountability line and only contributes to what lies beyond it.</p>"
        f"<figure>{toc_svg(sc)}</figure>{warnings}"
    )
    return section("toc", "1. Theory of change", body, css="wide")


def headline_section(ev: Evaluation) -> str:
    tiles = "".join(
        f"<div class='tile'><div class='label'>{esc(t['label'])}</div><div class='value'>{esc(t['value'])}</div></div>"
        for t in views.key_figures(ev)
    )
    df = views.headline_table(ev)
    rows = [[r["Figure"], r["Value"], r["What it means"]] for _, r in df.iterrows()]
    body = (
        priced(ev, "Present values discounted to the first year")
        + f"<div class='tiles'>{tiles}</div>"
        + html_table(["Figure", "Value", "What it means"], rows, numeric=[1])
        + "<p class='small muted'>After deadweight, attribution, displacement and optimism bias (on benefits and, "
        "where a cost is graded, on costs). Payback counts fiscal benefits only. The public sector's position "
        "under the contract is explained in the financial case.</p>"
    )
    return section("headline", "2. Headline figures", body)


def economic_section(ev: Evaluation) -> str:
    """Is it worth it? Value to society, transfers on a line of their own and left out of the NPV."""
    df = case_views.economic_case_table(ev)
    rows = [[r["Figure"], r["Value"], r["What it means"]] for _, r in df.iterrows()]
    chart = chart_svg(charts.economic_case(case_views.economic_lines(ev)), "chart-economic")
    body = (
        f"<p class='lead'>{esc(case_views.worth_it(ev))}</p>"
        + priced(ev, "Present values")
        + html_table(["Figure", "Value", "What it means"], rows, numeric=[1], css="lead")
        + f"<p class='small'>{marked_up(WHAT_COUNTS)}</p>"
        + figure(chart)
    )
    return section("economic", "3. Is it worth it? The economic case", body)


def charts_section(ev: Evaluation) -> str:
    savings = views.savings_by_agency_year(ev)
    if savings.empty:
        first = "<p class='note'>No fiscal savings: no outcome has a fiscal benefit.</p>"
    else:
        first = figure(chart_svg(charts.savings_by_agency(savings), "chart-savings"))
    cumulative = figure(
        chart_svg(charts.cumulative_net(views.cumulative_position(ev)), "chart-cumulative"),
        "The net position crosses zero in the payback year."
        if ev.figures["payback_year"] is not None
        else "The net position stays below zero: the fiscal savings do not pay back the costs within the horizon.",
    )
    return section("savings", "4. Savings and the cumulative position", first + cumulative)


def who_pays_section(ev: Evaluation) -> str:
    cur = ev.scenario.settings.currency
    df = views.who_pays_matrix(ev)
    # Transfers are in the fiscal savings (a real saving to that budget): shown beside them, as a line of their own.
    df.insert(3, "of which transfers", [f["pv_transfers"] for f in ev.figures["by_agency"].values()])
    fmt = {c: money_in(cur) for c in df.columns if c != "Organisation"}
    body = (
        "<p>Before any outcomes contract: each organisation's own costs and the savings and value it receives. "
        "Delivery costs sit with the provider here; the financial case shows who funds them, and what each budget "
        "pays and banks in cash.</p>" + priced(ev, "Present values") + frame_table(df, fmt)
    )
    return section("who-pays", "5. Who pays, who benefits", body)


# --- assumptions --------------------------------------------------------------------------


def settings_facts(ev: Evaluation) -> str:
    s = ev.scenario.settings
    base = case_views.price_base(ev)
    stated = "as set" if s.price_base_year is not None else f"the default, the year before {s.start_year}"
    schedule = "constant" if s.discount_schedule == "constant" else "Green Book declining schedule after year 30"
    grades = ", ".join(f"{g}: {pct(v)}" for g, v in sorted(s.optimism_bias.items()))
    return facts(
        [
            ("Price base", f"{base} ({stated})"),
            ("Inflation", f"{pct(s.inflation)} a year (GDP deflator), for cash figures only"),
            ("Discount rate", f"{pct(s.discount_rate, 2)} a year, real, {schedule}"),
            ("Health discount rate", f"{pct(s.health_discount_rate, 2)} a year, for lines marked as health values"),
            ("Optimism bias by evidence grade", grades),
        ]
    )


def agencies_table(ev: Evaluation) -> str:
    rows = [[a.name, a.id, KIND_WORDS[a.kind]] for a in ev.scenario.agencies]
    return html_table(["Organisation", "Id", "Kind"], rows)


def cohort_facts(ev: Evaluation) -> str:
    sc = ev.scenario
    start = sc.settings.start_year
    intake = ", ".join(f"{start + t}: {number(v, 0)}" for t, v in enumerate(sc.cohort.intake))
    timing = {
        "start": "At the start of each year: benefits start in the intake year",
        "mid": "Through the year (half way on average): every benefit stream starts and ends half a year later",
    }[sc.cohort.intake_timing]
    return facts(
        [
            ("Referred each year", intake),
            ("Engagement rate", f"{pct(sc.cohort.engagement_rate)} of those referred take part"),
            ("When people arrive", timing),
        ]
    )


def _benefit_line(b, names: dict[str, str], cur: str, health_rate: float) -> str:
    parts = [f"{money(b.value, cur)} a year, {b.type}"]
    if b.type == "fiscal":
        parts.append(f"{pct(b.cashable)} cashable")
    if b.transfer:
        parts.append("a transfer (a saving to this budget, not value to society)")
    if b.discount == "health":
        parts.append(f"discounted at the health rate ({pct(health_rate, 2)})")
    if b.code:
        parts.append(f"unit-cost code {b.code}")
    return f"{esc(names.get(b.agency, b.agency))}: {esc(', '.join(parts))}"


def outcome_label_cell(o: Node) -> str:
    return esc(o.label) + f"<span class='sub'>{'Accountable' if o.accountable else 'Contributes to'}</span>"


def outcome_rates(ev: Evaluation) -> str:
    """The numbers behind each outcome, one row each: short cells, so it fits a portrait page."""
    sc = ev.scenario
    rows = [
        [
            outcome_label_cell(o),
            pct(o.rate_with),
            pct(o.rate_without),
            pct(o.attribution),
            pct(o.displacement),
            f"{o.evidence_grade}",
            pct(sc.optimism_bias_for(o.evidence_grade)),
            f"{o.lag_years}",
            f"{o.duration_years}",
            pct(o.drop_off),
        ]
        for o in sc.outcomes
    ]
    headers = [
        "Outcome",
        "Rate with",
        "Rate without",
        "Attribution",
        "Displacement",
        "Evidence grade",
        "Optimism bias",
        "Lag (years)",
        "Duration (years)",
        "Drop-off a year",
    ]
    return html_table(headers, rows, numeric=range(1, len(headers)), raw=[0], css="lead narrow")


def outcome_measures(ev: Evaluation) -> str:
    """How each outcome is measured and what one more of it is worth, to whom, with each line's flags."""
    sc = ev.scenario
    names = views.agency_names(ev)
    cur = sc.settings.currency
    rows = []
    for o in sc.outcomes:
        indicator = esc(o.indicator or "not set")
        if o.data_source:
            indicator += f"<span class='sub'>Data: {esc(o.data_source)}</span>"
        lines = [_benefit_line(b, names, cur, sc.settings.health_discount_rate) for b in o.benefits]
        rows.append([outcome_label_cell(o), indicator, "<br>".join(lines) or "none valued"])
    return html_table(["Outcome", "Indicator", "Value of one more outcome, a year"], rows, raw=range(3))


def outcome_counts(ev: Evaluation) -> str:
    df = views.outcomes_table(ev)
    fmt = {c: number for c in df.columns if c != "Outcome"}
    return frame_table(df, fmt)


def link_assumptions(ev: Evaluation) -> str:
    labels = {n.id: n.label for n in ev.scenario.nodes}
    rows = [
        [
            f"{labels.get(e.source, e.source)} \u2192 {labels.get(e.target, e.target)}",
            e.strength,
            e.assumption or "not stated",
            e.evidence or "none given",
        ]
        for e in ev.scenario.edges
    ]
    return html_table(["Link", "Strength", "Assumption", "Evidence"], rows)


def _grade(c: CostLine, sc: Scenario) -> str:
    if c.evidence_grade is None:
        return "not graded (no uplift)"
    return f"{c.evidence_grade} (+{pct(sc.optimism_bias_for(c.evidence_grade))})"


def _profile(c: CostLine, sc: Scenario) -> str:
    start, cur = sc.settings.start_year, sc.settings.currency
    items = [f"{start + t}: {money(x, cur)}" for t, x in enumerate(c.profile or []) if x]
    return "; ".join(items) or "none"


def cost_assumptions(ev: Evaluation) -> str:
    sc = ev.scenario
    names = views.agency_names(ev)
    cur = sc.settings.currency
    rows = [
        [
            a.label,
            c.item,
            names.get(c.payer, c.payer),
            money(c.setup, cur),
            money(c.per_year, cur),
            money(c.per_participant, cur),
            _profile(c, sc),
            _grade(c, sc),
        ]
        for a in sc.nodes_of("activity")
        for c in a.costs
    ]
    if not rows:
        return "<p class='note'>No costs entered.</p>"
    headers = ["Activity", "Item", "Paid by", "Set-up", "Per year", "Per participant", "Extra by year"]
    headers.append("Grade (uplift)")
    return (
        priced(ev, "Amounts before the uplift")
        + "<p class='small muted'>Set-up falls in the first year, per year in each year with intake, per participant "
        "in the intake year; the extra amounts fall in the years named. Each line is raised by the optimism bias of "
        "its evidence grade, and the raised cost is used everywhere.</p>" + html_table(headers, rows, numeric=[3, 4, 5])
    )


def node_notes(ev: Evaluation) -> str:
    items = [
        f"<dt>{esc(n.label)}</dt><dd>{esc(reflowed(n.notes))}</dd>"
        for n in ev.scenario.nodes
        if n.notes and n.notes.strip()
    ]
    return f"<dl class='notes'>{''.join(items)}</dl>" if items else "<p class='muted'>No notes.</p>"


def change_log(ev: Evaluation) -> str:
    """The assumptions log the snapshot carries (edits made in the app), newest first; empty when there is none."""
    log = getattr(ev.scenario, "log", None)  # older scenarios (and the format before the log) have none
    if not log:
        return ""
    df = views.log_table(ev.scenario)
    return "<h3>Assumptions log</h3>" + frame_table(df)


def assumptions_section(ev: Evaluation) -> str:
    body = (
        "<h3>Appraisal settings</h3>"
        + settings_facts(ev)
        + "<h3>Organisations</h3>"
        + agencies_table(ev)
        + "<h3>Cohort</h3>"
        + cohort_facts(ev)
        + "<h3>Outcomes</h3>"
        + "<p class='small muted'>Rates are shares of engaged participants. Lag, duration and drop-off: years after "
        "intake before benefits start, years they last, yearly decay after the first year. Benefits are valued on "
        "additional outcomes after optimism bias.</p>"
        + outcome_rates(ev)
        + "<h3>How outcomes are measured and valued</h3>"
        + priced(ev, "Values per additional outcome, a year")
        + outcome_measures(ev)
        + "<h3>Payment terms by outcome</h3>"
        + payment_terms(ev)
        + "<h3>Outcomes achieved over the appraisal period</h3>"
        + outcome_counts(ev)
        + "<h3>Links and the assumptions behind them</h3>"
        + link_assumptions(ev)
        + "<h3>Costs</h3>"
        + cost_assumptions(ev)
        + "<h3>Notes and sources</h3>"
        + node_notes(ev)
        + change_log(ev)
    )
    return section("assumptions", "7. Assumptions", body, css="break")


def do_nothing_section(ev: Evaluation) -> str:
    title = "8. The cost of doing nothing"
    df = views.do_nothing_frame(ev)
    if df.empty:
        body = (
            "<p class='note'>No need has both a population and a unit cost, "
            "so the cost of doing nothing is not shown.</p>"
        )
        return section("do-nothing", title, body)
    cur = ev.scenario.settings.currency
    summary = views.do_nothing_summary(ev)
    fmt = {c: money_in(cur) for c in ("Total over horizon", "Present value")}
    body = (
        figure(chart_svg(charts.do_nothing(df), "chart-do-nothing"))
        + priced(ev, "Totals undiscounted, present values discounted")
        + frame_table(summary, fmt)
    )
    return section("do-nothing", title, body)


# --- the contract ---------------------------------------------------------------------------


def contract_terms(ev: Evaluation) -> str:
    sc = ev.scenario
    k = sc.contract
    c = ev.figures["contract"]
    cur = sc.settings.currency
    names = views.agency_names(ev)
    pays_outcomes = k.type in ("payment_by_results", "social_impact_bond")
    items = [("Contract type", TYPE_NAMES[k.type])]
    if pays_outcomes:
        items.append(("Outcomes counted", BASIS_NAMES[k.payment_basis]))
        lags = {o.payment_lag_years for o in sc.outcomes if o.payment_lag_years is not None}
        own = " (some outcomes have their own: see Payment terms by outcome)" if lags - {k.payment_lag_years} else ""
        items.append(("Payment lag", f"{k.payment_lag_years} year(s) after each intake year{own}"))
        if k.cap is None:
            items.append(("Cap", "none"))
        else:
            binds = "binds at central performance" if c["cap_binds"] else "does not bind at central performance"
            items.append(("Cap", f"{money(k.cap, cur)}: {binds}"))
        if k.indexation == "inflation":
            items.append(("Indexation", f"prices rise with inflation ({pct(sc.settings.inflation)} a year)"))
        else:
            items.append(("Indexation", "none: prices are fixed in cash, so they fall in real terms as prices rise"))
        if k.fixed_share:
            share = f"{pct(k.fixed_share)} of funded delivery is paid by the outcome payers as a fee, not at risk"
        else:
            share = "none: all of delivery is funded at risk"
        items.append(("Fixed share (hybrid)", share))
    if k.type == "payment_by_results":
        items.append(("Provider margin", "none: the provider is paid by results"))
    else:
        items.append(("Provider margin", f"{pct(k.provider_margin)} on delivery costs"))
    # Under a plain grant the payers named in the file play no part, so they are not listed.
    if k.outcome_payers and k.type != "none":
        payers = ", ".join(f"{names.get(p.agency, p.agency)} {pct(p.share)}" for p in k.outcome_payers)
        items.append(("Outcome payers" if pays_outcomes else "Delivery funded by (shares)", payers))
    if k.type == "none":
        items.append(("Delivery funded by", names[sc.agency_ids[0]]))
    return f"<p>{esc(views.CONTRACT_WORDS[k.type])}</p>" + facts(items)


def payments_block(ev: Evaluation) -> str:
    c = ev.figures["contract"]
    cur = ev.scenario.settings.currency
    if c["type"] in ("none", "fee_for_service"):
        return "<p class='note'>This contract type pays nothing for outcomes: prices are ignored.</p>"
    last = ev.scenario.settings.start_year + ev.scenario.settings.horizon_years - 1
    base = case_views.price_base(ev)
    out = facts(
        [
            ("Outcome payments, all years (cash)", money(c["outcome_payments_total"], cur)),
            (f"of which after {last}, the last year appraised (cash)", money(c["payments_beyond_horizon"], cur)),
            (f"Outcome payments in real terms ({base}, undiscounted)", money(c["outcome_payments_total_real"], cur)),
            (f"Present value of outcome payments ({base})", money(c["pv_outcome_payments"], cur)),
        ]
    )
    out += (
        "<p class='small muted'>Payments owed for outcomes achieved within the appraisal period count in every "
        "contract figure, even when they fall after it.</p>"
    )
    dead = views.deadweight_paid(ev)
    if c["payment_basis"] == "gross" and dead["share"] is not None:
        out += (
            f"<p class='warn'>On a gross basis {esc(money(dead['deadweight'], cur))} of "
            f"{esc(money(dead['total'], cur))} ({pct(dead['share'], 0)}) pays for outcomes "
            "that would have happened anyway (cash, before the cap).</p>"
        )
    card = views.rate_card(ev)
    fmt = {col: money_in(cur) for col in card.columns if col != "Outcome"}
    out += "<h3>Rate card</h3><p class='small muted'>Prices in cash; 'Value to' is the undiscounted fiscal value of "
    out += f"one extra outcome over its duration, before optimism bias, in {esc(base)}.</p>" + frame_table(card, fmt)
    return out


def parties_block(ev: Evaluation) -> str:
    rows = views.parties_table_text(ev).values.tolist()
    return (
        priced(ev, "Present values")
        + "<p class='small muted'>Each party's position at central performance. 'Breaks even' is the "
        "switching value: the performance m (1 = as planned) at which the position changes sign.</p>"
        + html_table(["Party", "Position (PV)", "Breaks even at performance m"], rows, numeric=[1, 2])
    )


def investor_block(ev: Evaluation) -> str:
    df = case_views.investor_table(ev)
    if df.empty:
        return ""
    rows = [[r["Figure"], r["Value"], r["What it means"]] for _, r in df.iterrows()]
    return "<h3>Social investor</h3>" + html_table(["Figure", "Value", "What it means"], rows, numeric=[1])


def risk_block(ev: Evaluation) -> str:
    df = views.risk_table_text(ev)
    rows = df.values.tolist()
    chart = chart_svg(
        charts.risk_share(views.risk_curve(ev), views.switching_points(ev), views.cap_zone(ev), 1.0), "chart-risk"
    )
    return (
        "<h3>Low, central and high performance</h3>"
        + priced(ev, "Positions are present values; payments are cash, undiscounted")
        + html_table(list(df.columns), rows, numeric=range(1, len(df.columns)))
        + figure(chart, "Performance m scales every outcome's effect: 0 = no effect, 1 = as planned.")
    )


def contract_section(ev: Evaluation) -> str:
    body = (
        contract_terms(ev)
        + "<h3>Payments</h3>"
        + payments_block(ev)
        + "<h3>Each party's position</h3>"
        + parties_block(ev)
        + investor_block(ev)
        + risk_block(ev)
    )
    return section("contract", "9. Contract and risk share", body, css="break")


def provenance(sc: Scenario, source: str | None) -> str:
    where = f"the snapshot file {esc(source)}" if source else "this scenario"
    return (
        "<footer>"
        f"<p>Made from {where}: \u201c{esc(sc.name)}\u201d, snapshot format <code>{esc(sc.format)}</code>.</p>"
        f"<p>Snapshot SHA-256: <span class='hash' id='snapshot-sha256'>{snapshot_sha256(sc)}</span><br>"
        "<span class='small muted'>The hash of the scenario written as a canonical snapshot (as the app exports it): "
        "export the scenario again and compare, to check this report belongs to that version.</span></p>"
        f"<p>{esc(SOURCE_LINE)}</p>"
        "</footer>"
    )


# --- the report --------------------------------------------------------------------------


def report_html(sc: Scenario, *, generated: datetime.datetime | None = None, source: str | None = None) -> str:
    """The whole report as one HTML document. `generated` defaults to now; `source` names the snapshot file."""
    ev = evaluate(sc)
    generated = generated or datetime.datetime.now()
    body = "".join(
        [
            cover(ev, generated, source),
            toc_section(ev),
            headline_section(ev),
            economic_section(ev),
            charts_section(ev),
            who_pays_section(ev),
            financial_section(ev, "6. Can we afford it? The financial case"),
            assumptions_section(ev),
            do_nothing_section(ev),
            contract_section(ev),
            provenance(sc, source),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Business case: {esc(sc.name)}</title>"
        f"<style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def write_report(sc: Scenario, path: str | Path, *, source: str | None = None) -> Path:
    path = Path(path)
    path.write_text(report_html(sc, source=source), encoding="utf-8")
    return path
