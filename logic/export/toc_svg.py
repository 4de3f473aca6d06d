"""The theory of change as an inline SVG, drawn in pure Python (no graphviz binary).

One drawing for the board report and the app's map: both take their places from
logic.toc_layout and are drawn here, with the stage columns, the accountability
line and the legend. The app asks for the interactive version, which adds what a
room needs to build the map on screen (a handle to drag a link from, "+ Add" in
each column, a selected box or link drawn heavier) and marks every box and link
with its id; the report's version has none of that and no focusable parts.

The SVG is well-formed XML, carries no script, no external reference, and every
piece of user text is escaped; it is meant to be pasted into an HTML report.
"""

from __future__ import annotations

import html
import re

from ..model import Scenario
from ..toc import STAGE_BORDERS, STAGE_COLOURS, STAGE_TITLES
from ..toc_layout import (
    BOX_W,
    COL_GAP,
    FIGURE_FONT,
    FIGURE_H,
    FONT,
    LINE_H,
    MARGIN,
    PAD_X,
    PAD_Y,
    TAG_FONT,
    TAG_H,
    Box,
    Layout,
    Link,
    column_x,
    edge_path,
    layout,
    wrap_label,
)

__all__ = ["Box", "Layout", "Link", "layout", "toc_svg", "wrap_label", "xml_text"]

# The app's own face first (Streamlit serves it), then what a report's reader has; DejaVu Sans Condensed
# is the Linux fallback as wide as Arial, so labels wrapped for Arial still fit their boxes.
FONT_FAMILY = "'Source Sans', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans Condensed', sans-serif"
EDGE_COLOUR = "#555555"
LINE_COLOUR = "#b03a2e"  # the accountability line: one colour nobody else uses
CONTRIBUTES_FILL = "#f4f1ea"
SELECTED = "#1f5a96"  # the app's primary colour
FIGURE_COLOUR = "#1d3b57"
HIGHLIGHT_FILL = "#fffbe6"  # the column of the stage the page is about
# Line style carries the strength so it survives black-and-white printing.
STRENGTH_DASH = {"strong": None, "medium": "7 4", "weak": "1.5 3.5"}
STRENGTH_WIDTH = {"strong": 2.2, "medium": 1.5, "weak": 1.5}
SUBTITLES = {
    "need": "what it responds to",
    "activity": "what is done",
    "outcome": "changes for people",
    "impact": "long-term change",
}
ARTICLE = {"need": "a need", "activity": "an activity", "outcome": "an outcome", "impact": "an impact"}

# Characters XML 1.0 does not allow: a label holding one would make the SVG unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: object) -> str:
    """User text made safe for XML and HTML: escaped, and stripped of characters XML forbids."""
    return html.escape(_NOT_XML.sub("", str(text)), quote=True)


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
        '<marker id="toc-arrow-selected" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" '
        'markerWidth="11" markerHeight="11" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{SELECTED}"/></marker>'
        "</defs>"
    )


def _stage_span(lay: Layout, stage: str) -> tuple[float, float]:
    """Left x and width of a stage's columns (Outcomes may have two)."""
    cols = [i for i, s in enumerate(lay.stages) if s == stage]
    return column_x(cols[0]), len(cols) * BOX_W + (len(cols) - 1) * COL_GAP


