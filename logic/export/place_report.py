"""A place's board report: one self-contained HTML file (no script, no network, prints on A4).

The fund's balance chart, the bridge and the year the fund pays its own way in words, the fund year by year,
what each agency gains or pays, the combined economic case, the programmes, and the double counting and
other warnings. The figures are `evaluate_place`'s (and the Place page's frames and charts, from
logic.place_views and logic.place_charts, so the page and the paper agree); money is written by
logic.presentation in the place's currency; this module only lays it out, in the scenario report's style
(logic.export.report_blocks). Every piece of user text goes through `esc`.

    write_place_report(evaluate_place(load_place("anytown.yaml")), "anytown.html")
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert

from .. import place_report_text as words
from ..evaluation import price_base_label
from ..place import PlaceResult
from ..place_charts import fund_balance
from ..place_store import dump_place
from ..place_text import PLACE_FIGURES, POOLED_ITEMS, self_sustaining_text
from ..place_views import AGENCY_COLUMNS, agency_frame, agency_labels, fund_frame
from ..presentation import money, payback, pct, ratio
from ..snapshots import snapshot_sha256
from .report_blocks import (
    CHART_PAD_LEFT,
    CHART_WIDTH,
    CSS,
    REPORT_AUTOSIZE,
    esc,
    facts,
    figure,
    html_table,
    legends_below,
    namespace_ids,
    paragraphs,
    remote_references,
    section,
    wrapped_subtitles,
)

__all__ = ["place_report_html", "write_place_report"]

RIGHT_ROOM = 48  # px kept clear right of the fund chart for the bridge's label
NET_CASH_COLUMNS = 6  # agencies side by side in the net cash table: what an A4 page holds at 8pt
PLACE_CSS = """
table.cash tr.low td { background: #fbeee8; font-weight: bold; }
table.cash tr.ok td { background: #eef6ee; }
table.agencies th:first-child { width: 24%; }
table.programmes th:nth-child(2) { width: 38%; }
table.programmes td .sub { overflow-wrap: anywhere; }
.tiles .tile .value { font-size: 15pt; }
"""
SCHEDULES = {"constant": "constant", "green_book": "HM Treasury Green Book declining schedule"}


def _currency(result: PlaceResult) -> str:
    return result["currency"]


def _money(result: PlaceResult):
    cur = _currency(result)
    return lambda x: money(x, cur)


def _lag_words(lag: int) -> str:
    return words.LAG_WORDS.get(lag) or words.LAG_YEARS.format(n=lag)


def cash_words(result: PlaceResult) -> str:
    s = result.loaded.place.settings
    base = price_base_label(s.price_base)
    if not s.inflation:
        return f"Cash; with no inflation assumed, cash equals {base}"
    return f"Cash: {base} grown by inflation of {s.inflation:.1%} a year"


def real_words(result: PlaceResult) -> str:
    s = result.loaded.place.settings
    return (
        f"Real terms, {price_base_label(s.price_base)}, discounted to {s.start_year} at "
        f"{pct(s.discount_rate, 2)} a year ({SCHEDULES[s.discount_schedule]})"
    )


def _names(result: PlaceResult) -> dict[str, str]:
    """Each agency as the Place page names it (its name, or its id where programmes name it differently)."""
    return agency_labels(result.loaded)


def wide_chart_svg(chart: alt.TopLevelMixin, prefix: str) -> str:
    """chart_svg with room on the right: the fund chart labels its last point (the bridge, often in the last year),
    and a browser's font is wider than the one vl-convert measures with."""
    spec = legends_below(
        chart.properties(width=CHART_WIDTH - RIGHT_ROOM, autosize=REPORT_AUTOSIZE).to_dict(validate=False)
    )
    spec = wrapped_subtitles(spec)
    spec["padding"] = {"left": CHART_PAD_LEFT, "top": 5, "right": RIGHT_ROOM, "bottom": 5}
    svg = namespace_ids(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]), prefix)
    remote = remote_references(svg)
    if remote:
        raise ValueError(f"chart {prefix} refers to something outside the report: {remote[:3]}")
    return svg


