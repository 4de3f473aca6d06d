"""The Place page's frames, tables and words, from a place's evaluation (logic.place): the fund year by year,
what each programme costs and saves, what each member puts into the fund and gets back, the Total Place
picture, how the bridge moves if a programme starts later. Frames carry their currency in `attrs`. The page
edits a place as a plain document (`place_document`) handed back to `parse_place`; the helpers at the end
turn its tables into that document."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .model import Problem, Scenario
from .place import CASH_ITEMS, EXAMPLE_PLACE, PlaceResult, contributions_by_agency, evaluate_place, load_place
from .place_loading import LoadedPlace, PlaceError, as_evaluated, parse_place
from .place_model import FORMAT_PLACE, Place
from .place_text import PLACE_FIGURES, POOLED_ITEMS
from .presentation import compact_money, missing, money, pct, ratio
from .problem_words import ScenarioError, clip
from .snapshots import read_document, snapshot_sha256
from .store import Store

TILES = ("bridge_needed", "self_sustaining_year", "npv_public_value", "npv_fiscal", "pv_costs")
DELAYS = range(6)  # "Try starting later": 0 to 5 years
ALL = -1  # "every programme together" in try_later
SAVINGS, COSTS = "Cashable savings", "Cash costs"
PUTS_IN, GETS_BACK = "Puts into the fund", "Gets back from the fund"
NOT_NAMED = "No agency named"


# --- names ----------------------------------------------------------------------------------


def programme_names(loaded: LoadedPlace, limit: int = 60) -> list[str]:
    """'1. Edge of care': each programme by its position and the first part of its name (before ' - ')."""
    return [
        clip(f"{i + 1}. {sc.name.split(' - ')[0].strip() or sc.name}", limit) for i, sc in enumerate(loaded.programmes)
    ]


def agency_labels(loaded: LoadedPlace) -> dict[str, str]:
    """Each agency id as people read it: its name where every programme names it alike, else its id
    (the same id is the same agency, and two programmes may describe it differently)."""
    names: dict[str, set[str]] = {}
    for sc in loaded.originals:
        for a in sc.agencies:
            names.setdefault(a.id, set()).add(a.name)
    return {a: next(iter(n)) if len(n) == 1 else a for a, n in names.items()}


def _cash(result: PlaceResult, df: pd.DataFrame) -> pd.DataFrame:
    df.attrs["currency"] = result["currency"]
    df.attrs["price_base"] = "cash"
    return df


# --- the key figures and the warnings ----------------------------------------------------------


def place_key_figures(result: PlaceResult) -> list[dict[str, str]]:
    """The tiles: bridge needed, pays its own way from, NPV (public value), NPV to public budgets, PV of costs."""
    cur = result["currency"]
    figures = {**result["fund"], **result["economic"]}
    tiles = []
    for key in TILES:
        label, meaning = PLACE_FIGURES[key]
        if key == "self_sustaining_year":  # a tile has room for a year, or "Not by 2038"
            year, last = figures[key], result["years"][-1]
            value, full = (f"Not by {last}", "") if year is None else (str(result["years"][year]), "")
        else:
            value, full = compact_money(figures[key], cur), f" In full: {money(figures[key], cur)}."
        tiles.append({"key": key, "label": label, "value": value, "help": meaning + full})
    return tiles


def double_counting_lines(result: PlaceResult, loaded: LoadedPlace) -> list[str]:
    names, labels = programme_names(loaded), agency_labels(loaded)
    return [
        f"Programmes {names[d['programmes'][0]]} and {names[d['programmes'][1]]} both credit "
        f"{labels.get(d['agency'], d['agency'])} with savings coded '{d['code']}'."
        for d in result["double_counting"]
    ]


# --- the fund, year by year ----------------------------------------------------------------------


def fund_frame(result: PlaceResult) -> pd.DataFrame:
    """year, contributions, savings_in, outflow, balance (cash); attrs: the bridge and the year it is reached,
    and the year from which the fund pays its own way (calendar years, None where there is none)."""
    fund = result["fund"]
    years = result["years"]
    df = pd.DataFrame(
        {
            "year": years,
            "contributions": fund["contributions_by_year"],
            "savings_in": fund["savings_in_by_year"],
            "outflow": fund["outflow_by_year"],
            "balance": fund["balance_by_year"],
        }
    )
    bridge = fund["bridge_needed"]
    df.attrs["bridge_needed"] = bridge
    df.attrs["bridge_year"] = years[int(np.argmin(df["balance"]))] if bridge > 0 else None
    sustaining = fund["self_sustaining_year"]
    df.attrs["sustaining_year"] = None if sustaining is None else years[sustaining]
    return _cash(result, df)


FUND_COLUMNS = {
    "contributions": "Members' contributions",
    "savings_in": "Savings paid in",
    "outflow": "Paid out",
    "balance": "Balance at year end",
}


def fund_table(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"Year": [str(y) for y in df["year"]]})
    for key, title in FUND_COLUMNS.items():
        out[title] = [money(x, df.attrs["currency"]) for x in df[key]]
    return out


def fund_words(place: Place) -> str:
    """What the fund chart shows, and on what terms, in a sentence or three."""
    fund = place.fund
    pooled = "; ".join(POOLED_ITEMS[k] for k in fund.pays_for) or "nothing yet"
    lag = fund.savings_lag_years
    when = "the year it is banked" if lag == 0 else f"{lag} year{'' if lag == 1 else 's'} after it is banked"
    return (
        f"Cash, in each year's prices. The fund pays {pooled}. Each member keeps {pct(fund.savings_returned)} of its "
        f"cashable savings; the rest is paid in {when}. The diamond marks the bridge: the lowest balance, the most "
        "the place must find before the savings come in."
    )


# --- what each programme costs and saves the place -------------------------------------------------


def programme_cash_frame(result: PlaceResult, loaded: LoadedPlace) -> pd.DataFrame:
    """Long: year, programme, kind, amount. For each programme, every agency's cash items (own cost lines,
    what it funds, its outcome payments) as negative and its cashable savings as positive, by place year."""
    names = programme_names(loaded)
    years = result["years"]
    rows = []
    for i, p in enumerate(result.cash):
        saved = p.cashable.sum(axis=0)
        paid = sum((p.items[k].sum(axis=0) for k in CASH_ITEMS), start=np.zeros(len(years)))
        for t, y in enumerate(years):
            rows.append({"year": y, "programme": names[i], "kind": SAVINGS, "amount": float(saved[t])})
            rows.append({"year": y, "programme": names[i], "kind": COSTS, "amount": -float(paid[t])})
    df = pd.DataFrame(rows, columns=["year", "programme", "kind", "amount"])
    df.attrs["order"] = names
    return _cash(result, df)


def place_net_frame(df: pd.DataFrame) -> pd.DataFrame:
    """year, net: the place's cashable savings less its cash costs, all programmes, each year."""
    net = df.groupby("year", sort=True)["amount"].sum().reset_index().rename(columns={"amount": "net"})
    net.attrs.update(df.attrs)
    return net


