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
from logic.place_text import POOLED_ITEMS
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
        return Evaluated(problems=[views.plain_place_problem(str(p)) for p in problems])
    try:
        loaded = resolve_place(_place, resolver=store_resolver(store()))
        return Evaluated(loaded, evaluate_place(loaded))
    except PlaceError as exc:
        return Evaluated(problems=[views.plain_place_problem(line) for line in exc.lines()])
    except Exception as exc:  # the store unreachable, say: a sentence, never a traceback
        return Evaluated(problems=[f"The place could not be worked out: {exc}"])


def evaluated(place: Place) -> Evaluated:
    return _evaluate(f"{database_url(secrets_settings())}\n{place.model_dump_json()}", place)


@st.cache_resource(max_entries=32, show_spinner=False)
def _later(key: str, which: int, _loaded: LoadedPlace):
    return views.try_later_frame(_loaded, which)


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


def headline_section(ev: Evaluated) -> None:
    """The key figures, the warnings and the fund's chart; or why the place cannot be worked out."""
    if ev.loaded is None or ev.result is None:
        problem_lines("The place cannot be worked out as it is:", ev.problems)
        return
    key_figures(ev.result)
    warnings_section(ev.result, ev.loaded)
    fund_section(ev.result)


def key_figures(result: PlaceResult) -> None:
    tiles = views.place_key_figures(result)
    wrapped_metrics("place-kpi")
    # A longer figure ("Not by 2038") gets a smaller size, as on the key-figure strip: it fits, never cut short.
    long = [_LONG.format(key=t["key"], fit=150 / len(t["value"])) for t in tiles if len(t["value"]) > 7]
    if long:
        st.html("<style>" + "\n".join(long) + "</style>")
    with st.container(key="place-kpi"):
        for col, tile in zip(st.columns(len(tiles)), tiles):
            col.container(key=f"place-kpi-{tile['key']}").metric(
                tile["label"], tile["value"], help=tile["help"], border=True
            )


def warnings_section(result: PlaceResult, loaded: LoadedPlace) -> None:
    double = views.double_counting_lines(result, loaded)
    if double:
        st.warning(
            "**Possible double counting.** "
            + " ".join(double)
            + " Both lines stay in every total on this page: if they are the same saving, take it out of one "
            "programme (or lower its value) so the place does not count it twice.",
            icon=":material/content_copy:",
        )
    for line in result["warnings"]:
        st.warning(line, icon=":material/warning:")


def fund_section(result: PlaceResult) -> None:
    df = views.fund_frame(result)
    st.vega_lite_chart(charts.fund_balance(df).to_dict(validate=False), width="stretch")
    fund = current().fund  # type: ignore[union-attr]
    pooled = "; ".join(POOLED_ITEMS[k] for k in fund.pays_for) or "nothing yet"
    st.caption(
        f"Cash, in each year's prices. The fund pays {pooled}. Each member keeps {fund.savings_returned:.0%} of "
        f"its cashable savings; the rest is paid in {fund.savings_lag_years} year(s) after it is banked. "
        "The diamond marks the bridge: the lowest balance, the most the place must find before the savings come in."
    )
    with st.expander("The fund year by year (table)", icon=":material/table_rows:"):
        figures_table(views.fund_table(df), names=("Year",))


def programmes_cash_section(result: PlaceResult, loaded: LoadedPlace) -> None:
    df = views.programme_cash_frame(result, loaded)
    st.vega_lite_chart(charts.programme_cash(df, views.place_net_frame(df)).to_dict(validate=False), width="stretch")


def agencies_section(result: PlaceResult, loaded: LoadedPlace) -> None:
    df = views.agency_frame(result, loaded)
    bars = views.agency_fund_frame(df)
    if not bars.empty:
        st.vega_lite_chart(charts.agency_fund(bars).to_dict(validate=False), width="stretch")
    else:
        st.info("The fund has no members yet: choose who pools below, under **The fund**.", icon=":material/info:")
    agency = {"Agency": st.column_config.TextColumn(width="medium")}
    figures_table(views.agency_table(df), names=("Agency", "Member"), **agency)
    st.caption(
        "Cash totals over the whole calendar. Net cash with the fund = savings it keeps - contributions - costs it "
        "pays itself; on its own = all its cashable savings - all its costs, as if there were no fund. An agency "
        "that is not a member keeps its own case; agencies with no cash in or out are left out."
    )
    with st.expander(
        "Every column: the savings each agency keeps and the costs it pays itself", icon=":material/table_rows:"
    ):
        figures_table(views.agency_table(df, every_column=True), names=("Agency", "Member"), **agency)


def economic_section(result: PlaceResult, loaded: LoadedPlace) -> None:
    st.table(views.economic_table(result).set_index("Figure"))
    st.caption(
        "Every programme on the place's calendar, real terms, discounted with the place's rate from its start year."
    )
    figures_table(views.programmes_table(result, loaded), names=("Programme", "Saved as", "Starts in", "Scale"))
    st.caption("Each programme on its own, as the place runs it (its start and scale), with its own discounting.")


def total_place_section(loaded: LoadedPlace) -> None:
    df = views.total_place_frame(loaded)
    if df.empty:
        st.info(
            "None of the programmes' needs has both a number of people and a cost per person: add them on the "
            "Needs page of each programme to see what doing nothing costs.",
            icon=":material/info:",
        )
        return
    st.vega_lite_chart(charts.total_place(views.total_place_by_agency(df)).to_dict(validate=False), width="stretch")
    figures_table(views.total_place_table(df), names=("Agency", "Needs"))


def try_later_section(loaded: LoadedPlace) -> None:
    names = views.programme_names(loaded)
    options = [*range(len(names)), views.ALL]
    which = st.selectbox(
        "Start which programme later?",
        options,
        format_func=lambda i: "Every programme together" if i == views.ALL else names[i],
        key="place-later-which",
    )
    df = _later(loaded.place.model_dump_json(), which, loaded)
    figures_table(views.try_later_table(df), names=("Start later by", "Starts in"))
    st.caption(
        "The fund's contributions stay in their years; only the programme moves. A later start can need a smaller "
        "bridge (the money is in before the costs) or a larger one (the savings come later)."
    )
