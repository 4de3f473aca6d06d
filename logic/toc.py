"""The theory of change as a networkx DiGraph, its rules and its drawing."""

from __future__ import annotations

import networkx as nx

from .model import Problem, Scenario

ALLOWED_EDGES = {("need", "activity"), ("activity", "outcome"), ("outcome", "outcome"), ("outcome", "impact")}
# The stage each stage's nodes link back to, for the editors.
PREVIOUS_STAGE = {"activity": ("need",), "outcome": ("activity", "outcome"), "impact": ("outcome",)}

STAGE_TITLES = {"need": "Needs", "activity": "Activities", "outcome": "Outcomes", "impact": "Impact"}
STAGE_COLOURS = {"need": "#fde2d4", "activity": "#d7e8f7", "outcome": "#d9f0dc", "impact": "#efe0f5"}
STAGE_BORDERS = {"need": "#c0582c", "activity": "#2c6fa8", "outcome": "#2f8a3e", "impact": "#7b3f96"}
STRENGTH_STYLE = {
    "strong": 'penwidth=2.4 style="solid"',
    "medium": 'penwidth=1.4 style="solid"',
    "weak": 'penwidth=1.2 style="dashed"',
}


def build_graph(sc: Scenario) -> nx.DiGraph:
    g = nx.DiGraph()
    for n in sc.nodes:
        g.add_node(n.id, stage=n.stage, label=n.label)
    for e in sc.edges:
        g.add_edge(e.source, e.target, strength=e.strength, assumption=e.assumption or "")
    return g


def graph_problems(sc: Scenario) -> list[Problem]:
    """Errors: forbidden edge kinds, self-links, duplicate links and cycles."""
    stage = {n.id: n.stage for n in sc.nodes}
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for i, e in enumerate(sc.edges):
        if e.source not in stage or e.target not in stage:
            continue  # reported by the reference check
        kind = (stage[e.source], stage[e.target])
        if e.source == e.target:
            out.append(Problem(f"edges[{i}]", f"'{e.source}' links to itself"))
        elif kind not in ALLOWED_EDGES:
            out.append(
                Problem(
                    f"edges[{i}]",
                    f"a link from {kind[0]} '{e.source}' to {kind[1]} '{e.target}' is not allowed "
                    "(allowed: need->activity, activity->outcome, outcome->outcome, outcome->impact)",
                )
            )
        if (e.source, e.target) in seen:
            out.append(Problem(f"edges[{i}]", f"the link {e.source} -> {e.target} is listed twice"))
        seen.add((e.source, e.target))
    if not out:
        g = build_graph(sc)
        try:
            cycle = nx.find_cycle(g)
        except nx.NetworkXNoCycle:
            cycle = None
        if cycle:
            path = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
            out.append(Problem("edges", f"the links form a cycle: {path}"))
    return out


def graph_warnings(sc: Scenario) -> list[str]:
    """Gaps in the logic worth a facilitator's attention, not errors."""
    g = build_graph(sc)
    stage = nx.get_node_attributes(g, "stage")
    warnings = []
    for n in sc.nodes:
        preds = {stage.get(p) for p in g.predecessors(n.id)}
        if n.stage == "activity" and "need" not in preds:
            warnings.append(f"Activity '{n.label}' answers no need: link a need to it.")
        if n.stage == "outcome":
            reached = any(stage.get(a) == "activity" for a in nx.ancestors(g, n.id))
            if not reached:
                warnings.append(f"Outcome '{n.label}' is reached by no activity.")
        if n.stage == "impact" and "outcome" not in preds:
            warnings.append(f"Impact '{n.label}' is reached by no outcome.")
    return warnings


def wrap_words(text: str, width: int) -> list[str]:
    """Greedy word wrap for box labels (the app's map and the report's); longer words are cut."""
    words: list[str] = []
    for word in text.split():
        words += [word[i : i + width] for i in range(0, len(word), width)]
    lines: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


def _dot_text(text: str, width: int = 26) -> str:
    """Wrap a label and escape it for a DOT double-quoted string."""
    escaped = [ln.replace("\\", "\\\\").replace('"', '\\"') for ln in wrap_words(text, width)]
    return "\\n".join(escaped) or " "