# --- each agency: what it puts in and gets back ---------------------------------------------------

AGENCY_COLUMNS = {
    "agency": "Agency",
    "member": "Member",
    "contributions": "Contributions",
    "savings_to_fund": "Savings paid in",
    "costs_fund_pays": "Costs the fund pays",
    "savings_kept": "Savings kept",
    "costs_own": "Costs it pays",
    "net_cash": "Net, with the fund",
    "net_without_fund": "Net, without it",
}


def agency_frame(result: PlaceResult, loaded: LoadedPlace) -> pd.DataFrame:
    """One row per agency of any programme, cash totals over the calendar. A member puts in its contributions
    and the savings it does not keep; the fund pays its cash items in pays_for. Net cash with the fund (the
    engine's, summed) less on its own (cashable savings - every cash item) = what it gets back - what it puts in."""
    place = loaded.place
    fund = place.fund
    length = len(result["years"])
    contributions = contributions_by_agency(place, length)
    labels = agency_labels(loaded)
    rows = []
    for a, figs in result["agencies"].items():
        cashable = 0.0
        items = dict.fromkeys(CASH_ITEMS, 0.0)
        for p in result.cash:
            if a in p.agency_ids:
                i = p.agency_ids.index(a)
                cashable += float(p.cashable[i].sum())
                for k in CASH_ITEMS:
                    items[k] += float(p.items[k][i].sum())
        member = a in fund.members
        by_fund = sum(items[k] for k in fund.pays_for) if member else 0.0
        kept = fund.savings_returned * cashable if member else cashable
        rows.append(
            {
                "id": a,
                "agency": labels.get(a, a),
                "member": member,
                "contributions": float(contributions[a].sum()) if member else 0.0,
                "savings_to_fund": cashable - kept,
                "costs_fund_pays": by_fund,
                "savings_kept": kept,
                "costs_own": sum(items.values()) - by_fund,
                "net_cash": float(sum(figs["net_cash_by_year"])),
                "net_without_fund": cashable - sum(items.values()),
            }
        )
    df = pd.DataFrame(rows, columns=["id", *AGENCY_COLUMNS])
    df.attrs["order"] = list(df["agency"])
    return _cash(result, df)


