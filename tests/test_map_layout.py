"""One layout for the app's map and the report's drawing (logic/toc_layout.py, logic/export/toc_svg.py),
and the positions a room arranges, kept in the snapshot (nodes[].position, optional)."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest
import yaml
from unit_scenarios import tiny_doc

from logic import DEFAULT_EXAMPLE, ScenarioError, evaluate, load_scenario, parse_scenario
from logic.export.html_report import report_html
from logic.export.toc_svg import toc_svg
from logic.snapshots import dump_scenario
from logic.toc import pathway
from logic.toc_layout import BOX_W, COL_GAP, MARGIN, ROW_GAP, layout

SVG = "{http://www.w3.org/2000/svg}"
NO_FIGURES: dict[str, list[str]] = {}


def boxes_in(svg: str) -> dict[str, tuple[float, float]]:
    """Box label (the group's <title>) -> (x, y) of its rectangle, as drawn (the report's boxes or the app's)."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title, rect = g.find(f"{SVG}title"), g.find(f"{SVG}rect")
        if title is not None and rect is not None and (g.get("class") or "toc-box").startswith("toc-box"):
            out[title.text] = (float(rect.get("x")), float(rect.get("y")))
    return out


def example_doc() -> dict:
    return yaml.safe_load(dump_scenario(load_scenario(DEFAULT_EXAMPLE)))


def test_the_four_stages_read_left_to_right():
    lay = layout(load_scenario(DEFAULT_EXAMPLE))
    order = {"need": 0, "activity": 1, "outcome": 2, "impact": 3}
    boxes = [b for b in lay.boxes.values() if b.node is not None]
    for a in boxes:
        for b in boxes:
            if order[a.node.stage] < order[b.node.stage]:
                assert a.x < b.x, (a.id, b.id)
    # Columns on a grid: MARGIN, then one box and one gap per column.
    assert {b.x for b in boxes} <= {MARGIN + i * (BOX_W + COL_GAP) for i in range(len(lay.stages))}
    # At most five columns (two for outcomes): the map fits the app's width at 1280 pixels.
    assert len(lay.stages) <= 5 and lay.width <= 2 * MARGIN + 5 * BOX_W + 4 * COL_GAP


def test_the_app_and_the_report_draw_the_same_boxes_in_the_same_places():
    sc = load_scenario(DEFAULT_EXAMPLE)
    report = boxes_in(toc_svg(sc))
    app = boxes_in(toc_svg(sc, interactive=True, highlight="outcome", selected=("node", sc.outcomes[0].id)))
    assert set(report) == {n.label for n in sc.nodes}
    assert app == report
    # The board report's own file carries that same drawing.
    html = report_html(sc)
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="toc"')
    assert boxes_in(html[start : html.index("</svg>", start) + 6]) == report


def test_the_interactive_drawing_marks_what_can_be_clicked_and_the_report_does_not():
    sc = load_scenario(DEFAULT_EXAMPLE)
    app = ET.fromstring(toc_svg(sc, interactive=True))
    ids = {g.get("data-node") for g in app.iter(f"{SVG}g") if g.get("data-node")}
    assert ids == {n.id for n in sc.nodes}
    links = {(g.get("data-source"), g.get("data-target")) for g in app.iter(f"{SVG}g") if g.get("data-source")}
    assert links == {(e.source, e.target) for e in sc.edges}
    handles = {c.get("data-handle") for c in app.iter(f"{SVG}circle")}
    assert handles == {n.id for n in sc.nodes if n.stage != "impact"}  # nothing follows an impact
    adds = {g.get("data-add") for g in app.iter(f"{SVG}g") if g.get("data-add")}
    assert adds == {"need", "activity", "outcome", "impact"}
    report = toc_svg(sc)
    for mark in ("data-node", "data-handle", "data-add", "tabindex", 'role="button"'):
        assert mark not in report


def test_the_boxes_carry_their_figures_and_the_legend_and_line_are_drawn():
    sc = parse_scenario(tiny_doc())
    text = " ".join(ET.fromstring(toc_svg(sc)).itertext())
    assert "+20.0 extra outcomes" in text and "\u00a3150 a year each" in text and "Costs \u00a32,500 (PV)" in text
    assert "strong evidence" in text and "Accountability line" in text


def test_a_box_the_room_moved_stays_where_it_was_put():
    doc = example_doc()
    free = layout(parse_scenario(doc), figures=NO_FIGURES)
    need = doc["nodes"][1]  # the second need
    need["position"] = {"x": 0.0, "y": 600.0}
    lay = layout(parse_scenario(doc), figures=NO_FIGURES)
    moved = lay.boxes[need["id"]]
    assert moved.y == 600.0
    assert moved.x == free.boxes[need["id"]].x  # still in the Needs column: x does not take a box out of it
    column = sorted((b for b in lay.boxes.values() if b.column == moved.column), key=lambda b: b.y)
    for upper, lower in zip(column, column[1:]):
        assert upper.y + upper.height + ROW_GAP <= lower.y + 1e-9
    assert lay.content_bottom >= 600.0 + moved.height


def test_boxes_placed_on_top_of_each_other_are_pushed_apart_in_the_order_they_were_put():
    doc = tiny_doc()
    doc["nodes"].insert(1, {"id": "need2", "stage": "need", "label": "Second need", "position": {"x": 0, "y": 100}})
    doc["nodes"][0]["position"] = {"x": 0, "y": 101}
    doc["edges"].append({"source": "need2", "target": "act"})
    lay = layout(parse_scenario(doc), figures=NO_FIGURES)
    a, b = lay.boxes["need2"], lay.boxes["need"]
    assert a.y == 100 and b.y == 100 + a.height + ROW_GAP


def test_an_outcome_dragged_right_moves_to_the_longer_term_column_and_takes_what_follows_it():
    doc = tiny_doc()
    doc["nodes"].insert(3, {"id": "out2", "stage": "outcome", "label": "Later", "rate_with": 0.2, "rate_without": 0})
    doc["edges"].append({"source": "out", "target": "out2"})
    lay = layout(parse_scenario(doc), figures=NO_FIGURES)
    assert lay.stages == ["need", "activity", "outcome", "outcome", "impact"]
    assert (lay.boxes["out"].column, lay.boxes["out2"].column) == (2, 3)
    # Dropped over the second outcome column: "out" goes there, and "out2" (which it leads to) cannot go left of it.
    doc["nodes"][2]["position"] = {"x": MARGIN + 3 * (BOX_W + COL_GAP) + 10, "y": 80}
    lay = layout(parse_scenario(doc), figures=NO_FIGURES)
    assert (lay.boxes["out"].column, lay.boxes["out2"].column) == (3, 3)
    # An outcome cannot be put left of one that leads to it: dropped over the first column, it stays right.
    doc["nodes"][2].pop("position")
    doc["nodes"][3]["position"] = {"x": MARGIN + 2 * (BOX_W + COL_GAP), "y": 80}
    assert layout(parse_scenario(doc), figures=NO_FIGURES).boxes["out2"].column == 3


def test_the_accountability_line_stays_between_the_bands_wherever_outcomes_are_put():
    doc = example_doc()
    accountable = next(n for n in doc["nodes"] if n["stage"] == "outcome" and n.get("accountable", True))
    accountable["position"] = {"x": 400.0, "y": 900.0}  # dragged far below the line
    lay = layout(parse_scenario(doc), figures=NO_FIGURES)
    assert lay.band_split is not None
    for box in lay.boxes.values():
        if box.is_outcome and not box.contributes_only:
            assert box.y + box.height < lay.band_split
        elif box.is_outcome:
            assert box.y > lay.band_split


def test_positions_travel_in_the_snapshot_and_change_no_figure():
    sc = load_scenario(DEFAULT_EXAMPLE)
    assert "position:" not in dump_scenario(sc)  # a file without positions is written without them
    doc = example_doc()
    doc["nodes"][0]["position"] = {"x": 12.5, "y": 300}
    placed = parse_scenario(copy.deepcopy(doc))
    again = load_scenario(dump_scenario(placed))
    assert again == placed and again.nodes[0].position.y == 300.0
    assert evaluate(placed).figures == evaluate(sc).figures
    # The report draws the room's arrangement.
    assert boxes_in(toc_svg(placed, figures=NO_FIGURES))[sc.nodes[0].label][1] == 300.0


@pytest.mark.parametrize(
    ("position", "words"),
    [
        ({"x": 1, "y": 2e6}, "y must be between -100000 and 100000, got 2e+06"),
        ({"x": 1}, "y is required"),
        ({"x": 1, "y": 2, "z": 3}, "unknown key 'z' (check the spelling; unknown keys are not allowed)"),
        ({"x": "left", "y": 2}, "x must be a number, got 'left'"),
    ],
)
def test_a_bad_position_is_refused_with_its_place(position, words):
    doc = tiny_doc()
    doc["nodes"][0]["position"] = position
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(doc)
    assert caught.value.lines() == [f"nodes[0] need position: {words}"]


def test_a_pathway_focus_keeps_the_rooms_places():
    doc = example_doc()
    need = doc["nodes"][0]
    need["position"] = {"x": 0, "y": 420}
    sc = parse_scenario(doc)
    outcome = next(e["target"] for e in doc["edges"] if e["source"] == need["id"])  # its activity ...
    outcome = next(e["target"] for e in doc["edges"] if e["source"] == outcome)  # ... and an outcome of that
    focus = pathway(sc, outcome)
    assert need["id"] in focus and len(focus) < len(sc.nodes)
    assert layout(sc, focus, NO_FIGURES).boxes[need["id"]].y == 420


def test_a_full_workshop_of_30_boxes_and_45_links_is_drawn_without_overlaps():
    from benchmarks.map_rerun import workshop

    sc = parse_scenario(workshop())
    assert (len(sc.nodes), len(sc.edges)) == (30, 45)
    lay = layout(sc)
    columns: dict[int, list] = {}
    for b in lay.boxes.values():
        columns.setdefault(b.column, []).append(b)
    for boxes in columns.values():
        boxes.sort(key=lambda b: b.y)
        for upper, lower in zip(boxes, boxes[1:]):
            assert upper.y + upper.height <= lower.y + 1e-9
    text = " ".join(ET.fromstring(toc_svg(sc, interactive=True)).itertext())
    assert all(n.label in text for n in sc.nodes)  # whole in each box's title, wrapped in its lines


def test_a_chain_of_three_outcomes_keeps_every_arrow_from_pointing_left():
    doc = tiny_doc()
    for k in (2, 3):
        doc["nodes"].insert(2 + k, {"id": f"out{k}", "stage": "outcome", "label": f"Step {k}", "rate_with": 0.2,
                                    "rate_without": 0.1})  # fmt: skip
    doc["edges"] += [{"source": "out", "target": "out2"}, {"source": "out2", "target": "out3"}]
    lay = layout(parse_scenario(doc), figures=NO_FIGURES)
    # Two outcome columns: the first outcome, then the two that follow it (the third is not sent back left).
    assert [lay.boxes[o].column for o in ("out", "out2", "out3")] == [2, 3, 3]
    for link in lay.links:
        assert lay.boxes[link.target].column >= lay.boxes[link.source].column


def test_hostile_words_stay_words_in_the_interactive_drawing():
    evil = '</svg><script>alert(1)</script>" onclick="x\' &amp;'
    doc = tiny_doc()
    doc["nodes"][2]["label"] = evil
    doc["edges"][1]["assumption"] = evil
    svg = toc_svg(parse_scenario(doc), interactive=True, selected=("node", "out"))
    root = ET.fromstring(svg)  # well-formed: the label did not end the drawing
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    assert not [el for el in root.iter() if "onclick" in el.attrib]
    box = next(g for g in root.iter(f"{SVG}g") if g.get("data-node") == "out")
    assert evil in box.get("aria-label") and box.find(f"{SVG}title").text == evil