def to_dot(sc: Scenario, highlight: str | None = None, focus: set[str] | None = None) -> str:
    """DOT source: left to right, one cluster per stage; `highlight` is a stage to emphasise.

    The accountability line is a box around the activities and the outcomes the
    programme answers for (accountable: true); outcomes it only contributes to
    sit outside it, beside the impact.
    """
    shown = [n for n in sc.nodes if focus is None or n.id in focus]
    lines = [
        "digraph toc {",
        '  graph [rankdir=LR, bgcolor="transparent", nodesep=0.25, ranksep=0.7, fontname="Helvetica", newrank=true];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, margin="0.12,0.06"];',
        '  edge [color="#666666", arrowsize=0.7];',
    ]
    accountable = [n for n in shown if n.stage == "outcome" and n.accountable]
    contributes = [n for n in shown if n.stage == "outcome" and not n.accountable]
    lines += _cluster(sc, "need", STAGE_TITLES["need"], [n for n in shown if n.stage == "need"], highlight, "  ")
    lines.append("  subgraph cluster_accountability {")
    lines.append(
        '    label="Accountability line: the programme answers for what is inside"; labeljust=l; fontsize=11; '
        'fontcolor="#8a1c1c"; style="dashed,rounded"; color="#8a1c1c"; penwidth=1.6;'
    )
    lines += _cluster(sc, "activity", STAGE_TITLES["activity"], [n for n in shown if n.stage == "activity"], highlight)
    title = "Outcomes it answers for" if contributes else STAGE_TITLES["outcome"]
    lines += _cluster(sc, "outcome", title, accountable, highlight, empty=not contributes)
    lines.append("  }")
    if contributes:
        lines += _cluster(sc, "outcome", "Outcomes it contributes to", contributes, highlight, "  ", suffix="_beyond")
    lines += _cluster(sc, "impact", STAGE_TITLES["impact"], [n for n in shown if n.stage == "impact"], highlight, "  ")
    for e in sc.edges:
        if focus is not None and (e.source not in focus or e.target not in focus):
            continue
        lines.append(f'  "{_id(e.source)}" -> "{_id(e.target)}" [{STRENGTH_STYLE[e.strength]}];')
    lines.append("}")
    return "\n".join(lines)


def _cluster(
    sc: Scenario,
    stage: str,
    title: str,
    nodes: list,
    highlight: str | None,
    indent: str = "    ",
    suffix: str = "",
    empty: bool = True,
) -> list[str]:
    on = highlight is None or highlight == stage
    lines = [f"{indent}subgraph cluster_{stage}{suffix} {{"]
    lines.append(
        f'{indent}  label="{_dot_text(title, 40)}"; fontsize=13; fontname="Helvetica-Bold"; '
        f'style="rounded{",filled" if highlight == stage else ""}"; color="{STAGE_BORDERS[stage] if on else "#cccccc"}"; '
        f'fillcolor="#fffbe6";'
    )
    for n in nodes:
        fill = STAGE_COLOURS[stage] if on else "#f2f2f2"
        border = STAGE_BORDERS[stage] if on else "#bbbbbb"
        font = "#000000" if on else "#777777"
        pen = 2 if highlight == stage else 1
        lines.append(
            f'{indent}  "{_id(n.id)}" [label="{_dot_text(n.label)}", fillcolor="{fill}", color="{border}", '
            f'fontcolor="{font}", penwidth={pen}];'
        )
    if not nodes and empty:
        lines.append(
            f'{indent}  "__empty_{stage}{suffix}" [label="(none yet)", style="dashed", fontcolor="#999999", color="#cccccc"];'
        )
    lines.append(f"{indent}}}")
    return lines


def _id(node_id: str) -> str:
    return node_id.replace("\\", "\\\\").replace('"', '\\"')


def pathway(sc: Scenario, node_id: str) -> set[str]:
    """The node and everything that leads to it."""
    g = build_graph(sc)
    return nx.ancestors(g, node_id) | {node_id}
