"""logic.toc: the theory of change as a graph, its rules, the gaps worth a word, and the DOT drawing."""

from __future__ import annotations

from unit_scenarios import scenario, tiny_doc

from logic import toc
from logic.model import Scenario


def _tiny(**change) -> Scenario:
    doc = tiny_doc()
    for key, value in change.items():
        doc[key] = value
    return Scenario.model_validate(doc)  # not parse_scenario: these break the graph rules on purpose


def test_build_graph_carries_stages_and_link_strengths():
    g = toc.build_graph(scenario(tiny_doc()))
    assert set(g.nodes) == {"need", "act", "out", "imp"}
    assert g.nodes["act"]["stage"] == "activity" and g.nodes["out"]["label"] == "Stays at home"
    assert list(g.edges) == [("need", "act"), ("act", "out"), ("out", "imp")]
    assert g.edges["act", "out"]["strength"] == "medium" and g.edges["act", "out"]["assumption"] == ""


def test_a_valid_graph_has_no_problems_and_no_warnings():
    sc = scenario(tiny_doc())
    assert toc.graph_problems(sc) == []
    assert toc.graph_warnings(sc) == []


def test_forbidden_self_and_duplicate_links():
    edges = [
        {"source": "need", "target": "out"},  # a need cannot lead straight to an outcome
        {"source": "act", "target": "act"},
        {"source": "act", "target": "out"},
        {"source": "act", "target": "out"},
    ]
    problems = [str(p) for p in toc.graph_problems(_tiny(edges=edges))]
    assert problems == [
        "edges[0]: a link from need 'need' to outcome 'out' is not allowed (allowed: need->activity, "
        "activity->outcome, outcome->outcome, outcome->impact)",
        "edges[1]: 'act' links to itself",
        "edges[3]: the link act -> out is listed twice",
    ]


def test_a_cycle_of_outcomes_is_named():
    doc = tiny_doc()
    doc["nodes"].append({"id": "out2", "stage": "outcome", "label": "Second", "rate_with": 0.2, "rate_without": 0.1})
    doc["edges"] += [{"source": "out", "target": "out2"}, {"source": "out2", "target": "out"}]
    problems = [str(p) for p in toc.graph_problems(Scenario.model_validate(doc))]
    assert problems == ["edges: the links form a cycle: out -> out2 -> out"]


def test_links_to_unknown_nodes_are_left_to_the_reference_check():
    assert toc.graph_problems(_tiny(edges=[{"source": "nowhere", "target": "act"}])) == []


def test_warnings_name_the_gaps():
    doc = tiny_doc()
    doc["edges"] = [{"source": "act", "target": "out"}]  # no need answered, no impact reached
    doc["nodes"].append({"id": "lone", "stage": "outcome", "label": "Lonely", "rate_with": 0.2, "rate_without": 0.1})
    assert toc.graph_warnings(scenario(doc)) == [  # in the order of the boxes in the file
        "Activity 'Key worker' answers no need: link a need to it.",
        "Impact 'Children thrive' is reached by no outcome.",
        "Outcome 'Lonely' is reached by no activity.",
    ]


def test_wrap_words():
    assert toc.wrap_words("Families in crisis at home", 10) == ["Families", "in crisis", "at home"]
    assert toc.wrap_words("Supercalifragilistic", 8) == ["Supercal", "ifragili", "stic"]
    assert toc.wrap_words("", 8) == []


def test_dot_has_a_cluster_per_stage_and_the_accountability_line():
    dot = toc.to_dot(scenario(tiny_doc()))
    assert dot.startswith("digraph toc {") and dot.endswith("}")
    for stage in ("need", "activity", "outcome", "impact"):
        assert f"subgraph cluster_{stage} {{" in dot
    assert "subgraph cluster_accountability {" in dot
    assert '"act" -> "out" [penwidth=1.4 style="solid"];' in dot
    assert "cluster_outcome_beyond" not in dot  # every outcome is one the programme answers for


def test_dot_puts_contributed_outcomes_outside_the_line():
    doc = tiny_doc()
    doc["nodes"][2]["accountable"] = False
    dot = toc.to_dot(scenario(doc))
    beyond = dot.split("subgraph cluster_outcome_beyond {")[1]
    assert '"out" [label="Stays at home"' in beyond
    assert 'label="Outcomes it contributes to"' in beyond
    assert '"__empty_outcome" [label="(none yet)"' not in dot  # the band inside the line may stay empty


def test_dot_escapes_quotes_and_highlights_a_stage():
    doc = tiny_doc()
    doc["nodes"][1]["label"] = 'The "key" worker'
    dot = toc.to_dot(scenario(doc), highlight="activity")
    assert 'label="The \\"key\\" worker"' in dot
    assert 'fillcolor="#f2f2f2"' in dot  # the other stages are greyed


def test_focus_keeps_only_a_pathway():
    sc = scenario(tiny_doc())
    assert toc.pathway(sc, "out") == {"need", "act", "out"}
    dot = toc.to_dot(sc, focus=toc.pathway(sc, "out"))
    assert '"imp"' not in dot and '"out" -> "imp"' not in dot
    assert '"need" -> "act"' in dot
