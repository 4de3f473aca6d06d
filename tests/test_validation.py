"""Every validation rule of DESIGN.md, broken one at a time.

Each case mutates a copy of the valid example, writes it as YAML and loads it
with `load_scenario`, which must raise `ScenarioError` whose lines name where
the problem is, in words a non-programmer can read.
"""

from __future__ import annotations

import copy
import time

import pytest
import yaml

import logic
from logic import ScenarioError, load_scenario
from logic.snapshots import MAX_BYTES
from logic.toc import graph_warnings

# Words that give away a library's internals; none may reach a user.
JARGON = (
    "Input should",
    "function-after",
    "Value error",
    "value_error",
    "pydantic",
    "Traceback",
    "[key]",
    "model_type",
    "literal_error",
    "errors.pydantic.dev",
    "For further information",
    "Keys should be strings",
    "<stream end>",
    "NoneType",
    "datetime.",
)

# The example's nodes, by index: 0 need-care-entry, 1 act-therapy,
# 2 out-stays-home, 3 impact-safe-families.
OUT = "nodes[2] out-stays-home"
ACT = "nodes[1] act-therapy"
NEED = "nodes[0] need-care-entry"


def problem_lines(source) -> list[str]:
    """Load `source` (a dict is dumped to YAML first) and return the problem lines."""
    if isinstance(source, dict):
        source = yaml.safe_dump(source, sort_keys=False, allow_unicode=True)
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    lines = info.value.lines()
    assert lines, "a ScenarioError must carry at least one problem"
    assert str(info.value) == "\n".join(lines)
    for line in lines:
        assert "\n" not in line
        for word in JARGON:
            assert word not in line, f"jargon {word!r} in {line!r}"
    return lines


def assert_reported(lines: list[str], where: str, fragment: str) -> None:
    hits = [ln for ln in lines if ln.startswith(where) and fragment in ln]
    assert hits, f"no line at {where!r} containing {fragment!r}; got {lines}"


# --- the valid example --------------------------------------------------------


def test_the_example_is_valid(valid_doc, example_path):
    sc = load_scenario(example_path)
    assert sc.name == valid_doc["name"]
    assert [n.id for n in sc.nodes] == ["need-care-entry", "act-therapy", "out-stays-home", "impact-safe-families"]
    assert load_scenario(yaml.safe_dump(valid_doc)) == sc


def test_every_bundled_example_is_valid():
    files = sorted(logic.EXAMPLES.glob("*.yaml"))
    assert files
    for f in files:
        load_scenario(f)


def test_load_accepts_path_str_text_and_bytes(example_path):
    by_path = load_scenario(example_path)
    assert load_scenario(str(example_path)) == by_path
    assert load_scenario(example_path.read_text(encoding="utf-8")) == by_path
    assert load_scenario(example_path.read_bytes()) == by_path


# --- one rule broken at a time ----------------------------------------------------


def _set(path: str, value):
    """A mutation setting a dotted path (list indices as numbers): 'nodes.2.rate_with'."""

    def mutate(doc):
        *parents, last = path.split(".")
        cur = doc
        for key in parents:
            cur = cur[int(key)] if isinstance(cur, list) else cur[key]
        if isinstance(cur, list):
            cur[int(last)] = value
        else:
            cur[last] = value

    return mutate


def _del(path: str):
    def mutate(doc):
        *parents, last = path.split(".")
        cur = doc
        for key in parents:
            cur = cur[int(key)] if isinstance(cur, list) else cur[key]
        del cur[last]

    return mutate


def _append(path: str, item):
    def mutate(doc):
        cur = doc
        for key in path.split("."):
            cur = cur[int(key)] if isinstance(cur, list) else cur[key]
        cur.append(copy.deepcopy(item))

    return mutate


def _dup_node(doc):
    doc["nodes"].append(copy.deepcopy(doc["nodes"][3]))


def _cycle(doc):
    doc["nodes"].append(
        {"id": "out-second", "stage": "outcome", "label": "Second outcome", "rate_with": 0.5, "rate_without": 0.2}
    )
    doc["edges"].append({"source": "out-stays-home", "target": "out-second"})
    doc["edges"].append({"source": "out-second", "target": "out-stays-home"})


