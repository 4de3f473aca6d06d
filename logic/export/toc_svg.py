"""The theory of change as an inline SVG, drawn in pure Python (no graphviz binary).

Four columns - Needs, Activities, Outcomes, Impact - read left to right. Outcomes
that lead to other outcomes get their own sub-column inside Outcomes, so every
arrow points right. The accountability line separates what the programme answers
for (accountable outcomes, top of the Outcomes column) from what it only
contributes to (the other outcomes, below the line, and the impacts).

The SVG is well-formed XML, carries no script, no external reference, and every
piece of user text is escaped; it is meant to be pasted into an HTML report.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Node, Scenario
from ..toc import STAGE_BORDERS, STAGE_COLOURS, STAGE_TITLES, wrap_words

# Sizes in SVG user units (px at 100%). A 4-column drawing is about 930 wide:
# landscape A4 prints it near 1:1, portrait at about 0.75.
FONT = 11
LINE_H = 14
TAG_FONT = 9
TAG_H = 13
PAD_X = 8
PAD_Y = 6
BOX_W = 176
COL_GAP = 64
ROW_GAP = 12
BAND_GAP = 34  # room for the accountability line between the two outcome bands
MARGIN = 16
HEADER_H = 40
BAND_LABEL_H = 16
LEGEND_H = 58
CHARS_PER_LINE = 27  # what fits in BOX_W at FONT in a Helvetica-like face
MAX_LINES = 5
MAX_LINES_CROWDED = 3  # a column this full would otherwise run to several pages
CROWDED = 14
MAX_OUTCOME_SUBCOLUMNS = 4  # short, medium, long term and one more; deeper chains loop back
SWEEPS = 4
WAYPOINT_H = 4  # the lane a long link takes through a column it skips

FONT_FAMILY = "Helvetica, Arial, sans-serif"
EDGE_COLOUR = "#555555"
LINE_COLOUR = "#b03a2e"  # the accountability line: one colour nobody else uses
CONTRIBUTES_FILL = "#f4f1ea"
# Line style carries the strength so it survives black-and-white printing.
STRENGTH_DASH = {"strong": None, "medium": "7 4", "weak": "1.5 3.5"}
STRENGTH_WIDTH = {"strong": 2.2, "medium": 1.5, "weak": 1.5}

# Characters XML 1.0 does not allow: a label holding one would make the SVG unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: object) -> str:
    """User text made safe for XML and HTML: escaped, and stripped of characters XML forbids."""
    return html.escape(_NOT_XML.sub("", str(text)), quote=True)


@dataclass
class Box:
    """A node's box, or a waypoint (node None) where a long link crosses a column."""

    id: str
    column: int
    lower: bool  # below the accountability line (only outcomes and the waypoints among them)
    node: Node | None = None
    lines: list[str] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    ports_out: dict[int, float] = field(default_factory=dict)  # edge index -> y on the right side
    ports_in: dict[int, float] = field(default_factory=dict)  # edge index -> y on the left side

    @property
    def is_waypoint(self) -> bool:
        return self.node is None

    @property
    def is_outcome(self) -> bool:
        return self.node is not None and self.node.stage == "outcome"

    @property
    def contributes_only(self) -> bool:
        return self.is_outcome and self.lower

    @property
    def height(self) -> float:
        if self.node is None:
            return WAYPOINT_H
        tag = TAG_H if self.is_outcome else 0
        return 2 * PAD_Y + tag + LINE_H * max(1, len(self.lines))

    @property
    def mid_y(self) -> float:
        return self.y + self.height / 2


# --- text ------------------------------------------------------------------------------


def wrap_label(text: str, width: int = CHARS_PER_LINE, max_lines: int = MAX_LINES) -> list[str]:
    """Greedy word wrap; words longer than a line are cut; past max_lines the last line ends in an ellipsis."""
    lines = wrap_words(text, width)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = lines[: max_lines - 1] + [last[: width - 1].rstrip() + "\u2026"]
    return lines or [""]


# --- columns and order -----------------------------------------------------------------


