"""The Place page: the place in session state (its own keys, never the scenario's), its cached evaluation,
and the sections that show its figures. Every frame, table, chart and word comes from logic.place_views
and logic.place_charts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from logic import place_charts as charts
from logic import place_views as views
from logic.place import LoadedPlace, Place, PlaceError, PlaceResult, evaluate_place, parse_place, resolve_place
from logic.place_store import store_resolver
from logic.store import database_url

from .auth import can_edit, secrets_settings
from .kpi import wrapped_metrics
from .scenarios import store
from .tables import figures_table

PLACE = "place"  # the Place being worked on
PLACE_VERSION = "place_version"  # moves on with every applied change: the editors' keys carry it
PLACE_STORED = "place_stored"  # where it came from in the store: {"place_id", "version"}
PLACE_PROBLEMS = "place_problems"  # area -> the lines of the last change that was not applied
# As on the key-figure strip: a longer figure ("Not by 2038") gets a smaller size, so it fits and is not cut.
_LONG = '.st-key-place-kpi-{key} [data-testid="stMetricValue"] > div {{ font-size: min(100%, {fit:.1f}cqw); }}'


@dataclass(frozen=True)
class Evaluated:
    """A place read and evaluated, or the lines saying why it could not be."""

    key: str = ""  # the store and the place's content: what its figures are cached by
    loaded: LoadedPlace | None = None
    result: PlaceResult | None = None
    problems: list[str] = field(default_factory=list)


def current() -> Place | None:
    return st.session_state.get(PLACE)


def version() -> int:
    return st.session_state.get(PLACE_VERSION, 0)


def set_place(place: Place, stored: dict | None = None, keep_stored: bool = True) -> None:
    """Make `place` the one on the page; `stored`: it is that saved version (else it keeps its origin)."""
    st.session_state[PLACE] = place
    st.session_state[PLACE_VERSION] = version() + 1
    st.session_state[PLACE_PROBLEMS] = {}
    if stored is not None or not keep_stored:
        st.session_state[PLACE_STORED] = stored


def clear_place() -> None:
    for key in (PLACE, PLACE_STORED, PLACE_PROBLEMS):
        st.session_state.pop(key, None)
    st.session_state[PLACE_VERSION] = version() + 1


@st.cache_resource(max_entries=32, show_spinner=False)
def _evaluate(key: str, _place: Place) -> Evaluated:
    # Keyed on the store and the place's content, which pins every programme's saved version (a saved version
    # never changes), so the same key always means the same figures.
    problems = views.app_place_problems(_place)
    if problems:
        return Evaluated(key, problems=[views.plain_place_problem(str(p)) for p in problems])
    try:
        loaded = resolve_place(_place, resolver=store_resolver(store()))
        return Evaluated(key, loaded, evaluate_place(loaded))
    except PlaceError as exc:
        return Evaluated(key, problems=[views.plain_place_problem(line) for line in exc.lines()])
    except Exception as exc:  # the store unreachable, say: a sentence, never a traceback
        return Evaluated(key, problems=[f"The place could not be worked out: {exc}"])


def evaluated(place: Place) -> Evaluated:
    return _evaluate(f"{database_url(secrets_settings())}\n{place.model_dump_json()}", place)


def opening_problems(place: Place) -> list[str]:
    """Why a place from the store or a file cannot be opened: read afresh, not from the cache, since a
    programme it names may have been deleted since its figures were last worked out."""
    problems = views.app_place_problems(place)
    if problems:
        return [views.plain_place_problem(str(p)) for p in problems]
    try:
        resolve_place(place, resolver=store_resolver(store()))
    except PlaceError as exc:
        return [views.plain_place_problem(line) for line in exc.lines()]
    except Exception as exc:
        return [f"The place could not be read: {exc}"]
    return evaluated(place).problems


@st.cache_resource(max_entries=32, show_spinner=False)
def _later(key: str, which: int, _loaded: LoadedPlace, _result: PlaceResult):
    return views.try_later_frame(_loaded, which, planned=_result)


def try_place(area: str, build: Callable[[dict[str, Any]], dict[str, Any]]) -> bool:
    """Build a changed document from the place's, check it reads and evaluates, and make it the place.

    A change that does not is not applied: its lines are kept for `area` (shown beside what was changed) and
    the figures stay those of the last valid place. An applied change reruns the page.
    """
    place = current()
    assert place is not None
    problems = st.session_state.setdefault(PLACE_PROBLEMS, {})
    if not can_edit():
        problems[area] = ["You can look but not change: sign in as an editor to change this place."]
        return False
    try:
        new = parse_place(build(views.place_document(place)))
    except PlaceError as exc:
        problems[area] = [views.plain_place_problem(line) for line in exc.lines()]
        return False
    except Exception as exc:  # a page must never show a traceback
        problems[area] = [f"That change could not be applied: {exc}"]
        return False
    outcome = evaluated(new)
    if outcome.problems:
        problems[area] = outcome.problems
        return False
    problems.pop(area, None)
    if new != place:
        set_place(new)
        st.rerun()
    return True


def show_problems(area: str) -> None:
    lines = st.session_state.get(PLACE_PROBLEMS, {}).get(area)
    if lines:
        problem_lines("This change was not applied - the figures still show the last valid place.", lines)


def problem_lines(head: str, lines: list[str]) -> None:
    st.error(head + "\n\n" + "\n".join(f"- {line}" for line in lines), icon=":material/error:")


# --- the figures ----------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _drawn(key: str, _loaded: LoadedPlace, _result: PlaceResult) -> dict[str, Any]:
    """Every table and chart of the page for one place's content, made once (a rerun that changes nothing, or
    the run that applies a change, draws from here)."""
    loaded, result = _loaded, _result
    fund = views.fund_frame(result)
    cash = views.programme_cash_frame(result, loaded)
    agencies = views.agency_frame(result, loaded)
    bars = views.agency_fund_frame(agencies)
    needs = views.total_place_frame(loaded)
    return {
        "tiles": views.place_key_figures(result),
        "double": views.double_counting_lines(result, loaded),
        "warnings": list(result["warnings"]),
        "fund_chart": charts.fund_balance(fund).to_dict(validate=False),
        "fund_words": views.fund_words(loaded.place),
        "fund_table": views.fund_table(fund),
        "cash_chart": charts.programme_cash(cash, views.place_net_frame(cash)).to_dict(validate=False),
        "agency_chart": None if bars.empty else charts.agency_fund(bars).to_dict(validate=False),
        "agency_table": views.agency_table(agencies),
        "agency_table_full": views.agency_table(agencies, terms=True),
        "economic": views.economic_table(result).set_index("Figure"),
        "programmes": views.programmes_table(result, loaded),
        "needs_chart": None
        if needs.empty
        else charts.total_place(views.total_place_by_agency(needs)).to_dict(validate=False),
        "needs_table": None if needs.empty else views.total_place_table(needs).set_index("Agency"),
    }


def drawn(ev: Evaluated) -> dict[str, Any]:
    assert ev.loaded is not None and ev.result is not None
    return _drawn(ev.key, ev.loaded, ev.result)


def headline_section(ev: Evaluated) -> None:
    """The key figures, the warnings and the fund's chart; or why the place cannot be worked out."""
    if ev.loaded is None or ev.result is None:
        problem_lines("The place cannot be worked out as it is:", ev.problems)
        return
    d = drawn(ev)
    key_figures(d["tiles"])
    warnings_section(d["double"], d["warnings"])
    st.vega_lite_chart(d["fund_chart"], width="stretch")
    st.caption(d["fund_words"])
    with st.expander("The fund year by year (table)", icon=":material/table_rows:"):
        figures_table(d["fund_table"], names=("Year",))