# --- the fund's figures, year by year ---------------------------------------------------------------


def fund_years(result: PlaceResult) -> list[dict[str, Any]]:
    """Each year of the fund: contributions, savings paid in, paid in, paid out, interest, balance.

    Interest is charged on the balance at the start of the year: at the bridge rate when it is negative, else
    at the balance rate (DESIGN.md, "A place").
    """
    fund = result["fund"]
    terms = result.loaded.place.fund
    before = terms.opening_balance
    out = []
    for t, year in enumerate(result["years"]):
        balance = fund["balance_by_year"][t]
        inflow, outflow = fund["inflow_by_year"][t], fund["outflow_by_year"][t]
        out.append(
            {
                "year": year,
                "contributions": fund["contributions_by_year"][t],
                "savings_in": fund["savings_in_by_year"][t],
                "inflow": inflow,
                "outflow": outflow,
                "interest": before * (terms.bridge_rate if before < 0 else terms.balance_rate),
                "balance": balance,
            }
        )
        before = balance
    return out


def lowest_year(result: PlaceResult) -> int | None:
    """The calendar year of the lowest balance, where the fund is ever overdrawn (the bridge's year)."""
    fund = result["fund"]
    if fund["bridge_needed"] <= 0:
        return None
    balances = fund["balance_by_year"]
    return result["years"][balances.index(min(balances))]


def bridge_sentences(result: PlaceResult) -> list[str]:
    """The bridge, the year the fund pays its own way from, and where it ends, in words."""
    fund, years = result["fund"], result["years"]
    cash = _money(result)
    first, last = years[0], years[-1]
    low = lowest_year(result)
    out = [words.NO_BRIDGE if low is None else words.BRIDGE.format(bridge=cash(fund["bridge_needed"]), year=low)]
    sustaining = fund["self_sustaining_year"]
    if sustaining is None:
        out.append(words.NOT_SUSTAINING.format(first=first, last=last, year=last))
    else:
        out.append(words.SUSTAINING.format(year=years[sustaining], last=last))
    closing = fund["balance_by_year"][-1]
    if closing < 0:
        out.append(words.CLOSING_OWED.format(last=last, closing=cash(-closing)))
    else:
        out.append(words.CLOSING_HELD.format(last=last, closing=cash(closing)))
    return out


# --- sections ------------------------------------------------------------------------------------------


def cover(result: PlaceResult, generated: datetime.datetime, source: str | None) -> str:
    place = result.loaded.place
    fund = place.fund
    names = _names(result)
    years = result["years"]
    cash = _money(result)
    items = [
        ("Generated", generated.strftime("%d %B %Y, %H:%M")),
        (
            "Calendar",
            f"{years[0]} to {years[-1]} ({len(years)} years; each is a financial year: {years[0]} stands for "
            f"{years[0]}/{(years[0] + 1) % 100:02d})",
        ),
        ("Programmes", f"{len(place.programmes)} (section 5)"),
        ("Members of the fund", ", ".join(names.get(m, m) for m in fund.members) or "none"),
        ("The fund pays", "; ".join(POOLED_ITEMS[k] for k in fund.pays_for) or "nothing"),
        (
            "Savings",
            f"each member keeps {pct(fund.savings_returned)} of its cashable savings; the rest is paid in "
            f"{_lag_words(fund.savings_lag_years)} after it is banked",
        ),
        (
            "Interest",
            f"{pct(fund.bridge_rate, 2)} a year on a negative balance, {pct(fund.balance_rate, 2)} on a positive one",
        ),
        ("Balance before the first year", cash(fund.opening_balance)),
        ("The fund's figures", cash_words(result)),
        ("The economic case", real_words(result)),
        ("Currency", place.settings.currency),
    ]
    if source:
        items.append(("Place file", source))
    return (
        "<header>"
        f"<p class='kicker'>{esc(words.KICKER)}</p>"
        f"<h1>{esc(place.name)}</h1>"
        f"<div class='description'>{paragraphs(place.description)}</div>"
        f"{facts(items)}"
        "</header>"
    )


