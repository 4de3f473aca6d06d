"""The command line: `python -m logic validate|evaluate|simulate|export|place FILE`, `new OUT`, `templates`."""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import ScenarioError, evaluate, load_scenario, simulate
from .report_text import headline_table, simulation_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m logic", description="Theory of change to business case.")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser(
        "validate", help="check a snapshot or a place file; exit 0 and 'ok', or exit 2 and one line per problem"
    )
    v.add_argument("file")
    e = sub.add_parser("evaluate", help="the headline figures")
    e.add_argument("file")
    e.add_argument("--json", action="store_true", help="one JSON object, money unrounded")
    m = sub.add_parser("simulate", help="Monte Carlo summary of the uncertain inputs")
    m.add_argument("file")
    m.add_argument("--draws", type=int, default=None, help="number of draws (default: the file's uncertainty.draws)")
    m.add_argument("--seed", type=int, default=None, help="random seed (default: the file's uncertainty.seed)")
    m.add_argument("--json", action="store_true")
    x = sub.add_parser("export", help="the Excel workbook (live formulas) and / or the board report (HTML)")
    x.add_argument("file")
    x.add_argument("--xlsx", metavar="OUT", help="write the workbook here")
    x.add_argument("--html", metavar="OUT", help="write the report here")
    n = sub.add_parser("new", help="write a blank programme, or a template, as a snapshot to fill in")
    n.add_argument("file", metavar="OUT")
    n.add_argument("--template", metavar="NAME", help="start from this template (see `templates`)")
    sub.add_parser("templates", help="the templates, one line each")
    p = sub.add_parser("place", help="a place's programmes and pooled fund (a toc-place/1 file)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="one JSON object, money unrounded")
    p.add_argument("--xlsx", metavar="OUT", help="write the fund as an Excel workbook (live formulas) here")
    p.add_argument("--html", metavar="OUT", help="write the board report (HTML) here")
    args = parser.parse_args(argv)
    if args.command == "export" and not (args.xlsx or args.html):
        print("export needs --xlsx OUT, --html OUT or both")
        return 2
    if args.command == "templates":
        return _templates()
    if args.command == "new":
        return _new(args)
    if args.command == "place" or (args.command == "validate" and _is_place(args.file)):
        return _place(args)

    try:
        sc = load_scenario(_path(args.file))
    except ScenarioError as exc:
        for line in exc.lines():
            print(line)
        return 2
    if args.command == "validate":
        print("ok")
        return 0
    if args.command == "export":
        return _export(sc, args)
    if args.command == "simulate":
        if args.draws is not None and not 1 <= args.draws <= 1_000_000:
            print("--draws must be between 1 and 1000000")
            return 2
        if args.seed is not None and args.seed < 0:
            print("--seed must be 0 or more")
            return 2
        summary = simulate(sc, draws=args.draws, seed=args.seed).to_dict()
        if args.json:
            json.dump(summary, sys.stdout, indent=2, allow_nan=False)
            print()
        else:
            print(simulation_table(summary, sc.settings.currency))
        return 0
    result = evaluate(sc).to_dict()
    if args.json:
        json.dump(result, sys.stdout, indent=2, allow_nan=False)
        print()
    else:
        print(headline_table(result, sc.settings.currency))
    return 0


def _export(sc, args) -> int:
    from pathlib import Path

    from .export.html_report import write_report
    from .export.xlsx import write_workbook

    try:
        if args.xlsx:
            write_workbook(sc, Path(args.xlsx))
            print(f"wrote {args.xlsx}")
        if args.html:
            write_report(sc, Path(args.html), source=Path(args.file).name)
            print(f"wrote {args.html}")
    except OSError as exc:  # a folder that does not exist, no permission, a full disk
        print(f"could not write {exc.filename}: {exc.strerror}")
        return 2
    return 0


def _is_place(name: str) -> bool:
    from .place_loading import is_place_document
    from .snapshots import read_document

    try:
        return is_place_document(read_document(_path(name)))
    except ScenarioError:
        return False  # the scenario route reports the problem


def _place(args) -> int:
    from .place import PlaceError, evaluate_place, load_place
    from .place_text import place_table

    try:
        evaluated = evaluate_place(load_place(_path(args.file), resolver=_store_resolver))
    except PlaceError as exc:
        for line in exc.lines():
            print(line)
        return 2
    result = evaluated.to_dict()
    if args.command == "validate":
        print("ok")
        for line in result["warnings"]:
            print(f"warning: {line}", file=sys.stderr)
        return 0
    if args.json:
        json.dump(result, sys.stdout, indent=2, allow_nan=False)
        print()
    elif not (args.xlsx or args.html):
        print(place_table(result))
    return _place_exports(evaluated, args)


def _place_exports(evaluated, args) -> int:
    """--xlsx and --html for a place: a file that cannot be written is one line and exit 2, never a traceback."""
    if not (args.xlsx or args.html):
        return 0
    from pathlib import Path

    from .export.place_report import write_place_report
    from .export.place_xlsx import write_place_workbook

    # With --json, stdout is the JSON object alone: what was written is said on stderr.
    said = sys.stderr if args.json else sys.stdout
    try:
        if args.xlsx:
            write_place_workbook(evaluated, Path(args.xlsx))
            print(f"wrote {args.xlsx}", file=said)
        if args.html:
            write_place_report(evaluated, Path(args.html), source=Path(args.file).name)
            print(f"wrote {args.html}", file=said)
    except OSError as exc:  # a folder that does not exist, no permission, a full disk
        print(f"could not write {exc.filename or args.xlsx or args.html}: {exc.strerror or exc}")
        return 2
    return 0


def _store_resolver(name: str, version: int | None):
    """A saved programme, from the store the app uses (TOC_STORE_PATH or TOC_DATABASE_URL)."""
    from .store import Store, StoreError

    try:
        return Store().load(name, version)
    except StoreError as exc:
        raise LookupError(str(exc)) from None


def _templates() -> int:
    from .templates import templates

    for t in templates():
        print(f"{t.key:24} {t.summary}")
    return 0


def _new(args) -> int:
    from pathlib import Path

    from . import dump_scenario
    from .templates import blank_scenario, template

    out = Path(args.file)
    if out.exists():
        print(f"{out} already exists; choose another name (nothing was written)")
        return 2
    try:
        sc = template(args.template).load() if args.template else blank_scenario()
    except KeyError as exc:
        print(exc.args[0])
        return 2
    try:
        out.write_text(dump_scenario(sc), encoding="utf-8")
    except OSError as exc:
        print(f"could not write {out}: {exc.strerror}")
        return 2
    print(f"wrote {out}")
    return 0


def _path(name: str):
    from pathlib import Path

    return Path(name)


def _run() -> int:
    for stream in (sys.stdout, sys.stderr):
        # A label the console cannot show must not end in a UnicodeEncodeError.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return main()
    except KeyboardInterrupt:
        return 130
    except MemoryError:  # a valid scenario can still ask for more than the machine has (a million draws)
        print("error: not enough memory for this; with simulate, try fewer draws (--draws)", file=sys.stderr)
        return 1
    except RecursionError:
        print("error: the scenario is too deeply nested to work with", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `python -m logic evaluate x.yaml --json | head`
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's final flush is quiet
        except OSError:
            pass
        return 0
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_run())
