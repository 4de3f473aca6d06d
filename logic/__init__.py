"""The business-case engine: pure Python, no Streamlit.

from logic import load_scenario, evaluate
sc = load_scenario("logic/examples/edge_of_care.yaml")
res = evaluate(sc)          # res.to_dict() is the `evaluate --json` object
"""

from pathlib import Path

from .evaluation import Evaluation, evaluate
from .model import Scenario
from .snapshots import ScenarioError, dump_scenario, load_scenario, parse_scenario, snapshot_sha256
from .uncertainty import Simulation, simulate

EXAMPLES = Path(__file__).parent / "examples"
DEFAULT_EXAMPLE = EXAMPLES / "edge_of_care.yaml"

__all__ = [
    "DEFAULT_EXAMPLE",
    "EXAMPLES",
    "Evaluation",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "simulate",
    "dump_scenario",
    "evaluate",
    "load_scenario",
    "parse_scenario",
    "snapshot_sha256",
]