def glance_section(result: PlaceResult) -> str:
    figures = {**result["fund"], **result["economic"]}
    cash = _money(result)
    tiles = []
    for key in ("bridge_needed", "self_sustaining_year", "npv_public_value", "npv_fiscal", "pv_costs"):
        label = PLACE_FIGURES[key][0]
        value = self_sustaining_text(result.figures) if key == "self_sustaining_year" else cash(figures[key])
        tiles.append(
            f"<div class='tile'><div class='label'>{esc(label)}</div><div class='value'>{esc(value)}</div></div>"
        )
    sentences = bridge_sentences(result)
    lead = "".join(f"<p class='lead'>{esc(s)}</p>" for s in sentences[:2]) + f"<p>{esc(sentences[2])}</p>"
    chart = wide_chart_svg(fund_balance(fund_frame(result)), "chart-fund")
    body = (
        f"<div class='tiles'>{''.join(tiles)}</div>"
        + lead
        + f"<p class='price'>{esc(cash_words(result))}; the NPVs and PV: {esc(real_words(result))}.</p>"
        + figure(chart)
    )
    return section("glance", "1. The fund at a glance", body)


def fund_table(result: PlaceResult) -> str:
    cash = _money(result)
    rows, classes = [], []
    low = lowest_year(result)
    sustaining = result["fund"]["self_sustaining_year"]
    from_year = None if sustaining is None else result["years"][sustaining]
    keys = ("contributions", "savings_in", "inflow", "outflow", "interest")
    data = fund_years(result)
    for r in data:
        label = str(r["year"]) + (" (lowest)" if r["year"] == low else "")
        rows.append([label, *(cash(r[k]) for k in keys), cash(r["balance"])])
        classes.append(
            "low" if r["year"] == low else ("ok" if from_year is not None and r["year"] >= from_year else "")
        )
    rows.append(["Total", *(cash(sum(r[k] for r in data)) for k in keys), ""])
    classes.append("total")
    headers = ["Year", "Contributions", "Savings paid in", "Paid in", "Paid out", "Interest", "Balance at year end"]
    return html_table(headers, rows, numeric=range(1, 7), css="cash", row_classes=classes)


def contributions_table(result: PlaceResult) -> str:
    place = result.loaded.place
    names = _names(result)
    cash = _money(result)
    given = {c.agency: c.by_year for c in place.fund.contributions}
    members = [m for m in place.fund.members if any(given.get(m, []))]
    if not members:
        return "<p class='note'>No contributions: the fund runs on its opening balance and the savings paid in.</p>"
    rows = []
    for t, year in enumerate(result["years"]):
        amounts = [given[m][t] if t < len(given[m]) else 0.0 for m in members]
        if any(amounts):
            rows.append([str(year), *(cash(x) for x in amounts), cash(sum(amounts))])
    rows.append(["Total", *(cash(sum(given[m])) for m in members), cash(sum(sum(given[m]) for m in members))])
    classes = [""] * (len(rows) - 1) + ["total"]
    headers = ["Year", *(names.get(m, m) for m in members), "All members"]
    return f"<p class='small muted'>{esc(words.CONTRIBUTIONS_NOTE)}</p>" + html_table(
        headers, rows, numeric=range(1, len(headers)), css="cash", row_classes=classes
    )