SHORT = ("contributions", "savings_to_fund", "costs_fund_pays", "net_cash", "net_without_fund")
TERMS = ("savings_kept", "contributions", "costs_own", "net_cash")  # net, with the fund = kept - paid in - own costs


def agency_table(df: pd.DataFrame, terms: bool = False) -> pd.DataFrame:
    """The agencies with any cash in or out (members always), each figure written: what each puts in, gets
    back, and ends with; or (terms) how its net cash with the fund is made up."""
    cur, amounts = df.attrs["currency"], list(AGENCY_COLUMNS)[2:]
    df = df[df["member"] | (df[amounts].abs().sum(axis=1) > 0.5)]
    amounts = list(TERMS if terms else SHORT)
    out = pd.DataFrame({"Agency": [f"{a} (member)" if m else a for a, m in zip(df["agency"], df["member"])]})
    for key in amounts:
        out[AGENCY_COLUMNS[key]] = [money(x, cur) for x in df[key]]
    return out.reset_index(drop=True)


def agency_fund_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Long, members only: agency, side (puts in / gets back), part, amount: the agency chart's bars."""
    rows = []
    for _, r in df[df["member"]].iterrows():
        rows += [
            {"agency": r["agency"], "side": PUTS_IN, "part": "Contributions", "amount": r["contributions"]},
            {"agency": r["agency"], "side": PUTS_IN, "part": "Savings paid in", "amount": r["savings_to_fund"]},
            {"agency": r["agency"], "side": GETS_BACK, "part": "Costs paid for it", "amount": r["costs_fund_pays"]},
        ]
    out = pd.DataFrame(rows, columns=["agency", "side", "part", "amount"])
    out.attrs.update(df.attrs)
    return out


# --- the economic case and the programmes -----------------------------------------------------------


ECONOMIC_LINES = {
    "pv_costs": PLACE_FIGURES["pv_costs"],
    "pv_fiscal": PLACE_FIGURES["pv_fiscal"],
    "pv_transfers": PLACE_FIGURES["pv_transfers"],
    "pv_economic": ("PV of economic value", "Output and earnings gained, real and discounted."),
    "pv_social": ("PV of social value", "Wellbeing and quality of life, real and discounted."),
    "npv_fiscal": PLACE_FIGURES["npv_fiscal"],
    "npv_public_value": PLACE_FIGURES["npv_public_value"],
}


def economic_table(result: PlaceResult) -> pd.DataFrame:
    e = result["economic"]
    rows = [(label, money(e[k], result["currency"]), means) for k, (label, means) in ECONOMIC_LINES.items()]
    rows.append(("Benefit-cost ratio (public value)", ratio(e["bcr_public_value"]), "Public value per pound of cost."))
    return pd.DataFrame(rows, columns=["Figure", "Amount", "What it means"])


def programmes_table(result: PlaceResult, loaded: LoadedPlace) -> pd.DataFrame:
    """Each programme as the place runs it, with its own headline figures (its own file's discounting)."""
    cur, names = result["currency"], programme_names(loaded)
    rows = []
    for i, (p, entry) in enumerate(zip(result["programmes"], loaded.place.programmes)):
        head = p["headline"]
        year = head["payback_year"]
        rows.append(
            {
                "Programme": names[i],
                "Starts in": str(p["start_year"]),
                "NPV to public budgets": money(head["npv_fiscal"], cur),
                "NPV (public value)": money(head["npv_public_value"], cur),
                "Pays back": "Not within its horizon" if year is None else str(p["start_year"] + year),
                "Saved as": entry.scenario or f"{entry.saved} v{entry.version or '(latest)'}",
            }
        )
    return pd.DataFrame(rows)


