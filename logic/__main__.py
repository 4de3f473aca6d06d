"""The command line: `python -m logic validate|evaluate FILE`."""

from __future__ import annotations

import argparse
import json
import sys

from . import ScenarioError, evaluate, load_scenario
from .report_text import headline_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m logic", description="Theory of change to business case.")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a snapshot; exit 0 and 'ok', or exit 2 and one line per problem")
    v.add_argument("file")
    e = sub.add_parser("evaluate", help="the headline figures")
    e.add_argument("file")
    e.add_argument("--json", action="store_true", help="one JSON object, money unrounded")
    args = parser.parse_args(argv)

    try:
        sc = load_scenario(_path(args.file))
    except ScenarioError as exc:
        for line in exc.lines():
            print(line)
        return 2
    if args.command == "validate":
        print("ok")
        return 0
    result = evaluate(sc).to_dict()
    if args.json:
        json.dump(result, sys.stdout, indent=2, allow_nan=False)
        print()
    else:
        print(headline_table(result))
    return 0


def _path(name: str):
    from pathlib import Path

    return Path(name)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the promise is: never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