def fund_section(result: PlaceResult) -> str:
    fund = result.loaded.place.fund
    intro = words.FUND_INTRO.format(
        items="; ".join(POOLED_ITEMS[k] for k in fund.pays_for) or "nothing",
        kept=pct(fund.savings_returned),
        lag=_lag_words(fund.savings_lag_years),
        bridge_rate=pct(fund.bridge_rate, 2),
        balance_rate=pct(fund.balance_rate, 2),
    )
    body = (
        f"<p>{esc(intro)}</p>"
        + f"<p class='price'>{esc(cash_words(result))}.</p>"
        + fund_table(result)
        + f"<p class='small muted'>{esc(words.FUND_TABLE_NOTE)}</p>"
        + "<h3>Contributions by member</h3>"
        + contributions_table(result)
    )
    return section("fund", "2. The fund year by year", body)


def agencies_table(result: PlaceResult) -> str:
    df = agency_frame(result, result.loaded)
    cash = _money(result)
    keys = ["contributions", "savings_to_fund", "costs_fund_pays", "costs_own", "savings_kept", "net_cash"]
    keys.append("net_without_fund")
    rows = [
        [
            esc(r["agency"]) + f"<span class='sub'>{esc(words.MEMBER if r['member'] else words.NOT_MEMBER)}</span>",
            *(esc(cash(r[k])) for k in keys),
        ]
        for _, r in df.iterrows()
    ]
    headers = ["Agency", *(AGENCY_COLUMNS[k] for k in keys)]
    return html_table(headers, rows, numeric=range(1, len(headers)), raw=range(len(headers)), css="cash agencies")


def net_cash_tables(result: PlaceResult) -> str:
    names = _names(result)
    cash = _money(result)
    agencies = result["agencies"]
    shown = [a for a, f in agencies.items() if any(abs(x) > 0.005 for x in f["net_cash_by_year"])]
    left_out = [names.get(a, a) for a in agencies if a not in shown]
    note = words.NET_CASH_NOTE.format(names=", ".join(left_out)) if left_out else words.NET_CASH_ALL
    out = f"<p class='small muted'>{esc(note)}</p>"
    for k in range(0, len(shown), NET_CASH_COLUMNS):
        group = shown[k : k + NET_CASH_COLUMNS]
        rows = [
            [str(year), *(cash(agencies[a]["net_cash_by_year"][t]) for a in group)]
            for t, year in enumerate(result["years"])
        ]
        rows.append(["Total", *(cash(sum(agencies[a]["net_cash_by_year"])) for a in group)])
        classes = [""] * (len(rows) - 1) + ["total"]
        headers = ["Year", *(names.get(a, a) for a in group)]
        out += html_table(headers, rows, numeric=range(1, len(headers)), css="cash", row_classes=classes)
    return out


def agencies_section(result: PlaceResult) -> str:
    body = f"<p>{esc(words.AGENCIES_INTRO)}</p>" + f"<p class='price'>{esc(cash_words(result))}, all years.</p>"
    body += agencies_table(result)
    body += "<h3>Net cash by year</h3>" + net_cash_tables(result)
    return section("agencies", "3. What each agency gains or pays", body, css="break")


def economic_section(result: PlaceResult) -> str:
    e = result["economic"]
    cash = _money(result)
    npv = e["npv_public_value"]
    verdict = (words.ECONOMIC_VERDICT_GAIN if npv >= 0 else words.ECONOMIC_VERDICT_LOSS).format(npv=cash(abs(npv)))
    rows = []
    for key in ("pv_costs", "pv_fiscal", "pv_transfers", "pv_economic", "pv_social", "npv_fiscal", "npv_public_value"):
        label, meaning = PLACE_FIGURES.get(key) or words.EXTRA_FIGURES[key]
        rows.append([label, cash(e[key]), meaning])
    label, meaning = words.EXTRA_FIGURES["bcr_public_value"]
    rows.append([label, ratio(e["bcr_public_value"]), meaning])
    body = (
        f"<p class='lead'>{esc(verdict)}</p>"
        + f"<p>{esc(words.ECONOMIC_INTRO.format(first=result['years'][0]))}</p>"
        + f"<p class='price'>{esc(real_words(result))}.</p>"
        + html_table(["Figure", "Value", "What it means"], rows, numeric=[1], css="lead")
    )
    return section("economic", "4. Is it worth it? The combined economic case", body)