# --- Total Place: what the needs cost with no action ------------------------------------------------


def _need_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def total_place_frame(loaded: LoadedPlace) -> pd.DataFrame:
    """Long: year, need, agency, cost. Each need with a population and a unit cost, counted once by its label
    (case and spaces aside) however many programmes name it: population x unit cost x (1 + growth)^t over the
    place's horizon from its start year, real, in the place's prices."""
    s = loaded.place.settings
    labels = agency_labels(loaded)
    t = np.arange(s.horizon_years)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n in (n for sc in loaded.programmes for n in sc.nodes_of("need")):
        if n.population is None or n.unit_cost is None or _need_key(n.label) in seen:
            continue
        seen.add(_need_key(n.label))
        yearly = n.population * n.unit_cost * (1.0 + (n.growth_rate or 0.0)) ** t
        agency = labels.get(n.agency, n.agency) if n.agency else NOT_NAMED
        rows += [
            {"year": s.start_year + k, "need": n.label, "agency": agency, "cost": float(v)}
            for k, v in enumerate(yearly)
        ]
    df = pd.DataFrame(rows, columns=["year", "need", "agency", "cost"])
    df.attrs["currency"] = s.currency
    df.attrs["price_base"] = f"{s.price_base}/{(s.price_base + 1) % 100:02d} prices"
    return df


def total_place_by_agency(df: pd.DataFrame) -> pd.DataFrame:
    """year, agency, cost: the needs' cost summed by the agency that bears it."""
    out = df.groupby(["year", "agency"], sort=False)["cost"].sum().reset_index()
    out.attrs.update(df.attrs)
    return out


def total_place_table(df: pd.DataFrame) -> pd.DataFrame:
    cur = df.attrs["currency"]
    if df.empty:
        return pd.DataFrame(columns=["Agency", "Needs"])
    first, last = int(df["year"].min()), int(df["year"].max())

    def row(agency: str, needs: str, part: pd.DataFrame) -> dict[str, str]:
        cost = part.groupby("year")["cost"].sum()
        total = f"Total {first}-{last}"
        return {"Agency": agency, f"In {first}": money(cost[first], cur), f"In {last}": money(cost[last], cur)} | {
            total: money(cost.sum(), cur),
            "Needs": needs,
        }

    rows = [row(a, "; ".join(dict.fromkeys(part["need"])), part) for a, part in df.groupby("agency", sort=False)]
    return pd.DataFrame([*rows, row("All agencies", "", df)])


# --- try starting later ---------------------------------------------------------------------------


def delayed(loaded: LoadedPlace, which: int, delay: int) -> LoadedPlace:
    """Programme `which` (ALL: every one) `delay` years later; contributions keep their years; nothing re-read."""
    place = loaded.place
    entries = [
        e.model_copy(update={"start_year": place.start_of(i) + delay}) if which in (ALL, i) else e
        for i, e in enumerate(place.programmes)
    ]
    moved = place.model_copy(update={"programmes": entries})
    programmes = [as_evaluated(moved, i, sc) for i, sc in enumerate(loaded.originals)]
    return LoadedPlace(moved, loaded.originals, programmes, loaded.warnings)


def try_later_frame(
    loaded: LoadedPlace, which: int, delays: Iterable[int] = DELAYS, planned: PlaceResult | None = None
) -> pd.DataFrame:
    """delay, starts (the moved programmes' years), bridge_needed, sustaining_year, npv_public_value by delay;
    `planned`: the place's own result, for delay 0."""
    rows = []
    for d in delays:
        moved = delayed(loaded, which, d)
        res = planned if d == 0 and planned is not None else evaluate_place(moved)
        year = res["fund"]["self_sustaining_year"]
        rows.append(
            {
                "delay": d,
                "starts": [moved.place.start_of(i) for i in range(len(moved.programmes)) if which in (ALL, i)],
                "bridge_needed": res["fund"]["bridge_needed"],
                "sustaining_year": None if year is None else res["years"][year],
                "last_year": res["years"][-1],
                "npv_public_value": res["economic"]["npv_public_value"],
            }
        )
    df = pd.DataFrame(rows, columns=[*rows[0]] if rows else None)
    df.attrs["currency"] = loaded.place.settings.currency
    return df