def outcome_depths(outcomes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Sub-column of each outcome: the longest chain of outcomes leading to it (capped).

    Relaxation bounded by the number of outcomes, so even a cyclic graph (which
    validation forbids) cannot loop forever.
    """
    depth = {o: 0 for o in outcomes}
    inner = [(u, v) for u, v in edges if u in depth and v in depth and u != v]
    for _ in range(len(outcomes)):
        changed = False
        for u, v in inner:
            if depth[v] < depth[u] + 1 and depth[u] + 1 < MAX_OUTCOME_SUBCOLUMNS:
                depth[v] = depth[u] + 1
                changed = True
        if not changed:
            break
    return depth


def assign_columns(nodes: list[Node], edges: list[tuple[str, str]]) -> tuple[dict[str, int], list[str]]:
    """Column index per node id, and each column's stage (outcomes may span several columns)."""
    outcomes = [n.id for n in nodes if n.stage == "outcome"]
    depth = outcome_depths(outcomes, edges)
    n_sub = max(depth.values(), default=0) + 1
    stages = ["need", "activity"] + ["outcome"] * n_sub + ["impact"]
    first = {"need": 0, "activity": 1, "outcome": 2, "impact": 2 + n_sub}
    column = {n.id: first[n.stage] + depth.get(n.id, 0) for n in nodes}
    return column, stages


def _positions(layers: list[list[str]]) -> dict[str, float]:
    """Each box's place in its column as a fraction of the column, so columns of different sizes compare."""
    return {bid: (i + 0.5) / len(layer) for layer in layers for i, bid in enumerate(layer)}


def _sort_layer(layer: list[str], key: dict[str, float], lower: dict[str, bool]) -> list[str]:
    # Accountable outcomes always sit above the line; the barycentre orders within each band.
    return sorted(layer, key=lambda bid: (lower[bid], key[bid]))


def count_crossings(layers: list[list[str]], segments: list[tuple[str, str]], column: dict[str, int]) -> int:
    """Pairs of segments between the same two columns whose ends are in opposite orders."""
    pos = {bid: i for layer in layers for i, bid in enumerate(layer)}
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for u, v in segments:
        groups.setdefault((column[u], column[v]), []).append((pos[u], pos[v]))
    crossings = 0
    for ends in groups.values():
        for i, (a1, b1) in enumerate(ends):
            for a2, b2 in ends[i + 1 :]:
                if (a1 - a2) * (b1 - b2) < 0:
                    crossings += 1
    return crossings


def order_layers(
    layers: list[list[str]], segments: list[tuple[str, str]], column: dict[str, int], lower: dict[str, bool]
) -> list[list[str]]:
    """Barycentre heuristic: sweep right then left, each box placed at the mean place of its neighbours.

    Keeps the best ordering seen (fewest crossings), starting from the scenario's own order.
    """
    preds: dict[str, list[str]] = {bid: [] for layer in layers for bid in layer}
    succs: dict[str, list[str]] = {bid: [] for layer in layers for bid in layer}
    for u, v in segments:
        if column[u] < column[v]:
            preds[v].append(u)
            succs[u].append(v)
    layers = [_sort_layer(layer, _positions([layer]), lower) for layer in layers]
    best, best_crossings = [list(layer) for layer in layers], count_crossings(layers, segments, column)
    for _ in range(SWEEPS):
        for neighbours, indices in ((preds, range(1, len(layers))), (succs, range(len(layers) - 2, -1, -1))):
            for i in indices:
                pos = _positions(layers)
                key = {
                    bid: sum(pos[m] for m in neighbours[bid]) / len(neighbours[bid]) if neighbours[bid] else pos[bid]
                    for bid in layers[i]
                }
                layers[i] = _sort_layer(layers[i], key, lower)
            crossings = count_crossings(layers, segments, column)
            if crossings < best_crossings:
                best, best_crossings = [list(layer) for layer in layers], crossings
    return best


# --- geometry --------------------------------------------------------------------------


@dataclass
class Link:
    index: int  # position in sc.edges
    source: str
    target: str
    strength: str
    tip: str
    waypoints: list[str]  # ids of the waypoint boxes it passes through, left to right


@dataclass
class Layout:
    boxes: dict[str, Box]
    links: list[Link]
    stages: list[str]
    width: float
    height: float
    top: float  # where the boxes start, below the headers
    band_split: float | None  # y of the accountability line across Outcomes, if any outcome is below it
    content_bottom: float


def column_x(i: int) -> float:
    return MARGIN + i * (BOX_W + COL_GAP)


def _stack(boxes: list[Box], top: float, band_height: float) -> None:
    """Place boxes one under another, the stack centred in its band."""
    y = top + (band_height - _stack_height(boxes)) / 2
    for b in boxes:
        b.y = y
        y += b.height + ROW_GAP


def _stack_height(boxes: list[Box]) -> float:
    return sum(b.height for b in boxes) + ROW_GAP * max(0, len(boxes) - 1)


def _edge_tip(assumption: str | None, evidence: str | None) -> str:
    return " - ".join(t for t in (assumption, evidence and f"evidence: {evidence}") if t)


def make_boxes(sc: Scenario, focus: set[str] | None) -> tuple[dict[str, Box], list[Link], list[str]]:
    """A box per node in focus, and a waypoint box wherever a link skips a column."""
    nodes = [n for n in sc.nodes if focus is None or n.id in focus]
    ids = {n.id for n in nodes}
    pairs = [(e.source, e.target) for e in sc.edges if e.source in ids and e.target in ids]
    column, stages = assign_columns(nodes, pairs)
    crowded = max(Counter(column.values()).values(), default=0) > CROWDED
    max_lines = MAX_LINES_CROWDED if crowded else MAX_LINES
    boxes = {
        n.id: Box(
            n.id, column[n.id], n.stage == "outcome" and not n.accountable, n, wrap_label(n.label, max_lines=max_lines)
        )
        for n in nodes
    }
    links = []
    for i, e in enumerate(sc.edges):
        if e.source not in ids or e.target not in ids:
            continue
        a, b = boxes[e.source], boxes[e.target]
        # A waypoint sits in the band of the outcome it leads to (or, towards an impact, comes from).
        lower = b.lower if b.is_outcome else a.lower
        waypoints = []
        for col in range(a.column + 1, b.column):
            wid = f"\x00link{i}:{col}"  # a NUL never occurs in a node id read from YAML
            boxes[wid] = Box(wid, col, lower)
            waypoints.append(wid)
        links.append(Link(i, e.source, e.target, e.strength, _edge_tip(e.assumption, e.evidence), waypoints))
    return boxes, links, stages


def layout(sc: Scenario, focus: set[str] | None = None) -> Layout:
    boxes, links, stages = make_boxes(sc, focus)
    column = {bid: b.column for bid, b in boxes.items()}
    lower = {bid: b.lower for bid, b in boxes.items()}
    segments = [hop for link in links for hop in _hops(link)]
    layers: list[list[str]] = [[] for _ in stages]
    for bid, b in boxes.items():
        layers[b.column].append(bid)
    layers = order_layers(layers, segments, column, lower)
    columns = [[boxes[bid] for bid in layer] for layer in layers]

    # Outcome columns have two bands: accountable above the line, contributes-to below it.
    outcome_cols = [i for i, s in enumerate(stages) if s == "outcome"]
    upper = {i: [b for b in columns[i] if not b.lower] for i in outcome_cols}
    below = {i: [b for b in columns[i] if b.lower] for i in outcome_cols}
    upper_h = max((_stack_height(c) for c in upper.values()), default=0.0)
    lower_h = max((_stack_height(c) for c in below.values()), default=0.0)
    has_lower = any(below.values())
    bands_h = BAND_LABEL_H + upper_h + (BAND_GAP + BAND_LABEL_H + lower_h if has_lower else 0.0)
    plain_h = max((_stack_height(c) for c, s in zip(columns, stages) if s != "outcome"), default=0.0)
    content_h = max(bands_h, plain_h, LINE_H * 3)

    top = MARGIN + HEADER_H
    band_split: float | None = None
    upper_band = content_h
    if has_lower:
        # Share any spare height between the bands so the line sits between them.
        upper_band = BAND_LABEL_H + upper_h + (content_h - bands_h) / 2
        band_split = top + upper_band + BAND_GAP / 2
    for i, stage in enumerate(stages):
        for b in columns[i]:
            b.x = column_x(i)
        if stage != "outcome":
            _stack(columns[i], top, content_h)
            continue
        _stack(upper[i], top + BAND_LABEL_H, upper_band - BAND_LABEL_H)
        if band_split is not None:
            lower_top = band_split + BAND_GAP / 2 + BAND_LABEL_H
            _stack(below[i], lower_top, top + content_h - lower_top)

    assign_ports(boxes, links)
    width = 2 * MARGIN + len(stages) * BOX_W + (len(stages) - 1) * COL_GAP
    content_bottom = top + content_h
    height = content_bottom + MARGIN + LEGEND_H
    return Layout(boxes, links, stages, width, height, top, band_split, content_bottom)


def _hops(link: Link) -> list[tuple[str, str]]:
    chain = [link.source, *link.waypoints, link.target]
    return list(zip(chain, chain[1:]))


def assign_ports(boxes: dict[str, Box], links: list[Link]) -> None:
    """Spread the arrows leaving (and entering) a box along its side, in the order of the next box along."""
    outgoing: dict[str, list[tuple[float, int]]] = {}
    incoming: dict[str, list[tuple[float, int]]] = {}
    for link in links:
        chain = [link.source, *link.waypoints, link.target]
        outgoing.setdefault(link.source, []).append((boxes[chain[1]].mid_y, link.index))
        incoming.setdefault(link.target, []).append((boxes[chain[-2]].mid_y, link.index))
    for bid, ends in outgoing.items():
        _spread(boxes[bid], sorted(ends), boxes[bid].ports_out)
    for bid, ends in incoming.items():
        _spread(boxes[bid], sorted(ends), boxes[bid].ports_in)


def _spread(box: Box, ends: list[tuple[float, int]], ports: dict[int, float]) -> None:
    usable = box.height * 0.7
    for k, (_, i) in enumerate(ends):
        ports[i] = box.mid_y - usable / 2 + usable * (k + 1) / (len(ends) + 1)


# --- drawing ---------------------------------------------------------------------------


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _dash(strength: str) -> str:
    dash = STRENGTH_DASH.get(strength)
    return f' stroke-dasharray="{dash}"' if dash else ""


def draw_defs() -> str:
    return (
        "<defs>"
        '<marker id="toc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" '
        'markerWidth="9" markerHeight="9" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE_COLOUR}"/></marker>'
        "</defs>"
    )


def draw_contributes_region(lay: Layout) -> str:
    """Shade what the programme only contributes to: the lower outcome band and the Impact column."""
    impact_x = column_x(len(lay.stages) - 1) - COL_GAP / 2
    right = lay.width - MARGIN / 2
    bottom = lay.content_bottom + MARGIN / 2
    top = MARGIN / 2
    out = [
        f'<rect x="{_f(impact_x)}" y="{_f(top)}" width="{_f(right - impact_x)}" height="{_f(bottom - top)}" '
        f'fill="{CONTRIBUTES_FILL}"/>'
    ]
    if lay.band_split is not None:
        left = column_x(2) - COL_GAP / 2
        out.append(
            f'<rect x="{_f(left)}" y="{_f(lay.band_split)}" width="{_f(impact_x - left)}" '
            f'height="{_f(bottom - lay.band_split)}" fill="{CONTRIBUTES_FILL}"/>'
        )
    return "".join(out)


def draw_accountability_line(lay: Layout) -> str:
    """Across the Outcomes column under the accountable outcomes, then up beside the Impact column."""
    impact_x = column_x(len(lay.stages) - 1) - COL_GAP / 2
    top = MARGIN / 2
    bottom = lay.content_bottom + MARGIN / 2
    if lay.band_split is not None:
        left = column_x(2) - COL_GAP / 2
        points = f"{_f(left)},{_f(lay.band_split)} {_f(impact_x)},{_f(lay.band_split)} {_f(impact_x)},{_f(top)}"
        label_x, label_y = left + 4, lay.band_split - 5
    else:
        points = f"{_f(impact_x)},{_f(bottom)} {_f(impact_x)},{_f(top)}"
        label_x, label_y = None, None
    out = [
        f'<polyline points="{points}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2.2" '
        'stroke-dasharray="10 4 2 4"><title>Accountability line</title></polyline>'
    ]
    if label_x is not None and label_y is not None:
        out.append(
            f'<text x="{_f(label_x)}" y="{_f(label_y)}" font-size="{TAG_FONT + 1}" font-weight="bold" '
            f'fill="{LINE_COLOUR}">Accountability line</text>'
        )
    return "".join(out)


def draw_headers(lay: Layout) -> str:
    out = []
    seen_outcomes = False
    n_outcome_cols = lay.stages.count("outcome")
    for i, stage in enumerate(lay.stages):
        if stage == "outcome":
            if seen_outcomes:
                continue
            seen_outcomes = True
            # One header spans every outcome sub-column.
            span = n_outcome_cols * BOX_W + (n_outcome_cols - 1) * COL_GAP
        else:
            span = BOX_W
        cx = column_x(i) + span / 2
        subtitle = {
            "need": "what the programme responds to",
            "activity": "what is done",
            "outcome": "changes for participants",
            "impact": "contributes to, long term",
        }[stage]
        out.append(
            f'<text x="{_f(cx)}" y="{_f(MARGIN + 14)}" text-anchor="middle" font-size="14" font-weight="bold" '
            f'fill="{STAGE_BORDERS[stage]}">{STAGE_TITLES[stage]}</text>'
            f'<text x="{_f(cx)}" y="{_f(MARGIN + 28)}" text-anchor="middle" font-size="{TAG_FONT + 1}" '
            f'fill="#666666">{subtitle}</text>'
        )
    return "".join(out)


def draw_band_labels(lay: Layout) -> str:
    """'Accountable' and 'Contributes to' just above the first box of each outcome band."""
    x = column_x(lay.stages.index("outcome"))
    outcomes = [b for b in lay.boxes.values() if b.is_outcome]
    out = []
    for lower, words in (
        (False, "Answers for (accountable)"),
        (True, "Contributes to (not accountable)"),
    ):
        band = [b.y for b in outcomes if b.lower == lower]
        if band:
            out.append(
                f'<text x="{_f(x)}" y="{_f(min(band) - 6)}" font-size="{TAG_FONT + 1}" font-style="italic" '
                f'fill="#333333">{words}</text>'
            )
    return "".join(out)


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    """A cubic from the current point (x1, y1) to (x2, y2), leaving and arriving horizontally."""
    bend = max(COL_GAP * 0.6, (x2 - x1) / 2)
    return f" C{_f(x1 + bend)},{_f(y1)} {_f(x2 - bend)},{_f(y2)} {_f(x2)},{_f(y2)}"


def edge_path(link: Link, boxes: dict[str, Box]) -> str:
    """Right side of the source to left side of the target, straight through the lanes of skipped columns."""
    a, b = boxes[link.source], boxes[link.target]
    x, y = a.x + BOX_W, a.ports_out[link.index]
    end_y = b.ports_in[link.index]
    if b.column <= a.column:
        # Only when outcome chains outgrow the sub-columns: swing out to the right of the source,
        # then come back into the target's right side.
        x2, swing = b.x + BOX_W + 1, x + COL_GAP * 0.5
        return f"M{_f(x)},{_f(y)} C{_f(swing)},{_f(y)} {_f(swing)},{_f(end_y)} {_f(x2)},{_f(end_y)}"
    d = f"M{_f(x)},{_f(y)}"
    for wid in link.waypoints:
        w = boxes[wid]
        d += _curve(x, y, w.x, w.mid_y) + f" L{_f(w.x + BOX_W)},{_f(w.mid_y)}"
        x, y = w.x + BOX_W, w.mid_y
    return d + _curve(x, y, b.x - 1, end_y)


def draw_edge(link: Link, boxes: dict[str, Box]) -> str:
    width = STRENGTH_WIDTH.get(link.strength, 1.5)
    title = f"<title>{xml_text(link.tip)}</title>" if link.tip else ""
    return (
        f'<path d="{edge_path(link, boxes)}" fill="none" stroke="{EDGE_COLOUR}" stroke-width="{width}"'
        f'{_dash(link.strength)} marker-end="url(#toc-arrow)">{title}</path>'
    )


def draw_box(box: Box) -> str:
    assert box.node is not None
    stage = box.node.stage
    fill = CONTRIBUTES_FILL if box.contributes_only else STAGE_COLOURS[stage]
    dash = ' stroke-dasharray="5 3"' if box.contributes_only else ""
    parts = [
        f"<g><title>{xml_text(box.node.label)}</title>",
        f'<rect x="{_f(box.x)}" y="{_f(box.y)}" width="{BOX_W}" height="{_f(box.height)}" rx="6" '
        f'fill="{fill}" stroke="{STAGE_BORDERS[stage]}" stroke-width="1.3"{dash}/>',
    ]
    y = box.y + PAD_Y
    if box.is_outcome:
        tag = "CONTRIBUTES TO" if box.contributes_only else "ACCOUNTABLE"
        parts.append(
            f'<text x="{_f(box.x + PAD_X)}" y="{_f(y + TAG_FONT)}" font-size="{TAG_FONT}" font-weight="bold" '
            f'letter-spacing="0.4" fill="{STAGE_BORDERS[stage]}">{tag}</text>'
        )
        y += TAG_H
    for line in box.lines:
        parts.append(f'<text x="{_f(box.x + PAD_X)}" y="{_f(y + FONT)}" font-size="{FONT}">{xml_text(line)}</text>')
        y += LINE_H
    parts.append("</g>")
    return "".join(parts)


def draw_empty_columns(lay: Layout) -> str:
    """'(none)' in a stage with no boxes, so a gap reads as a gap and not as a drawing fault."""
    used = {b.column for b in lay.boxes.values() if not b.is_waypoint}
    out = []
    seen: set[str] = set()
    for i, stage in enumerate(lay.stages):
        if stage in seen:
            continue
        seen.add(stage)
        if not any(j in used for j, s in enumerate(lay.stages) if s == stage):
            out.append(
                f'<text x="{_f(column_x(i) + BOX_W / 2)}" y="{_f(lay.top + 3 * LINE_H)}" text-anchor="middle" '
                f'font-size="{FONT}" font-style="italic" fill="#888888">(none)</text>'
            )
    return "".join(out)


def draw_legend(lay: Layout) -> str:
    y = lay.content_bottom + MARGIN + 18
    x = MARGIN
    out = [f'<text x="{_f(x)}" y="{_f(y + 4)}" font-size="{FONT}" font-weight="bold">Links:</text>']
    x += 46
    for strength in ("strong", "medium", "weak"):
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x + 40)}" y2="{_f(y)}" stroke="{EDGE_COLOUR}" '
            f'stroke-width="{STRENGTH_WIDTH[strength]}"{_dash(strength)} marker-end="url(#toc-arrow)"/>'
            f'<text x="{_f(x + 48)}" y="{_f(y + 4)}" font-size="{FONT}">{strength} evidence</text>'
        )
        x += 150
    y2 = y + 24
    x = MARGIN
    out.append(
        f'<rect x="{_f(x)}" y="{_f(y2 - 8)}" width="28" height="14" rx="3" fill="{STAGE_COLOURS["outcome"]}" '
        f'stroke="{STAGE_BORDERS["outcome"]}"/>'
        f'<text x="{_f(x + 36)}" y="{_f(y2 + 4)}" font-size="{FONT}">accountable outcome</text>'
        f'<rect x="{_f(x + 180)}" y="{_f(y2 - 8)}" width="28" height="14" rx="3" fill="{CONTRIBUTES_FILL}" '
        f'stroke="{STAGE_BORDERS["outcome"]}" stroke-dasharray="5 3"/>'
        f'<text x="{_f(x + 216)}" y="{_f(y2 + 4)}" font-size="{FONT}">contributes to (shaded area)</text>'
        f'<line x1="{_f(x + 400)}" y1="{_f(y2)}" x2="{_f(x + 440)}" y2="{_f(y2)}" stroke="{LINE_COLOUR}" '
        'stroke-width="2.2" stroke-dasharray="10 4 2 4"/>'
        f'<text x="{_f(x + 448)}" y="{_f(y2 + 4)}" font-size="{FONT}">accountability line</text>'
    )
    return "".join(out)


def toc_svg(sc: Scenario, focus: set[str] | None = None) -> str:
    """The theory of change as a standalone SVG document string; `focus` limits it to those node ids."""
    lay = layout(sc, focus)
    width = max(lay.width, 620.0)  # the legend needs this much even for a tiny graph
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="toc" width="{_f(width)}" height="{_f(lay.height)}" '
        f'viewBox="0 0 {_f(width)} {_f(lay.height)}" font-family="{FONT_FAMILY}" role="img">',
        f"<title>Theory of change: {xml_text(sc.name)}</title>",
        draw_defs(),
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        draw_contributes_region(lay),
        draw_headers(lay),
        draw_band_labels(lay) if "outcome" in lay.stages else "",
        draw_empty_columns(lay),
    ]
    parts += [draw_edge(link, lay.boxes) for link in lay.links]
    parts.append(draw_accountability_line(lay))
    parts += [draw_box(b) for b in lay.boxes.values() if not b.is_waypoint]
    parts.append(draw_legend(lay))
    parts.append("</svg>")
    return "".join(parts)
