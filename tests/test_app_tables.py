"""What a newcomer reads in the tables and figures of every page, under AppTest.

Every figure is written before it reaches the screen: money as money, in the scenario's own currency; never
"None", "nan" or a float as the grid would print it ("280,409.654"). An editor's empty cell reads empty.
"""

from __future__ import annotations

import json

import pytest
from streamlit.proto.Dataframe_pb2 import Dataframe
from streamlit.testing.v1 import AppTest

from components.navigation import KEEPING, STEPS
from logic import DEFAULT_EXAMPLE, load_scenario
from logic.templates import blank_scenario

PAGES = [f"app_pages/{s.file}" for s in (*STEPS, *KEEPING)]
NOT_WRITTEN = {"None", "none", "nan", "NaN", "<NA>", "NaT"}
# The GMCA unit-cost library (the Outcomes page) is published in pounds, whatever the scenario's currency:
# its table (the one with this column) names pounds in its values and descriptions.
IN_POUNDS_BY_NATURE = "value_gbp"


def _app(sc) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120).run()  # the session starts on the bundled example
    at.session_state["scenario"] = sc
    return at.run()


def _label(config: dict, column) -> str:
    return str(config.get(str(column), {}).get("label") or column)


def _problems(at: AppTest, page: str) -> list[str]:
    """Every way a table or a key figure on the page shows a figure unwritten."""
    found = [f"{page}: {e.message}" for e in at.exception] + [f"{page}: {e.value}" for e in at.error]
    for d in at.dataframe:
        config = json.loads(d.proto.columns or "{}")
        df = d.value
        where = f"{page}, table with {', '.join(map(str, df.columns[:3]))}"
        shows_blank = d.proto.HasField("placeholder") and d.proto.placeholder == ""
        if d.proto.editing_mode != Dataframe.EditingMode.READ_ONLY:
            if not shows_blank:
                found.append(f"{where}: this editor would show an empty cell as 'None'")
            continue
        for column in df.columns:
            values = df[column]
            number_format = config.get(str(column), {}).get("type_config", {}).get("format")
            if values.dtype.kind == "f" and not number_format:
                found.append(f"{where}: {column!r} holds numbers the grid prints as they are (e.g. {values.iloc[0]!r})")
            if values.isna().any() and not shows_blank:
                found.append(f"{where}: {column!r} has an empty cell that reads 'None'")
            bad = [v for v in values if isinstance(v, str) and v.strip() in NOT_WRITTEN]
            if bad:
                found.append(f"{where}: {column!r} reads {bad[0]!r}")
    for t in at.table:
        for v in t.value.to_numpy().ravel():
            if not isinstance(v, str) or v.strip() in NOT_WRITTEN:
                found.append(f"{page}: a table cell reads {v!r}")
    for m in at.metric:
        if m.value.strip() in NOT_WRITTEN:
            found.append(f"{page}: the figure {m.label!r} reads {m.value!r}")
    return found


def _walk(sc) -> tuple[list[str], AppTest]:
    at = _app(sc)
    problems = []
    for page in PAGES:
        at.switch_page(page).run()
        problems += _problems(at, page)
    return problems, at


@pytest.mark.parametrize(
    "scenario",
    [load_scenario(DEFAULT_EXAMPLE), blank_scenario("New programme", 2026, 10)],
    ids=["bundled example", "blank programme"],
)
def test_every_table_writes_its_figures(scenario):
    problems, _ = _walk(scenario)
    assert not problems, "\n".join(problems)


def _pounds(at: AppTest, page: str) -> list[str]:
    found = []
    for d in at.dataframe:
        config = json.loads(d.proto.columns or "{}")
        df = d.value
        if IN_POUNDS_BY_NATURE in df.columns:
            continue
        for column in df.columns:
            if "£" in _label(config, column):
                found.append(f"{page}: column {_label(config, column)!r}")
            found += [f"{page}: {column!r} reads {v!r}" for v in df[column] if isinstance(v, str) and "£" in v][:1]
    for t in at.table:
        found += [f"{page}: a table cell reads {v!r}" for v in t.value.to_numpy().ravel() if "£" in str(v)][:1]
    found += [f"{page}: {m.label!r} reads {m.value!r}" for m in at.metric if "£" in m.value or "£" in m.label]
    found += [f"{page}: input {n.label!r}" for n in at.number_input if "£" in n.label]
    return found


def test_a_scenario_in_euros_shows_no_pounds_on_any_page():
    sc = load_scenario(DEFAULT_EXAMPLE)
    euros = sc.model_copy(update={"settings": sc.settings.model_copy(update={"currency": "EUR"})})
    at = _app(euros)
    found, euro_figures = [], 0
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception and not at.error, page
        found += _pounds(at, page)
        euro_figures += sum("€" in m.value for m in at.metric)
    assert not found, "\n".join(found)
    assert euro_figures >= 5  # the key figures at least, on every step