def draw_highlight(lay: Layout, stage: str | None, outline: bool = False) -> str:
    """A pale band behind the columns of the stage the page is about; outline: its edge, drawn over the shading."""
    if stage is None or stage not in lay.stages:
        return ""
    x, span = _stage_span(lay, stage)
    paint = f'fill="none" stroke="{STAGE_BORDERS[stage]}" stroke-width="1.5"' if outline else f'fill="{HIGHLIGHT_FILL}"'
    return (
        f'<rect x="{_f(x - 6)}" y="{_f(MARGIN / 2)}" width="{_f(span + 12)}" '
        f'height="{_f(lay.content_bottom)}" rx="8" {paint}/>'
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


def _add_button(stage: str, x: float, y: float) -> str:
    words = f"Add {ARTICLE[stage]}"
    return (
        f'<g class="toc-add" data-add="{stage}" role="button" tabindex="0" aria-label="{words}">'
        f"<title>{words}: type its label beside the map</title>"
        f'<rect x="{_f(x)}" y="{_f(y)}" width="40" height="18" rx="9" fill="#ffffff" '
        f'stroke="{STAGE_BORDERS[stage]}" stroke-width="1.2"/>'
        f'<text x="{_f(x + 20)}" y="{_f(y + 13)}" text-anchor="middle" font-size="11" font-weight="bold" '
        f'fill="{STAGE_BORDERS[stage]}">+ Add</text></g>'
    )


def draw_headers(lay: Layout, interactive: bool = False) -> str:
    out = []
    for stage in dict.fromkeys(lay.stages):
        x, span = _stage_span(lay, stage)
        # Left-aligned, so "+ Add" has the right-hand end of the header to itself.
        out.append(
            f'<text x="{_f(x + 2)}" y="{_f(MARGIN + 14)}" font-size="14" font-weight="bold" '
            f'fill="{STAGE_BORDERS[stage]}">{STAGE_TITLES[stage]}</text>'
            f'<text x="{_f(x + 2)}" y="{_f(MARGIN + 28)}" font-size="{TAG_FONT + 1}" '
            f'fill="#5c5c5c">{SUBTITLES[stage]}</text>'
        )
        if interactive:
            out.append(_add_button(stage, x + span - 40, MARGIN + 2))
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
                f'<text x="{_f(x)}" y="{_f(min(band) - 5)}" font-size="{TAG_FONT + 1}" font-style="italic" '
                f'fill="#333333">{words}</text>'
            )
    return "".join(out)


def draw_edge(link: Link, boxes: dict[str, Box], interactive: bool = False, selected: bool = False) -> str:
    width = STRENGTH_WIDTH.get(link.strength, 1.5) + (1.4 if selected else 0)
    title = f"<title>{xml_text(link.tip)}</title>" if link.tip else ""
    d = edge_path(link, boxes)
    colour, marker = (SELECTED, "toc-arrow-selected") if selected else (EDGE_COLOUR, "toc-arrow")
    visible = (
        f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{_f(width)}"'
        f'{_dash(link.strength)} marker-end="url(#{marker})">{title}</path>'
    )
    if not interactive:
        return visible
    a, b = boxes[link.source], boxes[link.target]
    a_label = a.node.label if a.node else link.source
    b_label = b.node.label if b.node else link.target
    words = xml_text(f"Link from {a_label} to {b_label} ({link.strength} evidence)")
    # A wide transparent twin under the line, so a link is easy to click.
    return (
        f'<g class="toc-link{" selected" if selected else ""}" data-source="{xml_text(link.source)}" '
        f'data-target="{xml_text(link.target)}" role="button" tabindex="0" aria-label="{words}">'
        f'<path class="toc-hit" d="{d}" fill="none" stroke="#000000" stroke-opacity="0" stroke-width="12"/>'
        f"{visible}</g>"
    )