def key_figures(tiles: list[dict[str, str]]) -> None:
    wrapped_metrics("place-kpi")
    long = [_LONG.format(key=t["key"], fit=150 / len(t["value"])) for t in tiles if len(t["value"]) > 7]
    if long:
        st.html("<style>" + "\n".join(long) + "</style>")
    with st.container(key="place-kpi"):
        for col, tile in zip(st.columns(len(tiles)), tiles):
            col.container(key=f"place-kpi-{tile['key']}").metric(
                tile["label"], tile["value"], help=tile["help"], border=True
            )


def warnings_section(double: list[str], warnings: list[str]) -> None:
    if double:
        st.warning(
            "**Possible double counting.** "
            + " ".join(double)
            + " Both lines stay in every total on this page: if they are the same saving, take it out of one "
            "programme (or lower its value) so the place does not count it twice.",
            icon=":material/content_copy:",
        )
    for line in warnings:
        st.warning(line, icon=":material/warning:")


def programmes_cash_section(ev: Evaluated) -> None:
    st.vega_lite_chart(drawn(ev)["cash_chart"], width="stretch")


def agencies_section(ev: Evaluated) -> None:
    d = drawn(ev)
    if d["agency_chart"] is not None:
        st.vega_lite_chart(d["agency_chart"], width="stretch")
    else:
        st.info("The fund has no members yet: choose who pools under **The fund** above.", icon=":material/info:")
    agency = {"Agency": st.column_config.TextColumn(width="medium")}
    figures_table(d["agency_table"], names=("Agency",), **agency)
    st.caption(
        "Cash totals over the whole calendar. Net, with the fund = the savings it keeps - its contributions - the "
        "costs it pays itself; without it = all its cashable savings - all its costs, as if there were no fund. "
        "An agency that is not a member keeps its own case; agencies with no cash in or out are left out."
    )
    with st.expander(
        "How each net figure with the fund is made: savings kept - contributions - costs it pays",
        icon=":material/table_rows:",
    ):
        figures_table(d["agency_table_full"], names=("Agency",), **agency)


def economic_section(ev: Evaluated) -> None:
    d = drawn(ev)
    st.table(d["economic"])
    st.caption(
        "Every programme on the place's calendar, real terms, discounted with the place's rate from its start year."
    )
    figures_table(d["programmes"], names=("Programme", "Starts in", "Pays back", "Saved as"))
    st.caption("Each programme on its own, as the place runs it (its start and scale), with its own discounting.")


def total_place_section(ev: Evaluated) -> None:
    d = drawn(ev)
    if d["needs_chart"] is None:
        st.info(
            "None of the programmes' needs has both a number of people and a cost per person: add them on the "
            "Needs page of each programme to see what doing nothing costs.",
            icon=":material/info:",
        )
        return
    st.vega_lite_chart(d["needs_chart"], width="stretch")
    st.table(d["needs_table"])  # an HTML table: the needs' long names wrap


def try_later_section(ev: Evaluated) -> None:
    loaded = ev.loaded
    assert loaded is not None
    names = views.programme_names(loaded)
    options = [*range(len(names)), views.ALL]
    which = st.selectbox(
        "Start which programme later?",
        options,
        format_func=lambda i: "Every programme together" if i == views.ALL else names[i],
        key="place-later-which",
    )
    df = _later(ev.key, which, loaded, ev.result)
    figures_table(views.try_later_table(df), names=("Start later by", "Starts in"))
    st.caption(
        "The fund's contributions stay in their years; only the programme moves. A later start can need a smaller "
        "bridge (the money is in before the costs) or a larger one (the savings come later)."
    )
