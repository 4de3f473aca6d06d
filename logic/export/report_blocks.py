"""Building blocks of the board report: its style sheet, cell formats, tables, and charts as offline SVG.

Shared by `html_report` (the sections) and `report_financial` (the financial case), so neither imports
the other. Every piece of user text goes through `esc`; charts are drawn by vl-convert with network access
refused, and an SVG that would still reach outside the report is refused.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd
import vl_convert

from ..presentation import BASIS_NAMES, m_value, multiple, number, pct, rate
from ..presentation import CONTRACT_TYPE_NAMES as TYPE_NAMES
from .toc_svg import xml_text as esc

# How figures are written is logic.presentation's; the report's modules import these names from here.
__all__ = [
    "BASIS_NAMES",
    "CSS",
    "SOURCE_LINE",
    "TYPE_NAMES",
    "chart_svg",
    "esc",
    "facts",
    "figure",
    "frame_table",
    "html_table",
    "m_value",
    "marked_up",
    "multiple",
    "number",
    "paragraphs",
    "pct",
    "priced",
    "rate",
    "reflowed",
    "remote_references",
    "section",
]

# Charts are drawn at a fixed width: a page has no container for Vega's fit-width
# autosize to measure, and 640 plus axis labels fits portrait A4 nearly 1:1.
CHART_WIDTH = 640
SHORT_TABLE = 10
SUBTITLE_CHARS = 100  # what fits across CHART_WIDTH at Vega's subtitle size
CHART_PAD_LEFT = 36
REPORT_AUTOSIZE = alt.AutoSizeParams(type="pad")
SOURCE_LINE = "Source: GMCA Unit Cost Database v1.4 (GMCA Research Team, distributed by the Government Outcomes Lab)."
CSS = """
@page { size: A4; margin: 14mm 13mm 16mm 13mm; }
@page wide { size: A4 landscape; margin: 11mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 10.5pt; line-height: 1.4;
       color: #1b1b1b; background: #fff; max-width: 1060px; margin: 0 auto; padding: 24px 28px; }
h1 { font-size: 22pt; margin: 0.1em 0 0.3em; line-height: 1.2; }
h2 { font-size: 15pt; color: #1f5a96; border-bottom: 2px solid #1f5a96; padding-bottom: 3px; margin: 1.6em 0 0.6em; }
h3 { font-size: 11.5pt; margin: 1.3em 0 0.4em; }
h2, h3 { break-after: avoid; }
p { margin: 0.35em 0 0.6em; }
.kicker { text-transform: uppercase; letter-spacing: 0.08em; color: #555; font-size: 9pt; margin: 0; }
.description p { white-space: pre-wrap; }
.muted { color: #555; }
.small { font-size: 8.5pt; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0.8em 0; }
dl.facts dt { font-weight: bold; color: #333; }
dl.facts dd { margin: 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 0.6em 0 1em; }
.tile { flex: 1 1 150px; border: 1px solid #c9d6e3; border-radius: 6px; padding: 8px 12px; break-inside: avoid; }
.tile .label { font-size: 9pt; color: #555; }
.tile .value { font-size: 17pt; font-weight: bold; color: #1f5a96; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 0.4em 0 1em; }
th, td { border-bottom: 1px solid #d5d5d5; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef3f8; font-weight: bold; }
thead { display: table-header-group; }
table.keep { break-inside: avoid; }
table.lead th:first-child { width: 30%; }
table.narrow { font-size: 8pt; }
table.narrow th:first-child { width: 24%; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td .sub { display: block; color: #555; font-size: 8pt; }
figure { margin: 0.6em 0 1.2em; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
svg.toc { max-width: 100%; height: auto; }
.note { border-left: 4px solid #b8860b; background: #fbf6e9; padding: 6px 10px; margin: 0.6em 0; }
.warn { border-left: 4px solid #c0582c; background: #fbeee8; padding: 6px 10px; margin: 0.6em 0; }
.notes dt { font-weight: bold; margin-top: 0.5em; }
.notes dd { margin: 0 0 0 1em; white-space: pre-wrap; font-size: 8.5pt; color: #333; }
code, .hash { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 9pt; word-break: break-all; }
footer { margin-top: 2em; border-top: 1px solid #999; padding-top: 0.6em; font-size: 9pt; }
section.wide { page: wide; }
.break { break-before: page; }
p.lead { font-size: 12pt; font-weight: bold; color: #1b1b1b; margin: 0.4em 0 0.8em; }
p.price { font-size: 8.5pt; color: #555; font-style: italic; margin: 0.2em 0 0.2em; }
table.cash { font-size: 8pt; }
table.cash tr.total td { font-weight: bold; border-top: 1.5px solid #777; }
table.cash tr.after td { background: #f1f1f1; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { margin-top: 0; }
}
"""


# --- text ------------------------------------------------------------------------------


def paragraphs(text: str | None, css: str = "") -> str:
    """Free text as paragraphs (blank lines separate them; single line breaks are kept by CSS)."""
    if not text or not text.strip():
        return ""
    attr = f' class="{css}"' if css else ""
    return "".join(f"<p{attr}>{esc(p.strip())}</p>" for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


# --- building blocks ---------------------------------------------------------------------


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Iterable[int] = (),
    raw: Iterable[int] = (),
    css: str = "",
    row_classes: Sequence[str] = (),
) -> str:
    """A table of already formatted cells; numeric columns align right. Cells are escaped unless listed in raw.

    row_classes, where given, names a CSS class for each row (empty for none).
    """
    numeric, raw, rows = set(numeric), set(raw), list(rows)
    row_attr = [f' class="{c}"' if c else "" for c in row_classes] + [""] * len(rows)
    # A short table reads badly split over two pages; a long one has to be.
    classes = " ".join(c for c in (css, "keep" if len(rows) <= SHORT_TABLE else "") if c)

    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f"<th{cls(i)}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        f"<tr{attr}>" + "".join(f"<td{cls(i)}>{c if i in raw else esc(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row, attr in zip(rows, row_attr)
    )
    attr = f' class="{classes}"' if classes else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def frame_table(df: pd.DataFrame, formats: Mapping[str, Callable[[Any], str]] | None = None) -> str:
    """A DataFrame as a table: columns in `formats` are formatted by it (and align right), the rest shown as text."""
    formats = formats or {}
    cols = list(df.columns)
    rows = [[formats[c](v) if c in formats else str(v) for c, v in zip(cols, rec)] for rec in df.itertuples(False)]
    return html_table(cols, rows, numeric=[i for i, c in enumerate(cols) if c in formats])


def facts(items: Iterable[tuple[str, str]]) -> str:
    return "<dl class='facts'>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def section(anchor: str, title: str, body: str, css: str = "") -> str:
    attr = f' class="{css}"' if css else ""
    return f'<section id="{anchor}"{attr}><h2>{esc(title)}</h2>{body}</section>'


# --- charts ------------------------------------------------------------------------------

_REMOTE = re.compile(r"<image\b|@import|@font-face|url\(\s*['\"]?(?!#)|(?:href|src)\s*=\s*['\"](?!#)", re.IGNORECASE)


def legends_below(spec: Any) -> Any:
    """Put every legend under its plot: a right-hand legend would push a fixed-width chart off a portrait page."""
    if isinstance(spec, dict):
        out = {k: legends_below(v) for k, v in spec.items()}
        legend = out.get("legend")
        if isinstance(legend, dict):
            out["legend"] = {**legend, "orient": "bottom", "direction": "vertical", "columns": 1, "labelLimit": 560}
        return out
    if isinstance(spec, list):
        return [legends_below(v) for v in spec]
    return spec


def wrapped_subtitles(spec: Any) -> Any:
    """Break a long subtitle into lines: Vega draws one line as it is, past both edges of a fixed-width chart."""
    if isinstance(spec, dict):
        out = {k: wrapped_subtitles(v) for k, v in spec.items()}
        sub = out.get("subtitle")
        if isinstance(sub, str) and len(sub) > SUBTITLE_CHARS:
            out["subtitle"] = textwrap.wrap(sub, SUBTITLE_CHARS)
        return out
    if isinstance(spec, list):
        return [wrapped_subtitles(v) for v in spec]
    return spec


def namespace_ids(svg: str, prefix: str) -> str:
    """Give a chart's ids (clip paths, gradients) a prefix: several SVGs share one HTML document's id space."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


def remote_references(svg: str) -> list[str]:
    """Anything in an SVG that would make a viewer fetch something: images, imported fonts, external links."""
    return [m.group(0) for m in _REMOTE.finditer(svg)]


def chart_svg(chart: alt.TopLevelMixin, prefix: str) -> str:
    """An app chart at the report's fixed width, as SVG with no way to reach the network."""
    # The builders are the app's, whose specs Altair validates there; re-validating here only costs time.
    spec = legends_below(chart.properties(width=CHART_WIDTH, autosize=REPORT_AUTOSIZE).to_dict(validate=False))
    spec = wrapped_subtitles(spec)
    # vl-convert measures labels in its own font; a browser's is wider, so long axis labels need room on the left.
    spec["padding"] = {"left": CHART_PAD_LEFT, "top": 5, "right": 5, "bottom": 5}
    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    svg = namespace_ids(svg, prefix)
    remote = remote_references(svg)
    if remote:
        raise ValueError(f"chart {prefix} refers to something outside the report: {remote[:3]}")
    return svg


def figure(svg: str, caption: str = "") -> str:
    cap = f"<figcaption class='small muted'>{esc(caption)}</figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"


# --- words around figures -----------------------------------------------------------------


def priced(ev, text: str) -> str:
    """A caption naming the price base of the figures below it: every money figure says what its pounds are."""
    return f"<p class='price'>{esc(text)}: real terms, {esc(ev.figures['price_base'])}.</p>"


def marked_up(text: str) -> str:
    """Text from logic/ with **bold** marks, as HTML (escaped first, so only the marks become tags)."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", esc(text))


def reflowed(text: str) -> str:
    """Notes written with hard line breaks, as running text. A '- ' item starts a line (its indented lines
    join it), and so does the first unindented line after a list, or any line after a blank one."""
    out: list[str] = []
    in_item = False
    for line in text.strip().split("\n"):
        s = line.strip()
        if not s or s.startswith("- ") or not out or not out[-1] or (in_item and line[:1] not in (" ", "\t")):
            out.append(line.rstrip() if s.startswith("- ") else s)
            in_item = s.startswith("- ")
        else:
            out[-1] += " " + s
    return "\n".join(out)