def draw_box(box: Box, interactive: bool = False, selected: bool = False) -> str:
    assert box.node is not None
    stage = box.node.stage
    fill = CONTRIBUTES_FILL if box.contributes_only else STAGE_COLOURS[stage]
    dash = ' stroke-dasharray="5 3"' if box.contributes_only else ""
    stroke, stroke_w = (SELECTED, 3.2) if selected else (STAGE_BORDERS[stage], 1.3)
    label = xml_text(box.node.label)
    if interactive:
        figures = xml_text("; ".join(box.figures))
        words = f"{STAGE_TITLES[stage]}: {label}" + (f". {figures}" if figures else "")
        opening = (
            f'<g class="toc-box{" selected" if selected else ""}" data-node="{xml_text(box.id)}" '
            f'data-stage="{stage}" role="button" tabindex="0" aria-label="{words}">'
        )
    else:
        opening = "<g>"
    parts = [
        f"{opening}<title>{label}</title>",
        f'<rect x="{_f(box.x)}" y="{_f(box.y)}" width="{BOX_W}" height="{_f(box.height)}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_w}"{dash}/>',
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
    for line in box.figures:
        parts.append(
            f'<text class="toc-figure" x="{_f(box.x + PAD_X)}" y="{_f(y + FIGURE_FONT + 1)}" '
            f'font-size="{FIGURE_FONT}" font-weight="bold" fill="{FIGURE_COLOUR}">{xml_text(line)}</text>'
        )
        y += FIGURE_H
    parts.append("</g>")
    return "".join(parts)


def draw_handle(box: Box) -> str:
    """The dot on a box's right side that a link is dragged from (not on an impact: nothing follows one)."""
    assert box.node is not None
    return (
        f'<circle class="toc-handle" data-handle="{xml_text(box.id)}" cx="{_f(box.x + BOX_W)}" '
        f'cy="{_f(box.mid_y)}" r="5" fill="#ffffff" stroke="{STAGE_BORDERS[box.node.stage]}" stroke-width="2">'
        "<title>Drag from here to another box to link them</title></circle>"
    )


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
                f'font-size="{FONT}" font-style="italic" fill="#767676">(none)</text>'
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


def map_figures(sc: Scenario) -> dict[str, list[str]]:
    """The figures on the boxes, from the central case."""
    from ..evaluation import evaluate  # noqa: PLC0415 - the engine only when the caller has no figures yet
    from ..map_figures import box_figures  # noqa: PLC0415

    return box_figures(evaluate(sc))


def toc_svg(
    sc: Scenario,
    focus: set[str] | None = None,
    *,
    figures: dict[str, list[str]] | None = None,
    highlight: str | None = None,
    selected: tuple[str, ...] | None = None,
    interactive: bool = False,
) -> str:
    """The theory of change as a standalone SVG document string.

    focus: only these node ids (a pathway); figures: node id -> lines of figures (None: worked out
    here from the central case); highlight: the stage whose columns are shaded; selected: ("node",
    id) or ("link", source, target), drawn heavier; interactive: the app's map (ids on boxes and
    links, handles, "+ Add", focusable parts).
    """
    lay = layout(sc, focus, map_figures(sc) if figures is None else figures)
    width = max(lay.width, 620.0)  # the legend needs this much even for a tiny graph
    sel_node = selected[1] if selected and selected[0] == "node" else None
    sel_link = (selected[1], selected[2]) if selected and selected[0] == "link" and len(selected) == 3 else None
    name = f"Theory of change: {xml_text(sc.name)}"
    role = f'role="group" aria-label="{name}"' if interactive else 'role="img"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="toc" width="{_f(width)}" height="{_f(lay.height)}" '
        f'viewBox="0 0 {_f(width)} {_f(lay.height)}" font-family="{FONT_FAMILY}" {role}>',
        f"<title>{name}</title>",
        draw_defs(),
        '<rect class="toc-background" width="100%" height="100%" fill="#ffffff"/>',
        draw_highlight(lay, highlight),
        draw_contributes_region(lay),
        draw_highlight(lay, highlight, outline=True),
        draw_headers(lay, interactive),
        draw_band_labels(lay) if "outcome" in lay.stages else "",
        draw_empty_columns(lay),
    ]
    parts += [draw_edge(link, lay.boxes, interactive, (link.source, link.target) == sel_link) for link in lay.links]
    parts.append(draw_accountability_line(lay))
    boxes = [b for b in lay.boxes.values() if not b.is_waypoint]
    parts += [draw_box(b, interactive, b.id == sel_node) for b in boxes]
    if interactive:
        parts += [draw_handle(b) for b in boxes if b.node is not None and b.node.stage != "impact"]
    parts.append(draw_legend(lay))
    parts.append("</svg>")
    return "".join(parts)
