"""Where every box and arrow of the theory of change goes: one layout for the app's map and the report.

Four columns - Needs, Activities, Outcomes, Impact - read left to right. Outcomes that lead to
other outcomes get a second sub-column inside Outcomes, so arrows point right (deeper chains stay
in the last sub-column). The accountability line separates what the programme answers for
(accountable outcomes, the top band of Outcomes) from what it only contributes to (the other
outcomes, below the line, and the impacts).

Sizes are the drawing's units, pixels at 100%: a map of five columns is about 900 wide, which fits
the app's main area at 1280 pixels and a landscape A4 page near 1:1.

A box with a `position` (where the room dragged it) keeps that place as far as the columns and the
accountability line allow: its y, and for an outcome its x chooses the sub-column (never one left
of an outcome that leads to it). Boxes never overlap: in each column they are pushed down in order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import Node, Scenario
from .toc import wrap_words

FONT = 12
LINE_H = 14
FIGURE_FONT = 10.5
FIGURE_H = 14
TAG_FONT = 9
TAG_H = 13
PAD_X = 8
PAD_Y = 6
BOX_W = 146
COL_GAP = 36
ROW_GAP = 12
BAND_GAP = 30  # room for the accountability line between the two outcome bands
MARGIN = 12
HEADER_H = 36
BAND_LABEL_H = 16
LEGEND_H = 58
CHARS_PER_LINE = 21  # what fits in BOX_W at FONT in a Helvetica-like face
MAX_LINES = 5
MAX_LINES_CROWDED = 3  # a column this full would otherwise run to several pages
CROWDED = 14
MAX_OUTCOME_SUBCOLUMNS = 2  # short and longer term; deeper chains stay in the second and loop back
SWEEPS = 4
WAYPOINT_H = 4  # the lane a long link takes through a column it skips


@dataclass
class Box:
    """A node's box, or a waypoint (node None) where a long link crosses a column."""

    id: str
    column: int
    lower: bool  # below the accountability line (only outcomes and the waypoints among them)
    node: Node | None = None
    lines: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)  # the figures that matter at a glance, one per line
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
        return 2 * PAD_Y + tag + LINE_H * max(1, len(self.lines)) + FIGURE_H * len(self.figures)

    @property
    def mid_y(self) -> float:
        return self.y + self.height / 2


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
            # Deeper chains stay in the last sub-column (never left of what leads to them).
            deeper = min(depth[u] + 1, MAX_OUTCOME_SUBCOLUMNS - 1)
            if depth[v] < deeper:
                depth[v] = deeper
                changed = True
        if not changed:
            break
    return depth


def column_x(i: int) -> float:
    return MARGIN + i * (BOX_W + COL_GAP)


def _chosen_subcolumn(node: Node, n_sub: int) -> int:
    """The outcome sub-column nearest where the room dropped the box (0 without a position)."""
    if node.position is None:
        return 0
    best = min(range(n_sub), key=lambda k: abs(column_x(2 + k) - node.position.x))  # type: ignore[union-attr]
    return best


def assign_columns(nodes: list[Node], edges: list[tuple[str, str]]) -> tuple[dict[str, int], list[str]]:
    """Column index per node id, and each column's stage (outcomes may span two columns)."""
    outcomes = [n.id for n in nodes if n.stage == "outcome"]
    depth = outcome_depths(outcomes, edges)
    n_sub = max(depth.values(), default=0) + 1
    if any(n.stage == "outcome" and n.position is not None for n in nodes):
        # A room may push an outcome to the right, into the longer-term sub-column.
        n_sub = max(n_sub, *(_chosen_subcolumn(n, MAX_OUTCOME_SUBCOLUMNS) + 1 for n in nodes if n.stage == "outcome"))
        # Never left of an outcome that leads to it: pushing one right pushes what it leads to.
        for n in nodes:
            if n.stage == "outcome":
                depth[n.id] = max(depth[n.id], _chosen_subcolumn(n, n_sub))
        inner = [(u, v) for u, v in edges if u in depth and v in depth and u != v]
        for _ in range(len(outcomes)):
            moved = False
            for u, v in inner:
                if depth[v] < depth[u] and depth[u] < n_sub:
                    depth[v] = depth[u]
                    moved = True
            if not moved:
                break
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
        ends.sort()
        for i, (_, b1) in enumerate(ends):
            for _, b2 in ends[i + 1 :]:
                if b2 < b1:
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
        if best_crossings == 0:
            break
    return best


# --- geometry --------------------------------------------------------------------------