def try_later_table(df: pd.DataFrame) -> pd.DataFrame:
    cur = df.attrs["currency"]
    base = df["bridge_needed"].iloc[0]
    pairs, years = zip(df["delay"], df["bridge_needed"]), zip(df["sustaining_year"], df["last_year"])
    return pd.DataFrame(
        {
            "Start later by": ["As planned" if d == 0 else f"{d} year{'s' if d > 1 else ''}" for d in df["delay"]],
            "Starts in": [", ".join(map(str, s)) for s in df["starts"]],
            "Bridge needed": [money(x, cur) for x in df["bridge_needed"]],
            "Change in the bridge": ["" if d == 0 else money(x - base, cur, signed=True) for d, x in pairs],
            "Pays its own way from": [f"Not by {last}" if missing(y) else f"{y:.0f}" for y, last in years],
            "NPV (public value)": [money(x, cur) for x in df["npv_public_value"]],
        }
    )


# --- problems in plain words -----------------------------------------------------------------------

_WHERE = (
    (re.compile(r"^fund\.contributions\[(\d+)\]"), "Contributions, row {n}"),
    (re.compile(r"^fund\.members\[(\d+)\]"), "Members, number {n}"),
    (re.compile(r"^programmes\[(\d+)\]"), "Programme {n}"),
)


def plain_place_problem(line: str) -> str:
    """A place problem as the page words it: 'fund.contributions[0]: ...' -> 'Contributions, row 1: ...'."""
    for pattern, words in _WHERE:
        m = pattern.match(line)
        if m:
            line = words.format(n=int(m.group(1)) + 1) + line[m.end() :]
            break
    return line.replace("add it to fund.members", "add it to the members")


def app_place_problems(place: Place) -> list[Problem]:
    """In the app a place's programmes are saved scenarios: a file path is not read on the server."""
    return [
        Problem(
            f"programmes[{i}] {e.scenario}",
            "names a file; in the app a place's programmes are saved scenarios: save the scenario on the "
            "Scenarios page and add it to the place from there",
        )
        for i, e in enumerate(place.programmes)
        if e.scenario is not None
    ]


# --- editing: the place as a document, and its tables ------------------------------------------------


def place_document(place: Place) -> dict[str, Any]:
    """A fresh plain copy of the place, to change and hand back to parse_place."""
    return place.model_dump(mode="json", exclude_none=True)


def pin_versions(place: Place, latest: Callable[[str], int | None]) -> Place:
    """Every saved programme pinned to a version: its latest (asked of `latest`; None: not found) where none is
    given."""
    if all(e.saved is None or e.version is not None for e in place.programmes):
        return place
    doc = place_document(place)
    for e in doc["programmes"]:
        if e.get("saved") is not None and e.get("version") is None:
            e["version"] = latest(e["saved"])
    return parse_place(
        {**doc, "programmes": [{k: v for k, v in e.items() if v is not None} for e in doc["programmes"]]}
    )


def read_place(data: str | bytes) -> Place:
    """A place file's text (an upload) as a Place, or PlaceError; its programmes are not read here."""
    try:
        doc = read_document(data)
    except ScenarioError as exc:
        raise PlaceError(exc.problems) from None
    return parse_place(doc)


def new_place_document(name: str, chosen: Sequence[tuple[str, int, Scenario]]) -> dict[str, Any]:
    """A place of saved scenarios (id, version, scenario), each at its own start and scale 1, from the earliest
    start to the latest end in the first one's prices, inflation, rate and currency; members: their public bodies."""
    s = chosen[0][2].settings
    start = min(sc.settings.start_year for _, _, sc in chosen)
    end = max(sc.settings.start_year + sc.settings.horizon_years for _, _, sc in chosen)
    members = list(dict.fromkeys(a.id for _, _, sc in chosen for a in sc.agencies if a.kind == "public"))
    return {
        "format": FORMAT_PLACE,
        "name": name,
        "settings": {
            "start_year": start,
            "horizon_years": end - start,
            "discount_rate": s.discount_rate,
            "currency": s.currency,
            "price_base_year": s.price_base,
            "inflation": s.inflation,
        },
        "programmes": [{"saved": i, "version": v, "start_year": sc.settings.start_year} for i, v, sc in chosen],
        "fund": {"members": members},
    }