CASES = [
    # format and required keys
    ("wrong format", _set("format", "toc-business-case/3"), "format", "must be 'toc-business-case/2'"),
    ("format missing", _del("format"), "format", "is required"),
    ("format a number", _set("format", 1), "format", "must be 'toc-business-case/2'"),
    ("name missing", _del("name"), "name", "is required"),
    ("name empty", _set("name", ""), "name", "must not be empty"),
    ("start_year missing", _del("settings.start_year"), "settings", "start_year is required"),
    ("horizon_years missing", _del("settings.horizon_years"), "settings", "horizon_years is required"),
    ("agencies missing", _del("agencies"), "agencies", "is required"),
    ("agencies empty", _set("agencies", []), "agencies", "at least 1 entry"),
    ("intake missing", _del("cohort.intake"), "cohort", "intake is required"),
    ("intake empty", _set("cohort.intake", []), "cohort", "intake must have at least 1 entry"),
    ("nodes missing", _del("nodes"), "nodes", "is required"),
    # horizon and intake
    ("horizon 0", _set("settings.horizon_years", 0), "settings", "horizon_years must be at least 1, got 0"),
    ("horizon 101", _set("settings.horizon_years", 101), "settings", "horizon_years must be at most 100, got 101"),
    (
        "intake longer than horizon",
        _set("cohort.intake", [10] * 11),
        "cohort.intake",
        "has 11 years but the horizon is 10",
    ),
    ("negative intake", _set("cohort.intake", [60, -5, 80]), "cohort.intake[1]", "must be 0 or more, got -5"),
    # unique ids
    ("duplicate node id", _dup_node, "nodes[4] impact-safe-families", "duplicate node id 'impact-safe-families'"),
    (
        "duplicate agency id",
        _append("agencies", {"id": "council", "name": "Again"}),
        "agencies[2]",
        "duplicate agency id 'council'",
    ),
    (
        "agency called provider",
        _append("agencies", {"id": "provider", "name": "P"}),
        "agencies[2]",
        "'provider' is reserved",
    ),
    # lists of allowed words
    (
        "bad stage",
        _set("nodes.3.stage", "result"),
        "nodes[3] impact-safe-families",
        "stage must be one of 'need', 'activity', 'outcome' or 'impact', got 'result'",
    ),
    (
        "bad strength",
        _set("edges.1.strength", "very strong"),
        "edges[1]",
        "strength must be one of 'strong', 'medium' or 'weak'",
    ),
    (
        "bad benefit type",
        _set("nodes.2.benefits.0.type", "cash"),
        f"{OUT} benefits[0]",
        "type must be one of 'fiscal', 'economic' or 'social', got 'cash'",
    ),
    (
        "bad contract type",
        _set("contract.type", "grant"),
        "contract",
        "type must be one of 'none', 'fee_for_service', 'payment_by_results' or 'social_impact_bond'",
    ),
    (
        "bad payment basis",
        _set("contract.payment_basis", "net"),
        "contract",
        "payment_basis must be one of 'gross' or 'above_baseline', got 'net'",
    ),
    (
        "bad discount schedule",
        _set("settings.discount_schedule", "hyperbolic"),
        "settings",
        "discount_schedule must be one of 'constant' or 'green_book'",
    ),
    # rates and shares in [0, 1]
    ("rate_with above 1", _set("nodes.2.rate_with", 1.4), OUT, "rate_with must be between 0 and 1, got 1.4"),
    ("rate_without below 0", _set("nodes.2.rate_without", -0.1), OUT, "rate_without must be between 0 and 1, got -0.1"),
    ("attribution above 1", _set("nodes.2.attribution", 2), OUT, "attribution must be between 0 and 1, got 2"),
    ("displacement below 0", _set("nodes.2.displacement", -0.5), OUT, "displacement must be between 0 and 1"),
    ("drop_off above 1", _set("nodes.2.drop_off", 1.1), OUT, "drop_off must be between 0 and 1"),
    (
        "cashable above 1",
        _set("nodes.2.benefits.0.cashable", 1.5),
        f"{OUT} benefits[0]",
        "cashable must be between 0 and 1",
    ),
    (
        "engagement_rate above 1",
        _set("cohort.engagement_rate", 1.5),
        "cohort",
        "engagement_rate must be between 0 and 1, got 1.5",
    ),
    (
        "provider_margin above 1",
        _set("contract.provider_margin", 1.2),
        "contract",
        "provider_margin must be between 0 and 1",
    ),
    (
        "payer share above 1",
        _set("contract.outcome_payers.0.share", 1.2),
        "contract.outcome_payers[0]",
        "share must be between 0 and 1, got 1.2",
    ),
    (
        "optimism bias above 1",
        _set("settings.optimism_bias", {1: 0.0, 3: 1.5}),
        "settings.optimism_bias",
        "must be between 0 and 1",
    ),
    (
        "discount rate 0.25",
        _set("settings.discount_rate", 0.25),
        "settings",
        "discount_rate must be between 0 and 0.2, got 0.25",
    ),
    (
        "discount rate negative",
        _set("settings.discount_rate", -0.01),
        "settings",
        "discount_rate must be between 0 and 0.2",
    ),
    # amounts >= 0
    ("negative setup", _set("nodes.1.costs.0.setup", -1), f"{ACT} costs[0]", "setup must be 0 or more, got -1"),
    ("negative per_year", _set("nodes.1.costs.0.per_year", -120000), f"{ACT} costs[0]", "per_year must be 0 or more"),
    (
        "negative per_participant",
        _set("nodes.1.costs.0.per_participant", -1.5),
        f"{ACT} costs[0]",
        "per_participant must be 0 or more",
    ),
    (
        "negative benefit value",
        _set("nodes.2.benefits.0.value", -55000),
        f"{OUT} benefits[0]",
        "value must be 0 or more",
    ),
    ("negative price", _set("nodes.2.price", -1), OUT, "price must be 0 or more"),
    ("negative cap", _set("contract.cap", -1), "contract", "cap must be 0 or more"),
    ("negative population", _set("nodes.0.population", -140), NEED, "population must be 0 or more"),
    ("negative unit cost", _set("nodes.0.unit_cost", -1), NEED, "unit_cost must be 0 or more"),
    ("absurd amount", _set("nodes.2.price", 1e20), OUT, "price must be at most"),
    # every number finite
    ("NaN price", _set("nodes.2.price", float("nan")), OUT, "price must be a finite number"),
    (
        "inf per_year",
        _set("nodes.1.costs.0.per_year", float("inf")),
        f"{ACT} costs[0]",
        "per_year must be a finite number",
    ),
    (
        "-inf value",
        _set("nodes.2.benefits.0.value", float("-inf")),
        f"{OUT} benefits[0]",
        "value must be a finite number",
    ),
    ("NaN rate", _set("nodes.2.rate_with", float("nan")), OUT, "rate_with must be a finite number"),
    (
        "NaN discount rate",
        _set("settings.discount_rate", float("nan")),
        "settings",
        "discount_rate must be a finite number",
    ),
    ("inf cap", _set("contract.cap", float("inf")), "contract", "cap must be a finite number"),
    ("NaN intake", _set("cohort.intake", [60, float("nan")]), "cohort.intake[1]", "must be a finite number"),
    (
        "NaN uncertainty low",
        _set("uncertainty.parameters.0.low", float("nan")),
        "uncertainty.parameters[0]",
        "low must be a finite number",
    ),
    # evidence grade
    ("evidence grade 7", _set("nodes.2.evidence_grade", 7), OUT, "evidence_grade must be one of 1, 2, 3, 4, 5, 6"),
    ("evidence grade not whole", _set("nodes.2.evidence_grade", 2.5), OUT, "evidence_grade must be a whole number"),
    # references to agencies
    (
        "unknown benefit agency",
        _set("nodes.2.benefits.0.agency", "police"),
        f"{OUT} benefits[0]",
        "agency 'police' is not in agencies",
    ),
    (
        "unknown cost payer",
        _set("nodes.1.costs.0.payer", "police"),
        f"{ACT} costs[0]",
        "payer 'police' is not 'provider', 'investor' or an agency id",
    ),
    ("unknown need agency", _set("nodes.0.agency", "police"), NEED, "agency 'police' is not in agencies"),
    (
        "unknown outcome payer",
        _set("contract.outcome_payers.1.agency", "police"),
        "contract.outcome_payers[1]",
        "agency 'police' is not in agencies",
    ),
    (
        "shares not summing to 1",
        _set("contract.outcome_payers.1.share", 0.3),
        "contract.outcome_payers",
        "shares must sum to 1, got 1.1",
    ),
    (
        "bond without payers",
        _set("contract.outcome_payers", []),
        "contract.outcome_payers",
        "needs at least one outcome payer",
    ),
    # outcomes need their rates
    ("outcome without rate_without", _del("nodes.2.rate_without"), OUT, "rate_without is required"),
    # the graph
    (
        "edge to a missing node",
        _set("edges.1.target", "out-nowhere"),
        "edges[1]",
        "target 'out-nowhere' is not a node id",
    ),
    (
        "edge from a missing node",
        _set("edges.0.source", "need-nowhere"),
        "edges[0]",
        "source 'need-nowhere' is not a node id",
    ),
    (
        "need to outcome",
        _append("edges", {"source": "need-care-entry", "target": "out-stays-home"}),
        "edges[3]",
        "a link from need 'need-care-entry' to outcome 'out-stays-home' is not allowed",
    ),
    (
        "impact to need",
        _append("edges", {"source": "impact-safe-families", "target": "need-care-entry"}),
        "edges[3]",
        "a link from impact 'impact-safe-families' to need 'need-care-entry' is not allowed",
    ),
    (
        "activity to impact",
        _append("edges", {"source": "act-therapy", "target": "impact-safe-families"}),
        "edges[3]",
        "is not allowed",
    ),
    (
        "self link",
        _append("edges", {"source": "out-stays-home", "target": "out-stays-home"}),
        "edges[3]",
        "links to itself",
    ),
    (
        "duplicate link",
        _append("edges", {"source": "act-therapy", "target": "out-stays-home"}),
        "edges[3]",
        "listed twice",
    ),
    ("outcome cycle", _cycle, "edges", "the links form a cycle"),
    # unknown keys and wrong types
    ("typo rate_wth", _set("nodes.2.rate_wth", 0.5), OUT, "unknown key 'rate_wth'"),
    ("typo at the top", _set("setings", {}), "unknown key 'setings'", "did you mean 'settings'?"),
    ("typo in a benefit", _set("nodes.2.benefits.0.valeu", 1), f"{OUT} benefits[0]", "unknown key 'valeu'"),
    ("number written as text", _set("nodes.2.rate_with", "0.7"), OUT, "rate_with must be a number, got the text '0.7'"),
    ("whole number as text", _set("settings.horizon_years", "10"), "settings", "horizon_years must be a whole number"),
    (
        "horizon not whole",
        _set("settings.horizon_years", 10.5),
        "settings",
        "horizon_years must be a whole number, got 10.5",
    ),
    ("true for a number", _set("nodes.2.price", True), OUT, "price must be a number, got true"),
    ("empty value for a number", _set("nodes.2.price", None), OUT, "price must be a number, got an empty value"),
    ("text for a list", _set("cohort.intake", "60, 80"), "cohort", "intake must be a list"),
    ("number for text", _set("nodes.2.label", 5), OUT, "label must be text, got 5"),
    ("node not a mapping", _set("nodes.3", "impact"), "nodes[3]", "must be a mapping"),
    ("text for true/false", _set("nodes.2.accountable", "maybe"), OUT, "accountable must be true or false"),
    (
        "optimism grade not a number",
        _set("settings.optimism_bias", {"high": 0.1}),
        "settings.optimism_bias",
        "key 'high' must be a whole number",
    ),
    # uncertainty parameters name real numbers
    (
        "uncertainty path typo",
        _set("uncertainty.parameters.0.path", "nodes.out-stays-home.rate_wth"),
        "uncertainty.parameters[0]",
        "path 'nodes.out-stays-home.rate_wth' is not an input that can vary",
    ),
    (
        "uncertainty path unknown node",
        _set("uncertainty.parameters.0.path", "nodes.nowhere.rate_with"),
        "uncertainty.parameters[0]",
        "'nodes.nowhere.rate_with' is not an input",
    ),
    (
        "uncertainty low above high",
        _set("uncertainty.parameters.1.low", 0.95),
        "uncertainty.parameters[1]",
        "low (0.95) must not be above high (0.9)",
    ),
    (
        "uncertainty range outside 0..1",
        _set("uncertainty.parameters.0.high", 1.2),
        "uncertainty.parameters[0]",
        "the range 0.55..1.2 goes outside the valid 0..1",
    ),
    (
        "uncertainty mode outside range",
        _set("uncertainty.parameters.0.mode", 0.9),
        "uncertainty.parameters[0]",
        "mode (0.9) must lie between low and high",
    ),
    (
        "uncertainty bad dist",
        _set("uncertainty.parameters.0.dist", "beta"),
        "uncertainty.parameters[0]",
        "dist must be one of",
    ),
]