def programmes_section(result: PlaceResult) -> str:
    cash = _money(result)
    rows = []
    for i, p in enumerate(result["programmes"]):
        head = p["headline"]
        rows.append(
            [
                f"{i + 1}",
                esc(p["name"]) + f"<span class='sub'>From {esc(p['source'])}</span>",
                str(p["start_year"]),
                f"{p['scale']:g}",
                cash(head["npv_fiscal"]),
                cash(head["npv_public_value"]),
                payback(head["payback_year"], p["start_year"]),
            ]
        )
    headers = ["#", "Programme", "Starts", "Scale", "NPV to public budgets", "NPV (public value)", "Pays back"]
    body = (
        f"<p>{esc(words.PROGRAMMES_INTRO)}</p>"
        + f"<p class='price'>Real terms, {esc(price_base_label(result['price_base_year']))}, each discounted to its "
        "own first year.</p>" + html_table(headers, rows, numeric=[2, 3, 4, 5], raw=[1], css="programmes")
    )
    return section("programmes", "5. The programmes", body)


def warnings_section(result: PlaceResult) -> str:
    names = _names(result)
    programmes = result["programmes"]
    double = [
        words.DOUBLE_COUNTING.format(
            i=d["programmes"][0] + 1,
            first=programmes[d["programmes"][0]]["name"],
            j=d["programmes"][1] + 1,
            second=programmes[d["programmes"][1]]["name"],
            agency=names.get(d["agency"], d["agency"]),
            code=d["code"],
        )
        for d in result["double_counting"]
    ]
    body = "".join(f"<p class='warn'>{esc(line)}</p>" for line in double)
    body += "".join(f"<p class='note'>{esc(line)}</p>" for line in result["warnings"])
    if not body:
        body = f"<p>{esc(words.NOTHING_TO_WARN)}</p>"
    return section("warnings", "6. Double counting and other warnings", body)


def provenance(result: PlaceResult, source: str | None) -> str:
    place = result.loaded.place
    where = f"the place file {esc(source)}" if source else "this place"
    digest = hashlib.sha256(dump_place(place).encode("utf-8")).hexdigest()
    programmes = "".join(
        f"<li>Programme {i + 1}: <span class='hash'>{snapshot_sha256(sc)}</span></li>"
        for i, sc in enumerate(result.loaded.originals)
    )
    return (
        "<footer>"
        f"<p>Made from {where}: \u201c{esc(place.name)}\u201d, format <code>{esc(place.format)}</code>.</p>"
        f"<p>Place SHA-256: <span class='hash' id='place-sha256'>{digest}</span><br>"
        f"<span class='small muted'>{esc(words.SHA_NOTE)}</span></p>"
        "<p class='small'>Each programme's snapshot SHA-256, as its file holds it:</p>"
        f"<ul class='small'>{programmes}</ul>"
        "</footer>"
    )


# --- the report ----------------------------------------------------------------------------------------


def place_report_html(
    result: PlaceResult, *, generated: datetime.datetime | None = None, source: str | None = None
) -> str:
    """The whole report as one HTML document. `generated` defaults to now; `source` names the place file."""
    generated = generated or datetime.datetime.now()
    body = "".join(
        [
            cover(result, generated, source),
            glance_section(result),
            fund_section(result),
            agencies_section(result),
            economic_section(result),
            programmes_section(result),
            warnings_section(result),
            provenance(result, source),
        ]
    )
    title = words.TITLE.format(name=result.loaded.place.name)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f"<style>{CSS}{PLACE_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def write_place_report(
    result: PlaceResult,
    path: str | Path,
    *,
    generated: datetime.datetime | None = None,
    source: str | None = None,
) -> Path:
    path = Path(path)
    path.write_text(place_report_html(result, generated=generated, source=source), encoding="utf-8")
    return path