def _stack(boxes: list[Box], top: float, band_height: float) -> None:
    """Place boxes one under another, the stack centred in its band."""
    y = top + (band_height - _stack_height(boxes)) / 2
    for b in boxes:
        b.y = y
        y += b.height + ROW_GAP


def _stack_height(boxes: list[Box]) -> float:
    return sum(b.height for b in boxes) + ROW_GAP * max(0, len(boxes) - 1)


def _settle(boxes: list[Box], top: float) -> None:
    """Boxes the room placed go where they were put; then, top to bottom, each clears the one above."""
    for b in boxes:
        if b.node is not None and b.node.position is not None:
            b.y = b.node.position.y
    floor = top
    for b in sorted(boxes, key=lambda b: b.y):
        b.y = max(b.y, floor)
        floor = b.y + b.height + ROW_GAP


def _edge_tip(assumption: str | None, evidence: str | None) -> str:
    return " - ".join(t for t in (assumption, evidence and f"evidence: {evidence}") if t)


def make_boxes(
    sc: Scenario, focus: set[str] | None, figures: dict[str, list[str]] | None = None
) -> tuple[dict[str, Box], list[Link], list[str]]:
    """A box per node in focus, and a waypoint box wherever a link skips a column."""
    nodes = [n for n in sc.nodes if focus is None or n.id in focus]
    ids = {n.id for n in nodes}
    pairs = [(e.source, e.target) for e in sc.edges if e.source in ids and e.target in ids]
    column, stages = assign_columns(nodes, pairs)
    crowded = max(Counter(column.values()).values(), default=0) > CROWDED
    max_lines = MAX_LINES_CROWDED if crowded else MAX_LINES
    figures = figures or {}
    boxes = {
        n.id: Box(
            n.id,
            column[n.id],
            n.stage == "outcome" and not n.accountable,
            n,
            wrap_label(n.label, max_lines=max_lines),
            list(figures.get(n.id, [])),
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


def layout(sc: Scenario, focus: set[str] | None = None, figures: dict[str, list[str]] | None = None) -> Layout:
    """Every box's column and place, the accountability line's height and the drawing's size."""
    boxes, links, stages = make_boxes(sc, focus, figures)
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
            _settle(columns[i], top)
            continue
        _stack(upper[i], top + BAND_LABEL_H, upper_band - BAND_LABEL_H)
        _settle(upper[i], top + BAND_LABEL_H)
    if has_lower:
        # The line goes below the lowest accountable outcome, wherever the room put it.
        upper_bottom = max((b.y + b.height for i in outcome_cols for b in upper[i]), default=top)
        band_split = max(band_split or 0.0, upper_bottom + BAND_GAP / 2)
        lower_top = band_split + BAND_GAP / 2 + BAND_LABEL_H
        for i in outcome_cols:
            _stack(below[i], lower_top, top + content_h - lower_top)
            _settle(below[i], lower_top)

    assign_ports(boxes, links)
    width = 2 * MARGIN + len(stages) * BOX_W + (len(stages) - 1) * COL_GAP
    content_bottom = max([top + content_h, *(b.y + b.height for b in boxes.values())])
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


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    """A cubic from the current point (x1, y1) to (x2, y2), leaving and arriving horizontally."""
    bend = max(COL_GAP * 0.6, (x2 - x1) / 2)
    return f" C{_fmt(x1 + bend)},{_fmt(y1)} {_fmt(x2 - bend)},{_fmt(y2)} {_fmt(x2)},{_fmt(y2)}"


def edge_path(link: Link, boxes: dict[str, Box]) -> str:
    """Right side of the source to left side of the target, straight through the lanes of skipped columns."""
    a, b = boxes[link.source], boxes[link.target]
    x, y = a.x + BOX_W, a.ports_out[link.index]
    end_y = b.ports_in[link.index]
    if b.column <= a.column:
        # Only when outcome chains outgrow the sub-columns: swing out to the right of the source,
        # then come back into the target's right side.
        x2, swing = b.x + BOX_W + 1, x + COL_GAP * 0.7
        return f"M{_fmt(x)},{_fmt(y)} C{_fmt(swing)},{_fmt(y)} {_fmt(swing)},{_fmt(end_y)} {_fmt(x2)},{_fmt(end_y)}"
    d = f"M{_fmt(x)},{_fmt(y)}"
    for wid in link.waypoints:
        w = boxes[wid]
        d += _curve(x, y, w.x, w.mid_y) + f" L{_fmt(w.x + BOX_W)},{_fmt(w.mid_y)}"
        x, y = w.x + BOX_W, w.mid_y
    return d + _curve(x, y, b.x - 1, end_y)
