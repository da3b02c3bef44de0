"""Retrain the person-matching splink model on a built warehouse and save it as JSON.

    python -m revops.identity.train [--database warehouse/revops.duckdb] [--out .../person_model.json]

Reads the identity intermediates of a warehouse built with `dbt build` (person records, the companies they
point at, the disposable-domain seed), builds the same profiles as the dbt model, estimates u by seeded random
sampling and m by expectation maximisation, and writes the model. Commit the JSON: every build reuses it, so a
rebuild is deterministic. Then rebuild (`revops build`) and check `revops score-identity`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from revops import settings
from revops.identity import persons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revops.identity.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="built DuckDB warehouse (default $REVOPS_DUCKDB_PATH)")
    parser.add_argument("--out", default=str(persons.MODEL_PATH), help="where to write the model JSON")
    args = parser.parse_args(argv)
    database = Path(args.database) if args.database else settings.duckdb_path()
    with duckdb.connect(str(database), read_only=True) as con:
        disposable = {r[0] for r in con.execute("select domain from reference.identity_disposable_domains").fetchall()}
        prof = persons.read_profiles(con, con.table("intermediate.int_identity__person_records"),
                                     con.table("intermediate.int_identity__person_record_companies"),
                                     con.table("intermediate.int_identity__person_phones"), disposable)
    persons.train(prof, Path(args.out))
    print(f"trained on {len(prof):,} profiles from {database}; model written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
