"""The board-paper HTML report and its theory-of-change SVG: right figures, escaped text, nothing online."""

from __future__ import annotations

import copy
import datetime
import random
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

import logic
from logic import evaluate, load_scenario, parse_scenario, snapshot_sha256
from logic.export.html_report import remote_references, report_html, write_report
from logic.export.toc_svg import layout, toc_svg, wrap_label
from logic.report_text import EXPLANATIONS, format_figure
from logic.toc import pathway
from logic.views import key_figures

SVG_NS = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert(1)</script> "quoted" & <b>bold</b> </svg>'
WHEN = datetime.datetime(2030, 1, 2, 9, 30)


class Page(HTMLParser):
    """What a browser would build: the elements made, the text shown, and every table's cells."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.by_id: dict[str, str] = {}
        self.ids: list[str] = []  # in document order
        self._cell: list[str] | None = None
        self._open_ids: list[tuple[str, str, int]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        ident = dict(attrs).get("id")
        if ident:
            self.ids.append(ident)
            self._open_ids.append((tag, ident, len(self.text)))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            _, ident, start = self._open_ids.pop()
            self.by_id[ident] = "".join(self.text[start:])

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def all_text(self) -> str:
        # A space between text nodes, as a browser lays out a term beside its definition.
        return " ".join(self.text)


def toc_part(html: str) -> str:
    """The inline theory-of-change SVG, cut out of the report."""
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="toc"')
    return html[start : html.index("</svg>", start) + len("</svg>")]


def svg_text(svg: str) -> str:
    return " ".join(" ".join(ET.fromstring(svg).itertext()).split())


def assert_offline(html: str) -> None:
    without_ns = re.sub(r'xmlns(:\w+)?="http://www\.w3\.org/[^"]*"', "", html)
    assert "http://" not in without_ns and "https://" not in without_ns
    assert "@import" not in html and "@font-face" not in html
    assert not re.search(r"url\(\s*['\"]?(?!#)", html)
    page = Page(html)
    for name, value in page.attrs:
        if name in ("src", "href", "xlink:href"):
            assert value and value.startswith("#"), (name, value)


def assert_no_active_content(html: str) -> None:
    page = Page(html)
    assert "script" not in page.tags
    assert not [n for n, _ in page.attrs if n.startswith("on")]
    assert "javascript:" not in html.lower()


@pytest.fixture(scope="module")
def example():
    return load_scenario(logic.DEFAULT_EXAMPLE)


@pytest.fixture(scope="module")
def example_html(example) -> str:
    return report_html(example, generated=WHEN, source="edge_of_care.yaml")


def test_headline_figures_are_the_evaluated_ones(example, example_html):
    ev = evaluate(example)
    start, cur = example.settings.start_year, example.settings.currency
    page = Page(example_html)
    rows = {row[0]: row[1:] for table in page.tables for row in table if len(row) >= 3}
    for key, (label, explanation) in EXPLANATIONS.items():
        assert rows[label] == [format_figure(key, ev[key], start, cur), explanation], key
    text = page.all_text
    for tile in key_figures(ev):
        assert tile["value"] in text


def test_sha256_is_the_snapshot_hash(example, example_html):
    page = Page(example_html)
    assert page.by_id["snapshot-sha256"].strip() == snapshot_sha256(example)
    assert "Source: GMCA Unit Cost Database v1.4" in page.all_text
    assert "edge_of_care.yaml" in page.all_text and "toc-business-case/2" in page.all_text
    assert "02 January 2030" in page.all_text


def test_sections_come_in_board_paper_order(example_html):
    ids = ["toc", "headline", "savings", "who-pays", "assumptions", "do-nothing", "contract", "snapshot-sha256"]
    found = Page(example_html).ids
    assert [i for i in found if i in ids] == ids
    assert example_html.count("<svg") >= 5  # the diagram and four charts


def test_every_node_label_is_in_the_diagram(example, example_html):
    svg = toc_part(example_html)
    text = svg_text(svg)
    for node in example.nodes:
        assert " ".join(node.label.split()) in text, node.id


def test_no_script_and_nothing_fetched(example_html):
    assert_no_active_content(example_html)
    assert_offline(example_html)


def test_assumptions_list_every_outcome_and_link(example, example_html):
    page = Page(example_html)
    cells = {cell for table in page.tables for row in table for cell in row}
    text = " ".join(page.all_text.split())
    for o in example.outcomes:
        assert o.indicator in text
        assert any(cell.startswith(o.label) for cell in cells)
    for e in example.edges:
        if e.assumption:
            assert e.assumption in text
        if e.evidence:
            assert e.evidence in text
    # grade 4 applies 15% optimism bias; grade 5, 25%
    rates = next(t for t in page.tables if t[0][:3] == ["Outcome", "Rate with", "Rate without"])
    assert [row[5:7] for row in rates[1:]] == [["4", "15%"], ["4", "15%"], ["4", "15%"], ["5", "25%"]]


def test_contract_summary(example, example_html):
    text = " ".join(Page(example_html).all_text.split())
    assert "Social impact bond" in text
    assert "£5,200,000: does not bind at central performance" in text
    assert "County council children's services 80%, Central government - Life Chances Fund top-up 20%" in text
    assert "Capital at risk at the peak" in text and "Low (m = 0.5)" in text


def hostile_doc(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["name"] = EVIL
    doc["description"] = EVIL + "\n\nsecond paragraph " + EVIL
    doc["agencies"][0]["name"] = EVIL
    for node in doc["nodes"]:
        node["label"] = f"{node['id']} {EVIL}"
        node["notes"] = EVIL
    out = next(n for n in doc["nodes"] if n["stage"] == "outcome")
    out["indicator"] = EVIL
    out["data_source"] = EVIL
    doc["nodes"][1]["costs"][0]["item"] = EVIL
    for edge in doc["edges"]:
        edge["assumption"] = EVIL
        edge["evidence"] = EVIL
    doc["log"] = [{"when": "2030-01-01T09:00:00Z", "what": EVIL, "before": EVIL, "after": EVIL, "by": EVIL}]
    return doc


def test_hostile_text_is_shown_as_text(valid_doc):
    sc = parse_scenario(hostile_doc(valid_doc))
    html = report_html(sc, generated=WHEN)
    assert_no_active_content(html)
    assert_offline(html)
    page = Page(html)
    assert "b" not in page.tags  # the report uses no <b>, so one would have come from the text
    assert page.all_text.count(EVIL) >= 14  # the log's four fields among them
    assert page.by_id["snapshot-sha256"].strip() == snapshot_sha256(sc)
    svg = toc_part(html)
    ET.fromstring(svg)  # still well-formed: "</svg>" in a label did not end it
    for node in sc.nodes:
        assert node.label in svg_text(svg) or node.label in " ".join(ET.fromstring(svg).itertext())


def test_hostile_text_in_the_svg_alone(valid_doc):
    sc = parse_scenario(hostile_doc(valid_doc))
    svg = toc_svg(sc)
    root = ET.fromstring(svg)
    assert not [el for el in root.iter() if el.tag in (f"{SVG_NS}script", f"{SVG_NS}b", "script", "b")]
    assert EVIL in list(root.itertext())[0]  # the <title> holds the scenario name, as text


@pytest.mark.parametrize("path", sorted(logic.EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_examples_render(path, tmp_path):
    sc = load_scenario(path)
    out = write_report(sc, tmp_path / "report.html", source=path.name)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert_no_active_content(html)
    assert_offline(html)
    ET.fromstring(toc_part(html))
    assert Page(html).by_id["snapshot-sha256"].strip() == snapshot_sha256(sc)


def test_contract_type_none_renders(valid_doc):
    doc = copy.deepcopy(valid_doc)
    doc["contract"] = {"type": "none"}
    sc = parse_scenario(doc)
    html = report_html(sc, generated=WHEN)
    text = " ".join(Page(html).all_text.split())
    assert "None (plain grant)" in text
    assert "pays nothing for outcomes" in text
    assert "Social investor" not in text and "Investor IRR" not in text
    assert "Delivery funded by County council children's services" in text
    assert_offline(html)


def test_no_savings_and_no_need_costs_render(valid_doc):
    doc = copy.deepcopy(valid_doc)
    for node in doc["nodes"]:
        node.pop("benefits", None)
        node.pop("population", None)
    html = report_html(parse_scenario(doc), generated=WHEN)
    text = " ".join(Page(html).all_text.split())
    assert "No fiscal savings" in text and "cost of doing nothing is not shown" in text


def many_nodes_doc(valid_doc: dict, seed: int = 3) -> dict:
    """60 nodes: 8 needs, 14 activities, 28 outcomes (chained, some below the line), 10 impacts."""
    rng = random.Random(seed)
    doc = copy.deepcopy(valid_doc)
    doc["uncertainty"] = {"draws": 100, "seed": 1, "parameters": []}
    needs = [f"need-{i}" for i in range(8)]
    acts = [f"act-{i}" for i in range(14)]
    outs = [f"out-{i}" for i in range(28)]
    impacts = [f"impact-{i}" for i in range(10)]
    words = "families young people school police care health work housing debt early support".split()

    def label(i):
        return " ".join(rng.choice(words) for _ in range(3 + i % 9))

    nodes = [{"id": n, "stage": "need", "label": f"Need {i}: {label(i)}"} for i, n in enumerate(needs)]
    nodes += [
        {
            "id": a,
            "stage": "activity",
            "label": f"Activity {i}: {label(i)}",
            "costs": [{"item": "delivery", "payer": "provider", "per_year": 10000.0 + i}],
        }
        for i, a in enumerate(acts)
    ]
    nodes += [
        {
            "id": o,
            "stage": "outcome",
            "label": f"Outcome {i}: {label(i)}",
            "accountable": i % 4 != 3,
            "rate_with": 0.6,
            "rate_without": 0.4,
            "price": 1000.0,
            "benefits": [{"agency": "council", "value": 5000.0, "type": "fiscal"}],
        }
        for i, o in enumerate(outs)
    ]
    nodes += [{"id": m, "stage": "impact", "label": f"Impact {i}: {label(i)}"} for i, m in enumerate(impacts)]
    strengths = ["strong", "medium", "weak"]
    edges = set()
    for a in acts:
        edges.add((rng.choice(needs), a))
        for o in rng.sample(outs, 2):
            edges.add((a, o))
    for i, o in enumerate(outs):
        if i and rng.random() < 0.6:
            edges.add((outs[rng.randrange(i)], o))  # earlier to later: no cycles
        edges.add((o, rng.choice(impacts)))
    doc["nodes"] = nodes
    doc["edges"] = [
        {"source": u, "target": v, "strength": rng.choice(strengths), "assumption": f"{u} leads to {v}"}
        for u, v in sorted(edges)
    ]
    return doc


def test_many_nodes_render_without_overlaps(valid_doc):
    sc = parse_scenario(many_nodes_doc(valid_doc))
    assert len(sc.nodes) == 60
    svg = toc_svg(sc)
    text = " ".join(ET.fromstring(svg).itertext())
    for node in sc.nodes:
        assert node.label in text
    lay = layout(sc)
    by_column: dict[int, list] = {}
    for box in lay.boxes.values():
        by_column.setdefault(box.column, []).append(box)
    for boxes in by_column.values():
        boxes.sort(key=lambda b: b.y)
        for upper, lower in zip(boxes, boxes[1:]):
            assert upper.y + upper.height <= lower.y + 1e-6
    # accountable outcomes all sit above the accountability line, the others below it
    for box in lay.boxes.values():
        if box.is_outcome:
            assert (box.y > lay.band_split) == box.contributes_only
    html = report_html(sc, generated=WHEN)
    assert_no_active_content(html)
    assert_offline(html)


def test_ordering_reduces_crossings(valid_doc):
    """Two needs listed in the opposite order to their activities: the drawing uncrosses them."""
    doc = copy.deepcopy(valid_doc)
    doc["nodes"].insert(1, {"id": "need-b", "stage": "need", "label": "Second need"})
    doc["nodes"].insert(3, {"id": "act-b", "stage": "activity", "label": "Second activity"})
    doc["edges"] = [
        {"source": "need-care-entry", "target": "act-b"},
        {"source": "need-b", "target": "act-therapy"},
        {"source": "act-therapy", "target": "out-stays-home"},
        {"source": "act-b", "target": "out-stays-home"},
        {"source": "out-stays-home", "target": "impact-safe-families"},
    ]
    lay = layout(parse_scenario(doc))
    b = lay.boxes
    needs_order = b["need-care-entry"].y < b["need-b"].y
    acts_order = b["act-b"].y < b["act-therapy"].y
    assert needs_order == acts_order


def test_focus_draws_only_the_pathway(example):
    focus = pathway(example, "out-fewer-arrests")
    text = " ".join(ET.fromstring(toc_svg(example, focus=focus)).itertext())
    for node in example.nodes:
        assert (node.label in text) == (node.id in focus), node.id


def test_edge_strength_styles_and_legend(example):
    root = ET.fromstring(toc_svg(example))
    paths = [p for p in root.iter(f"{SVG_NS}path") if p.get("marker-end")]
    dashes = {p.get("stroke-dasharray") for p in paths}
    assert {None, "7 4", "1.5 3.5"} <= dashes  # strong solid, medium dashed, weak dotted
    text = " ".join(root.itertext())
    assert "strong evidence" in text and "accountability line" in text and "CONTRIBUTES TO" in text


def test_wrap_label_breaks_long_words_and_truncates():
    lines = wrap_label("x" * 100, width=20, max_lines=3)
    assert len(lines) == 3 and all(len(line) <= 20 for line in lines) and lines[-1].endswith("\u2026")
    assert wrap_label("") == [""]


def test_remote_references_are_caught():
    assert remote_references('<image href="http://example.com/a.png"/>')
    assert remote_references("<style>@import 'x.css';</style>")
    assert remote_references('<rect fill="url(http://x/y)"/>')
    assert not remote_references('<rect clip-path="url(#chart-1-clip1)"/>')


def test_control_characters_keep_the_svg_well_formed(valid_doc):
    doc = copy.deepcopy(valid_doc)
    doc["nodes"][0]["label"] = "bell\x07 and escape\x1b"
    ET.fromstring(toc_svg(parse_scenario(doc)))
