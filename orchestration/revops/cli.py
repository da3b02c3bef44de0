"""`revops`: the project's command line (console script; also `python -m revops`).

    revops run        the main job: the sample company if data/raw is empty, load, dbt build, checks, summary
    revops generate   write the sample company (see `revops generate --help`)
    revops load       land the raw files in the warehouse
    revops build      dbt build (arguments after `--` go to dbt); --changed: only what new data or edits reach
    revops score-identity
                      score the identity crosswalks against the generator's ground truth (F1; see its --help)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from revops import settings

log = logging.getLogger("revops")


def _has_raw_data(raw_dir: Path) -> bool:
    """Whether ``raw_dir`` holds any CSV or Parquet file, its suffix in any case (as the loader reads them)."""
    from revops.load import file_kind

    return raw_dir.is_dir() and any(file_kind(p) for p in raw_dir.rglob("*") if p.is_file())


def cmd_generate(args: argparse.Namespace) -> int:
    from revops.generator import generate

    raw_dir, truth_dir = Path(args.out or settings.raw_dir()), Path(args.truth or settings.truth_dir())
    if _has_raw_data(raw_dir) and not args.force:
        from revops.generator.core import SAMPLE_MARKER

        if (raw_dir / SAMPLE_MARKER).exists():
            print(f"{raw_dir} already holds the sample company; kept (`revops generate --force` writes it anew)")
        else:  # someone's exports, perhaps: --force would not overwrite them either (check_sample_folder)
            print(f"{raw_dir} already holds raw files the generator did not write; kept (to generate the sample, "
                  "name another folder with --out)")
        return 0
    counts = generate(raw_dir, truth_dir, seed=args.seed, scale=args.scale, fmt=args.format)
    print(f"wrote {sum(counts.values()):,} rows in {len(counts)} tables to {raw_dir} (ground truth in {truth_dir})")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from revops.load import load_all

    results = load_all(Path(args.raw_dir or settings.raw_dir()), settings.duckdb_path(),
                       full_refresh=args.full_refresh, copy_parquet=args.copy)
    loaded = sum(r.rows_loaded for r in results)
    rejected = sum(r.rows_rejected for r in results)
    modes = {mode: sum(1 for r in results if r.mode == mode) for mode in ("full", "append", "skip")}
    print(f"loaded {loaded:,} rows from {sum(len(r.files) for r in results)} files "
          f"({modes['full']} tables reloaded, {modes['append']} appended, {modes['skip']} unchanged); "
          f"{rejected:,} unparseable records set aside for the quarantine"
          + (f"; {sum(r.in_place for r in results)} Parquet tables read in place (keep their files where they are)"
             if any(r.in_place for r in results) else "")
          + (f"; {len(results.warnings)} files under {args.raw_dir or settings.raw_dir()} not read (see the warnings)"
             if results.warnings else ""))
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from revops.build import build

    extra = args.dbt_args[1:] if args.dbt_args[:1] == ["--"] else args.dbt_args
    try:
        result = build(changed_only=args.changed, extra_args=extra, unit_tests=not args.no_unit_tests,
                       target_path=Path(args.target_path) if args.target_path else None)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in result.unreadable_files:
        print(f"error: raw file {problem}", file=sys.stderr)
    return result.returncode


OTHER_TARGET_STEPS = {
    "postgres": "`revops load` (lands the raw files in DuckDB), `python -m revops.postgres load` (copies them to "
                "the REVOPS_PG_* server), then `REVOPS_TARGET=postgres .venv/bin/dbt build`",
    "spark": "`revops load`, `python -m revops.spark load`, then "
             "`REVOPS_TARGET=spark .venv/bin/dbt build --exclude test_type:unit`",
}


def cmd_run(args: argparse.Namespace) -> int:
    """The main job."""
    from revops.build import accounting_unbalanced, build, quarantine_by_reason, rows_per_layer
    from revops.load import load_all, raw_folder_problem
    from revops.quality import QualityGateError, gate_lines, validate_marts, validate_raw

    target = os.environ.get("REVOPS_TARGET") or "dev"
    if target != "dev":
        # the job's load, gates, summary and publish read the DuckDB file: on another engine it would build there
        # on raw tables nobody loaded, and report on DuckDB's
        steps = OTHER_TARGET_STEPS.get(target, f"REVOPS_TARGET={target} .venv/bin/dbt build")
        print(f"error: `revops run` is the job on the embedded DuckDB warehouse, and REVOPS_TARGET={target}. On "
              f"{target}: {steps}. Or unset REVOPS_TARGET.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    raw_dir = settings.raw_dir()
    database = settings.duckdb_path()
    problem = raw_folder_problem(raw_dir)
    if problem and settings.raw_dir_is_set():
        # The folder of someone's exports: never fill it with the sample company.
        print(f"error: {problem} (REVOPS_RAW_DIR). Put your exports there (<system>/<table>.csv|.parquet), "
              "or unset REVOPS_RAW_DIR to run on the sample company (generated into data/raw).", file=sys.stderr)
        return 2
    if problem:
        from revops.generator import generate

        print(f"== no raw files in {raw_dir}: generating the sample company (seed {args.seed}, scale {args.scale})")
        generate(raw_dir, settings.truth_dir(), seed=args.seed, scale=args.scale, fmt="csv")

    print(f"== loading raw files from {raw_dir} into {database}")
    loads = load_all(raw_dir, database)
    print(f"   {sum(r.rows_loaded for r in loads):,} rows landed in {len(loads)} raw tables")

    print("== raw quality gate (Great Expectations)")
    try:
        gate = validate_raw(database)
    except QualityGateError as exc:
        print(*("   " + line for line in gate_lines(exc.result)), sep="\n")
        print("\nRAW GATE FAILED: fix the export, or accept a known row-count change with "
              "`python -m revops.quality raw --reset-row-counts`")
        return 1
    print(*("   " + line for line in gate_lines(gate)), sep="\n")

    print("== dbt build")
    result = build()
    if result.returncode != 0:
        print("\nBUILD FAILED:", *result.failures[:20], sep="\n  ")
        return result.returncode or 1

    print("== mart suites (Great Expectations)")
    try:
        marts_gate = validate_marts(database)
    except QualityGateError as exc:
        print(*("   " + line for line in gate_lines(exc.result)), sep="\n")
        print("\nMART SUITES FAILED")
        return 1
    print(*("   " + line for line in gate_lines(marts_gate)), sep="\n")

    print("\n== summary")
    for layer, (relations, rows) in rows_per_layer(database).items():
        print(f"   {layer:<13} {relations:>3} relations {rows:>12,} rows")
    tests = {status: n for (kind, status), n in result.statuses.items() if kind == "test"}
    print("   tests        " + ", ".join(f"{n} {status}" for status, n in sorted(tests.items())))
    quarantined = quarantine_by_reason(database)
    total_q = sum(r[3] for r in quarantined)
    print(f"   quarantined  {total_q} rows" + (":" if quarantined else ""))
    for system, table, reason, n in quarantined[:15]:
        print(f"      {n:>6}  {system}.{table}  {reason}")
    if len(quarantined) > 15:
        print(f"      ... {len(quarantined) - 15} more groups: select * from quality.raw_quarantine")
    unbalanced = accounting_unbalanced(database)
    print("   accounting   " + ("every raw row accounted for" if not unbalanced else f"UNBALANCED: {unbalanced}"))
    try:
        from revops.summary import kpi_summary_lines, leakage_summary_lines

        for line in kpi_summary_lines(database) + leakage_summary_lines(database):
            print("   " + line)
    except ImportError:
        pass
    print(f"   data docs    {settings.artifacts_dir() / 'data_docs' / 'index.html'}")
    if not unbalanced:
        from revops.publish import publish

        published = publish(database, dbt_target=settings.dbt_target_dir())
        print(f"   published    {published.path}  (read-only copy for the dashboard and BI tools)")
    print(f"\n   warehouse: {database}  ({time.perf_counter() - started:.0f} s)")
    return 0 if not unbalanced else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="revops", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="the main job: sample if data/raw is empty (never into a $REVOPS_RAW_DIR "
                                     "other than data/raw), load, build, checks, summary")
    run.add_argument("--seed", type=int, default=42, help="seed of the sample company (default 42)")
    run.add_argument("--scale", type=float, default=1.0, help="scale of the sample company (default 1)")
    run.set_defaults(func=cmd_run)

    gen = sub.add_parser("generate", help="write the sample company's raw files and ground truth")
    gen.add_argument("--out", help="raw folder (default $REVOPS_RAW_DIR or data/raw)")
    gen.add_argument("--truth", help="ground-truth folder (default $REVOPS_TRUTH_DIR or data/ground_truth)")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--scale", type=float, default=1.0)
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv")
    gen.add_argument("--force", action="store_true", help="regenerate even if raw files exist")
    gen.set_defaults(func=cmd_generate)

    load = sub.add_parser("load", help="land the raw files in the warehouse (raw_<system> schemas)")
    load.add_argument("--raw-dir", help="raw folder (default $REVOPS_RAW_DIR or data/raw)")
    load.add_argument("--full-refresh", action="store_true",
                      help="reload every table even if its files did not change")
    load.add_argument("--copy", action="store_true",
                      help="copy Parquet files into tables too (by default they are read in place, as views: "
                           "for export folders that do not stay where they are)")
    load.set_defaults(func=cmd_load)

    score = sub.add_parser("score-identity", add_help=False,
                           help="score the identity crosswalks against the generator's ground truth (F1)")
    score.add_argument("score_args", nargs=argparse.REMAINDER)
    score.set_defaults(func=lambda a: __import__("revops.identity.score", fromlist=["main"]).main(a.score_args))

    build = sub.add_parser("build", help="dbt build; extra arguments after -- go to dbt")
    build.add_argument("--changed", action="store_true",
                       help="build only what is downstream of the raw tables loaded since the last successful "
                            "build, and of models modified since then (everything if there was none)")
    build.add_argument("--no-unit-tests", action="store_true",
                       help="a production build: every model and data test, no dbt unit test (they read fixtures, "
                            "not the warehouse, and `make test` runs them); still a build of everything for "
                            "--changed")
    build.add_argument("--target-path", help="dbt target folder (default $DBT_TARGET_PATH, else target/, and "
                       "target/<REVOPS_TARGET> on another target than dev)")
    build.add_argument("dbt_args", nargs=argparse.REMAINDER)
    build.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["score-identity"]:  # its own options (--database, --truth, --no-build, --help)
        from revops.identity.score import main as score_main

        return score_main(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.func(args)
    except Exception as exc:  # a clear one-line error for a person, the traceback with -v
        if args.verbose:
            raise
        print(f"error: {settings.explain_error(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
