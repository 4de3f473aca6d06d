"""The board-paper report: one self-contained HTML file (no script, no network, prints on A4).

Everything shown is computed by `evaluate` and `logic.views`, formatted by
`logic.report_text`, exactly as the app shows it; this module only lays it out.
Every piece of user text goes through `esc`, and the charts are SVG drawn by
vl-convert with network access refused, so the file opens anywhere, offline,
and a hostile label cannot run or fetch anything.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

from .. import charts, views
from ..evaluation import Evaluation, evaluate
from ..model import Node, Scenario
from ..report_text import money
from ..snapshots import snapshot_sha256
from ..toc import graph_warnings
from .toc_svg import toc_svg
from .toc_svg import xml_text as esc

# Charts are drawn at a fixed width: a page has no container for Vega's fit-width
# autosize to measure, and 640 plus axis labels fits portrait A4 nearly 1:1.
CHART_WIDTH = 640
SHORT_TABLE = 10
REPORT_AUTOSIZE = alt.AutoSizeParams(type="pad")
SOURCE_LINE = "Source: GMCA Unit Cost Database v1.4 (GMCA Research Team, distributed by the Government Outcomes Lab)."
TYPE_NAMES = {
    "none": "None (plain grant)",
    "fee_for_service": "Fee for service",
    "payment_by_results": "Payment by results",
    "social_impact_bond": "Social impact bond",
}
BASIS_NAMES = {
    "gross": "Gross: every outcome achieved is paid for",
    "above_baseline": "Above baseline: only outcomes beyond the comparison group are paid for",
}

CSS = """
@page { size: A4; margin: 14mm 13mm 16mm 13mm; }
@page wide { size: A4 landscape; margin: 11mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 10.5pt; line-height: 1.4;
       color: #1b1b1b; background: #fff; max-width: 1060px; margin: 0 auto; padding: 24px 28px; }
h1 { font-size: 22pt; margin: 0.1em 0 0.3em; line-height: 1.2; }
h2 { font-size: 15pt; color: #1f5a96; border-bottom: 2px solid #1f5a96; padding-bottom: 3px; margin: 1.6em 0 0.6em; }
h3 { font-size: 11.5pt; margin: 1.3em 0 0.4em; }
h2, h3 { break-after: avoid; }
p { margin: 0.35em 0 0.6em; }
.kicker { text-transform: uppercase; letter-spacing: 0.08em; color: #555; font-size: 9pt; margin: 0; }
.description p { white-space: pre-wrap; }
.muted { color: #555; }
.small { font-size: 8.5pt; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0.8em 0; }
dl.facts dt { font-weight: bold; color: #333; }
dl.facts dd { margin: 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 0.6em 0 1em; }
.tile { flex: 1 1 150px; border: 1px solid #c9d6e3; border-radius: 6px; padding: 8px 12px; break-inside: avoid; }
.tile .label { font-size: 9pt; color: #555; }
.tile .value { font-size: 17pt; font-weight: bold; color: #1f5a96; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 0.4em 0 1em; }
th, td { border-bottom: 1px solid #d5d5d5; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef3f8; font-weight: bold; }
thead { display: table-header-group; }
table.keep { break-inside: avoid; }
table.lead th:first-child { width: 30%; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td .sub { display: block; color: #555; font-size: 8pt; }
figure { margin: 0.6em 0 1.2em; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
svg.toc { max-width: 100%; height: auto; }
.note { border-left: 4px solid #b8860b; background: #fbf6e9; padding: 6px 10px; margin: 0.6em 0; }
.warn { border-left: 4px solid #c0582c; background: #fbeee8; padding: 6px 10px; margin: 0.6em 0; }
.notes dt { font-weight: bold; margin-top: 0.5em; }
.notes dd { margin: 0 0 0 1em; white-space: pre-wrap; font-size: 8.5pt; color: #333; }
code, .hash { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 9pt; word-break: break-all; }
footer { margin-top: 2em; border-top: 1px solid #999; padding-top: 0.6em; font-size: 9pt; }
section.wide { page: wide; }
.break { break-before: page; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { margin-top: 0; }
}
"""


# --- formatting --------------------------------------------------------------------------


def pct(x: float | None, decimals: int = 1) -> str:
    """0.735 -> 73.5%, 0.7 -> 70%: shares as a commissioner writes them."""
    if x is None or pd.isna(x):
        return "n/a"
    text = f"{x * 100:.{decimals}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def number(x: float, decimals: int = 1) -> str:
    return f"{x:,.{decimals}f}"


def rate(x: float | None) -> str:
    """A return such as an IRR, always to one decimal place, as the app shows it."""
    return "n/a" if x is None or pd.isna(x) else f"{x:.1%}"


def multiple(x: float | None) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{x:.2f}x"


def m_value(x: float | None) -> str:
    return "never (m from 0 to 3)" if x is None or pd.isna(x) else f"{x:.2f}"


def paragraphs(text: str | None, css: str = "") -> str:
    """Free text as paragraphs (blank lines separate them; single line breaks are kept by CSS)."""
    if not text or not text.strip():
        return ""
    attr = f' class="{css}"' if css else ""
    return "".join(f"<p{attr}>{esc(p.strip())}</p>" for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


# --- building blocks ---------------------------------------------------------------------


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Iterable[int] = (),
    raw: Iterable[int] = (),
    css: str = "",
) -> str:
    """A table of already formatted cells; numeric columns align right. Cells are escaped unless listed in raw."""
    numeric, raw, rows = set(numeric), set(raw), list(rows)
    # A short table reads badly split over two pages; a long one has to be.
    classes = " ".join(c for c in (css, "keep" if len(rows) <= SHORT_TABLE else "") if c)

    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f"<th{cls(i)}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c if i in raw else esc(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    attr = f' class="{classes}"' if classes else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def frame_table(df: pd.DataFrame, formats: dict[str, Callable[[object], str]] | None = None) -> str:
    """A DataFrame as a table: columns in `formats` are formatted by it (and align right), the rest shown as text."""
    formats = formats or {}
    cols = list(df.columns)
    rows = [[formats[c](v) if c in formats else str(v) for c, v in zip(cols, rec)] for rec in df.itertuples(False)]
    return html_table(cols, rows, numeric=[i for i, c in enumerate(cols) if c in formats])


def facts(items: Iterable[tuple[str, str]]) -> str:
    return "<dl class='facts'>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def section(anchor: str, title: str, body: str, css: str = "") -> str:
    attr = f' class="{css}"' if css else ""
    return f'<section id="{anchor}"{attr}><h2>{esc(title)}</h2>{body}</section>'


# --- charts ------------------------------------------------------------------------------

_REMOTE = re.compile(r"<image\b|@import|@font-face|url\(\s*['\"]?(?!#)|(?:href|src)\s*=\s*['\"](?!#)", re.IGNORECASE)


def legends_below(spec: object) -> object:
    """Put every legend under its plot: a right-hand legend would push a fixed-width chart off a portrait page."""
    if isinstance(spec, dict):
        out = {k: legends_below(v) for k, v in spec.items()}
        legend = out.get("legend")
        if isinstance(legend, dict):
            out["legend"] = {**legend, "orient": "bottom", "direction": "vertical", "columns": 1, "labelLimit": 560}
        return out
    if isinstance(spec, list):
        return [legends_below(v) for v in spec]
    return spec


def namespace_ids(svg: str, prefix: str) -> str:
    """Give a chart's ids (clip paths, gradients) a prefix: several SVGs share one HTML document's id space."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


def remote_references(svg: str) -> list[str]:
    """Anything in an SVG that would make a viewer fetch something: images, imported fonts, external links."""
    return [m.group(0) for m in _REMOTE.finditer(svg)]


def chart_svg(chart: alt.TopLevelMixin, prefix: str) -> str:
    """An app chart at the report's fixed width, as SVG with no way to reach the network."""
    # The builders are the app's, whose specs Altair validates there; re-validating here only costs time.
    spec = legends_below(chart.properties(width=CHART_WIDTH, autosize=REPORT_AUTOSIZE).to_dict(validate=False))
    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    svg = namespace_ids(svg, prefix)
    remote = remote_references(svg)
    if remote:
        raise ValueError(f"chart {prefix} refers to something outside the report: {remote[:3]}")
    return svg


def figure(svg: str, caption: str = "") -> str:
    cap = f"<figcaption class='small muted'>{esc(caption)}</figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"


# --- sections ----------------------------------------------------------------------------


def cover(ev: Evaluation, generated: datetime.datetime, source: str | None) -> str:
    sc = ev.scenario
    s = sc.settings
    end_year = s.start_year + s.horizon_years - 1
    schedule = "constant" if s.discount_schedule == "constant" else "HM Treasury Green Book declining schedule"
    items = [
        ("Generated", generated.strftime("%d %B %Y, %H:%M")),
        (
            "Price base",
            f"Real terms, constant prices; year 0 is {s.start_year} (see the description for the base year)",
        ),
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
        f"<div class='tiles'>{tiles}</div>"
        + html_table(["Figure", "Value", "What it means"], rows, numeric=[1])
        + "<p class='small muted'>Present values in today's money, discounted to year 0, after deadweight, "
        "attribution, displacement and optimism bias. Payback counts fiscal benefits only.</p>"
    )
    return section("headline", "2. Headline figures", body)


def charts_section(ev: Evaluation) -> str:
    savings = views.savings_by_agency_year(ev)
    if savings.empty:
        first = "<p class='note'>No fiscal savings: no outcome has a fiscal benefit.</p>"
    else:
        first = figure(chart_svg(charts.savings_by_agency(savings), "chart-savings"))
    cumulative = figure(
        chart_svg(charts.cumulative_net(views.cumulative_position(ev)), "chart-cumulative"),
        "The net position crosses zero in the payback year.",
    )
    return section("savings", "3. Savings and the cumulative position", first + cumulative)


def who_pays_section(ev: Evaluation) -> str:
    cur = ev.scenario.settings.currency
    df = views.who_pays_matrix(ev)
    fmt = {c: (lambda v, c=cur: money(v, c)) for c in df.columns if c != "Organisation"}
    body = (
        "<p>Present values over the appraisal period, before any outcomes contract. Delivery costs sit with the "
        "provider here; the contract section shows who funds them.</p>" + frame_table(df, fmt)
    )
    return section("who-pays", "4. Who pays, who benefits", body)


def _benefit_lines(o: Node, names: dict[str, str], cur: str) -> str:
    lines = []
    for b in o.benefits:
        cash = f", {pct(b.cashable)} cashable" if b.type == "fiscal" else ""
        lines.append(f"{esc(names.get(b.agency, b.agency))}: {esc(money(b.value, cur))} {b.type}{cash}")
    return "<br>".join(lines) or "none valued"


def outcome_label_cell(o: Node) -> str:
    return esc(o.label) + f"<span class='sub'>{'Accountable' if o.accountable else 'Contributes to'}</span>"


def outcome_rates(ev: Evaluation) -> str:
    """The numbers behind each outcome, one row each: short cells, so it fits a portrait page."""
    sc = ev.scenario
    cur = sc.settings.currency
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
            esc(money(o.price, cur)),
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
        "Price",
    ]
    return html_table(headers, rows, numeric=range(1, len(headers)), raw=[0], css="lead")


def outcome_measures(ev: Evaluation) -> str:
    """How each outcome is measured and what one more of it is worth, to whom."""
    sc = ev.scenario
    names = views.agency_names(ev)
    cur = sc.settings.currency
    rows = []
    for o in sc.outcomes:
        indicator = esc(o.indicator or "not set")
        if o.data_source:
            indicator += f"<span class='sub'>Data: {esc(o.data_source)}</span>"
        rows.append([outcome_label_cell(o), indicator, _benefit_lines(o, names, cur)])
    return html_table(["Outcome", "Indicator", "Value of one more outcome, a year"], rows, raw=range(3))


def outcome_counts(ev: Evaluation) -> str:
    df = views.outcomes_table(ev)
    fmt = {c: (lambda v: number(v)) for c in df.columns if c != "Outcome"}
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
        ]
        for a in sc.nodes_of("activity")
        for c in a.costs
    ]
    if not rows:
        return "<p class='note'>No costs entered.</p>"
    return html_table(["Activity", "Item", "Paid by", "Set-up", "Per year", "Per participant"], rows, numeric=[3, 4, 5])


def cohort_facts(ev: Evaluation) -> str:
    sc = ev.scenario
    start = sc.settings.start_year
    intake = ", ".join(f"{start + t}: {number(v, 0)}" for t, v in enumerate(sc.cohort.intake))
    return facts(
        [
            ("Referred each year", intake),
            ("Engagement rate", f"{pct(sc.cohort.engagement_rate)} of those referred take part"),
        ]
    )


def node_notes(ev: Evaluation) -> str:
    items = [
        f"<dt>{esc(n.label)}</dt><dd>{esc(n.notes.strip())}</dd>"
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
        "<h3>Cohort</h3>"
        + cohort_facts(ev)
        + "<h3>Outcomes</h3>"
        + "<p class='small muted'>Rates are shares of engaged participants. Lag, duration and drop-off: years after "
        "intake before benefits start, years they last, yearly decay after the first year. Benefits are valued on "
        "additional outcomes after optimism bias.</p>"
        + outcome_rates(ev)
        + "<h3>How outcomes are measured and valued</h3>"
        + outcome_measures(ev)
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
    return section("assumptions", "5. Assumptions", body, css="break")


def do_nothing_section(ev: Evaluation) -> str:
    df = views.do_nothing_frame(ev)
    if df.empty:
        body = (
            "<p class='note'>No need has both a population and a unit cost, "
            "so the cost of doing nothing is not shown.</p>"
        )
        return section("do-nothing", "6. The cost of doing nothing", body)
    cur = ev.scenario.settings.currency
    summary = views.do_nothing_summary(ev)
    fmt = {c: (lambda v, c=cur: money(v, c)) for c in ("Total over horizon", "Present value")}
    body = figure(chart_svg(charts.do_nothing(df), "chart-do-nothing")) + frame_table(summary, fmt)
    return section("do-nothing", "6. The cost of doing nothing", body)


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
        items.append(("Payment lag", f"{k.payment_lag_years} year(s) after each intake year"))
        if k.cap is None:
            items.append(("Cap", "none"))
        else:
            binds = "binds at central performance" if c["cap_binds"] else "does not bind at central performance"
            items.append(("Cap", f"{money(k.cap, cur)}: {binds}"))
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
    out = facts(
        [
            ("Outcome payments (within the horizon)", money(c["outcome_payments_total"], cur)),
            ("Present value of outcome payments", money(c["pv_outcome_payments"], cur)),
            ("Due after the last year appraised", money(c["payments_beyond_horizon"], cur)),
        ]
    )
    dead = views.deadweight_paid(ev)
    if c["payment_basis"] == "gross" and dead["share"] is not None:
        out += (
            f"<p class='warn'>On a gross basis {esc(money(dead['deadweight'], cur))} of "
            f"{esc(money(dead['total'], cur))} ({pct(dead['share'], 0)}) pays for outcomes "
            "that would have happened anyway (before the cap).</p>"
        )
    card = views.rate_card(ev)
    fmt = {col: (lambda v, c=cur: money(v, c)) for col in card.columns if col != "Outcome"}
    out += "<h3>Rate card</h3><p class='small muted'>'Value to' is the undiscounted fiscal value of one extra "
    out += "outcome over its duration, before optimism bias.</p>" + frame_table(card, fmt)
    return out


def parties_block(ev: Evaluation) -> str:
    cur = ev.scenario.settings.currency
    df = views.parties_table(ev)
    rows = [
        [r["Party"], money(r["Position (PV)"], cur), m_value(r["Breaks even at performance m"])]
        for _, r in df.iterrows()
    ]
    return (
        "<p class='small muted'>Each party's present-value position at central performance. 'Breaks even' is the "
        "switching value: the performance m (1 = as planned) at which the position changes sign.</p>"
        + html_table(["Party", "Position (PV)", "Breaks even at performance m"], rows, numeric=[1, 2])
    )


def investor_block(ev: Evaluation) -> str:
    c = ev.figures["contract"]
    if c["type"] != "social_impact_bond":
        return ""
    inv = c["investor"]
    cur = ev.scenario.settings.currency
    return "<h3>Social investor</h3>" + facts(
        [
            ("Peak capital at risk", money(inv["peak_capital"], cur)),
            ("Internal rate of return", rate(inv["irr"]) if inv["irr"] is not None else "n/a (flows never break even)"),
            ("Multiple (payments / funding)", multiple(inv["multiple"])),
        ]
    )


def risk_block(ev: Evaluation) -> str:
    cur = ev.scenario.settings.currency
    df = views.risk_table(ev)
    rows = []
    for _, r in df.iterrows():
        fig = r["Figure"]
        cells = []
        for col in df.columns[1:]:
            v = r[col]
            if fig == "Investor IRR":
                cells.append(rate(v))
            elif fig == "Investor multiple":
                cells.append(multiple(v))
            else:
                cells.append(money(None if pd.isna(v) else float(v), cur))
        rows.append([fig, *cells])
    chart = chart_svg(
        charts.risk_share(views.risk_curve(ev), views.switching_points(ev), views.cap_zone(ev), 1.0), "chart-risk"
    )
    return (
        "<h3>Low, central and high performance</h3>"
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
    return section("contract", "7. Contract and risk share", body, css="break")


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
            charts_section(ev),
            who_pays_section(ev),
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
