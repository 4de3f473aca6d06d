"""How quickly the map answers in a workshop of 30 boxes and 45 links (issue "Draw the theory of change on
the map itself": the page reruns after a map edit in <= 300 ms).

    python -m benchmarks.map_rerun            # the figures, printed like benchmarks/run.py's
    python -m benchmarks.map_rerun --quick    # fewer repeats (a smoke run)

Under AppTest, on the Outcomes page (key figures, the map, the box opened beside it, the tables): a map
gesture goes through the same functions the canvas's callback calls (components/map_panel.py), which
check the edit, make it the scenario and rerun the page. Each timed run is one gesture and the page
drawn again after it; every edit makes a new scenario, so nothing is served from a cache.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import report, timed  # noqa: E402
from logic import DEFAULT_EXAMPLE, load_scenario, parse_scenario  # noqa: E402
from logic.editing import document  # noqa: E402

WORDS = (
    "young people and their families supported at home through a trusted key worker with weekly visits and "
    "help with school, health, housing and money worries across the county"
).split()


def _label(kind: str, i: int) -> str:
    """A label of 6 to 14 words, as a room writes them."""
    n = 6 + (i * 5) % 9
    return f"{kind} {i + 1}: " + " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(n))


def workshop(needs: int = 5, activities: int = 8, outcomes: int = 13, impacts: int = 4) -> dict:
    """30 boxes and 45 links on the bundled example's settings, organisations and people: a full workshop."""
    doc = document(load_scenario(DEFAULT_EXAMPLE))
    doc["uncertainty"] = {"draws": 1000, "seed": 1, "parameters": []}
    agencies = [a["id"] for a in doc["agencies"]]
    nodes: list[dict] = []
    for i in range(needs):
        nodes.append({"id": f"need{i}", "stage": "need", "label": _label("Need", i), "population": 100.0 + 10 * i,
                      "unit_cost": 20_000.0, "agency": agencies[0]})  # fmt: skip
    for i in range(activities):
        nodes.append({"id": f"act{i}", "stage": "activity", "label": _label("Activity", i),
                      "costs": [{"item": "Staff", "payer": "provider", "per_year": 50_000.0 + 5_000 * i,
                                 "per_participant": 500.0}]})  # fmt: skip
    for i in range(outcomes):
        nodes.append({"id": f"out{i}", "stage": "outcome", "label": _label("Outcome", i),
                      "rate_with": 0.5 + 0.02 * (i % 5), "rate_without": 0.3, "accountable": i < 9,
                      "duration_years": 2, "indicator": "From the council's records",
                      "benefits": [{"agency": agencies[i % len(agencies)], "value": 4_000.0 + 500 * i,
                                    "type": "fiscal"}]})  # fmt: skip
    for i in range(impacts):
        nodes.append({"id": f"imp{i}", "stage": "impact", "label": _label("Impact", i)})
    edges = [(f"need{i % needs}", f"act{i}") for i in range(activities)]  # 8
    edges += [(f"need{(i + 2) % needs}", f"act{i}") for i in range(4)]  # 12
    edges += [(f"act{i % activities}", f"out{i}") for i in range(outcomes)]  # 25
    edges += [(f"act{i}", f"out{(i + 5) % outcomes}") for i in range(3)]  # 28
    edges += [(f"out{i}", f"out{i + 4}") for i in range(8)]  # 36: earlier to later, no loop
    edges += [(f"out{4 + i}", f"imp{i % impacts}") for i in range(9)]  # 45
    doc["nodes"] = nodes
    doc["edges"] = [{"source": s, "target": t, "strength": ("strong", "medium", "weak")[k % 3]}
                    for k, (s, t) in enumerate(edges)]  # fmt: skip
    return doc


def _script() -> None:
    """The Outcomes page, with a pending map gesture applied first (as the canvas's callback does)."""
    import streamlit as st

    from components.map_panel import link_boxes, move_box, select
    from components.step import stage_page

    gesture = st.session_state.pop("bench-gesture", None)
    if gesture is not None:
        kind, *args = gesture
        if kind == "move":
            move_box(*args)
            st.rerun()  # the canvas's callback runs before the page: one run shows the change
        elif kind == "link":
            link_boxes(*args)
        elif kind == "select":
            select(("node", args[0]))
    stage_page("outcome")


def _links_to_add(doc: dict, count: int) -> list[tuple[str, str]]:
    """Allowed links not on the map yet, none making a loop: activity -> outcome pairs."""
    have = {(e["source"], e["target"]) for e in doc["edges"]}
    acts = [n["id"] for n in doc["nodes"] if n["stage"] == "activity"]
    outs = [n["id"] for n in doc["nodes"] if n["stage"] == "outcome"]
    pairs = [(a, o) for o in outs for a in acts if (a, o) not in have]
    return pairs[:count]


def page_after_map_edits(repeats: int) -> None:
    from streamlit.testing.v1 import AppTest

    doc = workshop()
    sc = parse_scenario(doc)
    assert len(sc.nodes) == 30 and len(sc.edges) == 45
    at = AppTest.from_function(_script, default_timeout=60).run()
    at.session_state["scenario"] = sc
    at.session_state["map-selected"] = ("node", "out3")  # a box open beside the map, as in a workshop
    at.run()
    assert not at.exception, at.exception

    def gesture(g: tuple) -> float:
        at.session_state["bench-gesture"] = g
        t = time.perf_counter()
        at.run()
        ms = (time.perf_counter() - t) * 1000
        assert not at.exception, at.exception
        return ms

    moves = [gesture(("move", "out3", 500.0, 200.0 + 7 * i)) for i in range(repeats)]
    report("Outcomes page after a box is moved (30 boxes, 45 links)", moves, 300)
    links = [gesture(("link", s, t)) for s, t in _links_to_add(doc, repeats)]
    assert len(at.session_state["scenario"].edges) == 45 + len(links)
    report("Outcomes page after a link is drawn (30 boxes, 45+ links)", links, 300)
    clicks = [gesture(("select", f"out{i % 13}")) for i in range(repeats)]
    report("Outcomes page after a box is clicked open", clicks, 300)


def drawing(repeats: int) -> None:
    from logic import evaluate
    from logic.export.toc_svg import toc_svg
    from logic.map_figures import box_figures

    sc = parse_scenario(workshop())
    figures = box_figures(evaluate(sc))
    report(
        "Map layout and SVG, 30 boxes and 45 links",
        timed(lambda: toc_svg(sc, figures=figures, interactive=True, highlight="outcome"), repeats),
        100,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats: a smoke run")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 15
    drawing(repeats)
    page_after_map_edits(repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