@pytest.mark.parametrize(("mutate", "where", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_is_reported_with_its_location(valid_doc, mutate, where, fragment):
    mutate(valid_doc)
    lines = problem_lines(valid_doc)
    assert_reported(lines, where, fragment)


def test_the_design_example_line_exactly(valid_doc):
    valid_doc["nodes"][2]["rate_with"] = 1.4
    assert problem_lines(valid_doc) == ["nodes[2] out-stays-home: rate_with must be between 0 and 1, got 1.4"]


def test_typo_suggests_the_right_key(valid_doc):
    valid_doc["nodes"][2]["rate_wth"] = 0.5
    expected = (
        "nodes[2] out-stays-home: unknown key 'rate_wth' (check the spelling; unknown keys are not allowed); "
        "did you mean 'rate_with'?"
    )
    assert problem_lines(valid_doc) == [expected]


def test_evidence_grade_is_only_required_of_outcomes(valid_doc):
    # Needs, activities and impacts carry no grade; a table without 3 must not flag them.
    valid_doc["settings"]["optimism_bias"] = {1: 0.0, 2: 0.05, 4: 0.15}
    lines = problem_lines(valid_doc)
    assert lines == [
        "nodes[2] out-stays-home: evidence_grade must be one of 1, 2, 4 (the grades in settings.optimism_bias), got 3"
    ]
    valid_doc["nodes"][2]["evidence_grade"] = 4
    load_scenario(yaml.safe_dump(valid_doc))


def test_empty_optimism_bias_table_reads_well(valid_doc):
    valid_doc["settings"]["optimism_bias"] = {}
    (line,) = problem_lines(valid_doc)
    assert line.startswith(OUT) and "settings.optimism_bias is empty" in line


# --- several problems at once ----------------------------------------------------


def test_same_kind_problems_are_all_reported(valid_doc):
    second = copy.deepcopy(valid_doc["nodes"][2])
    second["id"] = "out-second"
    second["rate_with"] = 2.0
    valid_doc["nodes"].append(second)
    valid_doc["nodes"][2]["rate_with"] = 1.4
    valid_doc["cohort"]["engagement_rate"] = -1
    lines = problem_lines(valid_doc)
    assert "nodes[2] out-stays-home: rate_with must be between 0 and 1, got 1.4" in lines
    assert "nodes[4] out-second: rate_with must be between 0 and 1, got 2" in lines
    assert "cohort: engagement_rate must be between 0 and 1, got -1" in lines
    assert len(lines) == 3


def test_reference_problems_are_all_reported(valid_doc):
    valid_doc["nodes"][2]["benefits"][0]["agency"] = "police"
    valid_doc["nodes"][1]["costs"][0]["payer"] = "fire"
    valid_doc["nodes"][0]["agency"] = "health"
    valid_doc["contract"]["outcome_payers"][1]["agency"] = "dwp"
    valid_doc["edges"][2]["target"] = "nowhere"
    lines = problem_lines(valid_doc)
    assert_reported(lines, f"{OUT} benefits[0]", "'police'")
    assert_reported(lines, f"{ACT} costs[0]", "'fire'")
    assert_reported(lines, NEED, "'health'")
    assert_reported(lines, "contract.outcome_payers[1]", "'dwp'")
    assert_reported(lines, "edges[2]", "'nowhere'")
    assert len(lines) == 5


def test_several_bad_intake_years(valid_doc):
    valid_doc["cohort"]["intake"] = [-1, 80, -2, "many"]
    lines = problem_lines(valid_doc)
    assert_reported(lines, "cohort.intake[0]", "must be 0 or more, got -1")
    assert_reported(lines, "cohort.intake[2]", "must be 0 or more, got -2")
    assert_reported(lines, "cohort.intake[3]", "must be a number, got 'many'")


# --- the file itself -------------------------------------------------------------


def test_duplicate_yaml_key(example_path):
    text = example_path.read_text(encoding="utf-8").replace("  currency: GBP\n", "  currency: GBP\n  currency: EUR\n")
    (line,) = problem_lines(text)
    assert line.startswith("file: line 10")
    assert "duplicate key 'currency'" in line and "first on line 9" in line


def test_duplicate_yaml_key_in_a_node(example_path):
    text = example_path.read_text(encoding="utf-8").replace(
        "    rate_with: 0.70\n", "    rate_with: 0.70\n    rate_with: 0.75\n"
    )
    (line,) = problem_lines(text)
    assert "duplicate key 'rate_with'" in line


@pytest.mark.parametrize("text", ["", "\n", "   \n# only a comment\n"], ids=["empty", "newline", "comment"])
def test_empty_file(text):
    assert problem_lines(text) == ["file: is empty"]
    assert problem_lines(text.encode()) == ["file: is empty"]


def test_list_document():
    (line,) = problem_lines("- format: toc-business-case/1\n- name: x\n")
    assert line == "file: must be a mapping of keys to values, got a list"


def test_plain_text_document():
    (line,) = problem_lines("just some words\n")
    assert line.startswith("file: must be a mapping")


def test_two_documents(example_path):
    text = example_path.read_text(encoding="utf-8")
    (line,) = problem_lines(text + "---\n" + text)
    assert "exactly one YAML document" in line


def test_python_object_tag_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran"
    text = f'!!python/object/apply:os.system ["touch {marker}"]\n'
    (line,) = problem_lines(text)
    assert line.startswith("file: line 1")
    assert "tag that is not allowed" in line
    assert not marker.exists()


def test_python_tag_inside_a_scenario(example_path, tmp_path):
    marker = tmp_path / "ran"
    text = example_path.read_text(encoding="utf-8").replace(
        "description: free text", f'description: !!python/object/apply:os.system ["touch {marker}"]'
    )
    (line,) = problem_lines(text)
    assert line.startswith("file: line 3")
    assert not marker.exists()


def test_non_utf8_bytes(example_path):
    data = example_path.read_bytes().replace(b"free text", b"caf\xe9 text")
    (line,) = problem_lines(data)
    assert line.startswith("file: is not UTF-8 text")


def test_non_utf8_file(example_path, tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(example_path.read_bytes().replace(b"free text", b"\xff\xfe"))
    (line,) = problem_lines(bad)
    assert "UTF-8" in line


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_alias_bomb_is_refused_quickly(example_path):
    text = BILLION_LAUGHS + example_path.read_text(encoding="utf-8").replace(
        "description: free text", "description: *i"
    )
    start = time.perf_counter()
    (line,) = problem_lines(text)
    assert time.perf_counter() - start < 2
    assert line.startswith("file: ") and "aliases" in line and "refusing" in line


def test_many_aliases_are_refused():
    text = "x: &x 1\ny: [" + ", ".join(["*x"] * 500) + "]\n"
    (line,) = problem_lines(text)
    assert "aliases" in line


def test_a_few_aliases_are_fine(example_path):
    # Anchors are ordinary YAML: reusing a benefit line must keep working.
    text = example_path.read_text(encoding="utf-8")
    text = text.replace(
        "      - agency: council\n        value: 55000", "      - &ben\n        agency: council\n        value: 55000"
    )
    assert "&ben" in text
    sc = load_scenario(text)
    assert sc.outcomes[0].benefits[0].value == 55000


def test_file_over_5_mb(example_path, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(example_path.read_bytes() + b"# " + b"x" * MAX_BYTES + b"\n")
    (line,) = problem_lines(big)
    assert line.startswith(str(big)) and "5 MB" in line


def test_text_over_5_mb(example_path):
    text = example_path.read_text(encoding="utf-8") + "# " + "x" * MAX_BYTES + "\n"
    (line,) = problem_lines(text)
    assert line.startswith("file: is 5.") and "5 MB" in line


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    (line,) = problem_lines(missing)
    assert line == f"{missing}: cannot be read (No such file or directory)"
    (line,) = problem_lines(str(missing))
    assert "cannot be read" in line


def test_broken_yaml_names_the_line():
    (line,) = problem_lines("format: toc-business-case/1\nname: [unclosed\n")
    assert line.startswith("file: line ")


def test_tab_indentation_reads_well(example_path):
    text = example_path.read_text(encoding="utf-8").replace("  start_year", "\tstart_year")
    (line,) = problem_lines(text)
    assert "tab" in line and "spaces" in line


def test_deep_nesting_is_refused():
    (line,) = problem_lines("a: " + "[" * 3000 + "]" * 3000 + "\n")
    assert line.startswith("file: ")


# --- graph warnings (not errors) ----------------------------------------------------


def _warnings(doc: dict) -> list[str]:
    return graph_warnings(load_scenario(yaml.safe_dump(doc)))


def test_valid_example_has_no_warnings(valid_doc):
    assert _warnings(valid_doc) == []


def test_warning_activity_without_need(valid_doc):
    valid_doc["edges"] = [e for e in valid_doc["edges"] if e["source"] != "need-care-entry"]
    warnings = _warnings(valid_doc)
    assert warnings == ["Activity 'Intensive family therapy, 5 months' answers no need: link a need to it."]


def test_warning_outcome_no_activity_reaches(valid_doc):
    valid_doc["nodes"].append(
        {"id": "out-orphan", "stage": "outcome", "label": "Orphan outcome", "rate_with": 0.5, "rate_without": 0.4}
    )
    valid_doc["edges"].append({"source": "out-orphan", "target": "impact-safe-families"})
    assert _warnings(valid_doc) == ["Outcome 'Orphan outcome' is reached by no activity."]


def test_outcome_reached_through_another_outcome_is_fine(valid_doc):
    valid_doc["nodes"].append(
        {"id": "out-later", "stage": "outcome", "label": "Later outcome", "rate_with": 0.5, "rate_without": 0.4}
    )
    valid_doc["edges"].append({"source": "out-stays-home", "target": "out-later"})
    assert _warnings(valid_doc) == []


def test_warning_impact_no_outcome_reaches(valid_doc):
    valid_doc["nodes"].append({"id": "impact-lonely", "stage": "impact", "label": "Lonely impact"})
    assert _warnings(valid_doc) == ["Impact 'Lonely impact' is reached by no outcome."]


def test_all_three_warnings_together(valid_doc):
    valid_doc["edges"] = []
    warnings = _warnings(valid_doc)
    assert len(warnings) == 3
    assert any(w.startswith("Activity ") for w in warnings)
    assert any(w.startswith("Outcome ") for w in warnings)
    assert any(w.startswith("Impact ") for w in warnings)


def test_scenario_error_is_a_value_error():
    # callers that catch ValueError keep working
    assert issubclass(ScenarioError, ValueError)