def contributions_frame(place: Place, years: Sequence[int]) -> pd.DataFrame:
    """agency, then one column per calendar year: each contribution listed, then each member without one."""
    cols = [str(y) for y in years]
    listed = {c.agency: c.by_year for c in place.fund.contributions}
    agencies = [*listed, *(m for m in place.fund.members if m not in listed)]
    rows = []
    for a in agencies:
        values = listed.get(a, [])
        rows.append({"agency": a} | {c: (float(values[t]) if t < len(values) else None) for t, c in enumerate(cols)})
    return pd.DataFrame(rows, columns=["agency", *cols])


def apply_contributions(doc: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """The contributions table into the document: a blank cell is 0, a row of nothing no contribution."""
    cols = [c for c in df.columns if c != "agency"]
    rows = []
    for _, r in df.iterrows():
        agency = r["agency"]
        if missing(agency) or not str(agency).strip():
            continue
        values = [0.0 if missing(r[c]) else float(r[c]) for c in cols]
        while values and values[-1] == 0:
            values.pop()
        if values:
            rows.append({"agency": str(agency).strip(), "by_year": values})
    doc.setdefault("fund", {})["contributions"] = rows
    return doc


def programmes_frame(place: Place, names: Sequence[str] | None = None) -> pd.DataFrame:
    """programme (its name, else its source), saved (id), version, start_year, scale; index: its position."""
    rows = [
        {
            "programme": f"{i + 1}. {names[i] if names else e.source}",
            "saved": e.saved or e.scenario,
            "version": e.version,
            "start_year": place.start_of(i),
            "scale": e.scale,
        }
        for i, e in enumerate(place.programmes)
    ]
    return pd.DataFrame(rows, columns=["programme", "saved", "version", "start_year", "scale"])


def apply_programmes(doc: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """The programmes table into the document: a row removed, a programme removed (the index is each row's
    position as shown); a blank start year is the place's, a blank scale 1."""
    entries = doc["programmes"]
    out = []
    for position, r in df.iterrows():
        e = dict(entries[int(position)])
        e.pop("start_year", None)
        if not missing(r["start_year"]):
            e["start_year"] = int(r["start_year"])
        e["scale"] = 1.0 if missing(r["scale"]) else float(r["scale"])
        if e.get("saved") is not None and not missing(r["version"]):
            e["version"] = int(r["version"])
        out.append(e)
    doc["programmes"] = out
    return doc


def add_programme(doc: dict[str, Any], saved: str, version: int, start_year: int, scale: float) -> dict[str, Any]:
    doc["programmes"] = [
        *doc["programmes"],
        {"saved": saved, "version": int(version), "start_year": int(start_year), "scale": float(scale)},
    ]
    return doc


# --- the example place, made of saved scenarios ---------------------------------------------------


def find_saved(store: Store, sc: Scenario) -> tuple[str, int] | None:
    """A saved version holding exactly this scenario (by the SHA-256 of its canonical snapshot), if any."""
    digest = snapshot_sha256(sc)
    for s in store.list_scenarios():
        for v in store.versions(s.id):
            if v.sha256 == digest:
                return s.id, v.version
    return None


def example_place_in_store(store: Store, author: str) -> Place:
    """The bundled example place, its programmes saved in the store (or found there, saved identically
    already) and named by saved id and version."""
    example = load_place(EXAMPLE_PLACE)
    doc = place_document(example.place)
    for entry, sc in zip(doc["programmes"], example.originals):
        found = find_saved(store, sc)
        if found is None:
            info = store.save(sc, author=author, message="The bundled example, saved for the example place")
            found = (info.scenario_id, info.version)
        del entry["scenario"]
        entry["saved"], entry["version"] = found
    return parse_place(doc)
