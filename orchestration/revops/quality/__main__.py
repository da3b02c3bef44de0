"""`python -m revops.quality raw|marts`: run a quality gate against the warehouse and print where Data Docs are."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from revops import settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m revops.quality",
        description="Great Expectations suites on the warehouse. Exit code 1 when an expectation fails; the "
                    "message names the expectation and the table. Data Docs (HTML) are written every run.")
    parser.add_argument("stage", choices=["raw", "marts"],
                        help="raw: gate on the landed raw tables (run after `revops load`); marts: after the build")
    parser.add_argument("--database", help="DuckDB file or postgresql:// URL (default $REVOPS_DUCKDB_PATH)")
    parser.add_argument("--docs-dir", help="Data Docs folder (default $REVOPS_ARTIFACTS_DIR/data_docs)")
    parser.add_argument("--state", help="raw: JSON file of the last accepted row counts "
                                        "(default $REVOPS_ARTIFACTS_DIR/quality/raw_row_counts.json)")
    parser.add_argument("--reset-row-counts", action="store_true",
                        help="raw: ignore the last run's row counts once (after a known big change of the exports)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from revops.quality import QualityGateError, gate_lines, validate_marts, validate_raw

    database = args.database or settings.duckdb_path()
    docs = Path(args.docs_dir) if args.docs_dir else None
    try:
        if args.stage == "raw":
            result = validate_raw(database, docs_dir=docs, state_path=Path(args.state) if args.state else None,
                                  reset_row_counts=args.reset_row_counts)
        else:
            result = validate_marts(database, docs_dir=docs)
    except QualityGateError as exc:
        print("\n".join(gate_lines(exc.result)), file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the warehouse locked by another process: what to do, not a traceback
        if not settings.is_lock_error(exc):
            raise
        print(f"error: {settings.explain_error(exc)}", file=sys.stderr)
        return 2
    print("\n".join(gate_lines(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
