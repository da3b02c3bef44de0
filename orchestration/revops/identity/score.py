"""`revops score-identity`: score the identity crosswalks against the generator's ground truth.

Pairwise precision, recall and F1 (a pair is two source records given the same id), and cluster purity
(share of records whose predicted cluster's majority true entity is their own), for persons and companies.
A record of the truth missing from a crosswalk counts as a cluster of its own, unless staging quarantined it (a
bad value in its latest version, with no older version to keep: `quality.raw_quarantine` accounts for it, and no
identity layer can link a record it never receives): such records are left out of the score and counted apart.
Crosswalk records the truth does not list (e.g. none) are ignored. Prints ``person_f1=<x> company_f1=<y>`` among
its lines.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from revops import settings

KEY = ["source_system", "source_table", "source_id"]


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    purity: float
    records: int
    missing: int
    quarantined: int = 0

    def line(self, name: str) -> str:
        return (f"{name}: precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f} "
                f"purity={self.purity:.4f} records={self.records} missing_from_crosswalk={self.missing} "
                f"quarantined={self.quarantined}")


def _pairs(counts: pd.Series) -> int:
    c = counts.astype("int64")
    return int((c * (c - 1) // 2).sum())


def pairwise_score(pred: pd.DataFrame, truth: pd.DataFrame, pred_col: str, true_col: str,
                   quarantined: pd.DataFrame | None = None) -> Score:
    """Score predicted ids against true ids on the truth's records (missing predictions are singletons). A truth
    record missing from the predictions and listed in ``quarantined`` (KEY columns) is left out of the score."""
    t = truth[KEY + [true_col]].astype(str).drop_duplicates(KEY)
    p = pred[KEY + [pred_col]].astype({k: str for k in KEY}).drop_duplicates(KEY)
    m = t.merge(p, on=KEY, how="left")
    left_out = 0
    if quarantined is not None and len(quarantined):
        q = quarantined[KEY].astype(str).drop_duplicates().assign(_quarantined=True)
        m = m.merge(q, on=KEY, how="left")
        drop = m[pred_col].isna() & m["_quarantined"].eq(True)
        left_out = int(drop.sum())
        m = m[~drop].drop(columns="_quarantined")
    missing = int(m[pred_col].isna().sum())
    m[pred_col] = m[pred_col].where(m[pred_col].notna(), "missing:" + m[KEY].agg("|".join, axis=1))
    m[pred_col] = m[pred_col].astype(str)
    cells = m.groupby([pred_col, true_col]).size()
    tp = _pairs(cells)
    pred_pairs = _pairs(m.groupby(pred_col).size())
    true_pairs = _pairs(m.groupby(true_col).size())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    purity = cells.groupby(level=0).max().sum() / len(m) if len(m) else 1.0
    return Score(precision, recall, f1, float(purity), len(m), missing, left_out)


# the source id of a quarantined row: its raw record's `id` field (each source table's key, its first column)
QUARANTINED_IDS = """
    select source_system, source_table, split_part(split_part(raw_record, ' | ', 1), '=', 2) as source_id
    from quality.raw_quarantine
    where raw_record like 'id=_%'
"""


def score_warehouse(database: Path, truth_dir: Path) -> dict[str, Score]:
    with duckdb.connect(str(database), read_only=True) as con:
        persons = con.execute(f"select {', '.join(KEY)}, person_id from marts.xref_persons").df()
        companies = con.execute(f"select {', '.join(KEY)}, company_id from marts.xref_companies").df()
        has_quarantine = con.execute("select count(*) from information_schema.tables where table_schema = 'quality' "
                                     "and table_name = 'raw_quarantine'").fetchone()[0]
        quarantined = con.execute(QUARANTINED_IDS).df() if has_quarantine else None
    tp = pd.read_csv(Path(truth_dir) / "persons.csv", dtype=str, keep_default_na=False)
    tc = pd.read_csv(Path(truth_dir) / "companies.csv", dtype=str, keep_default_na=False)
    return {"person": pairwise_score(persons, tp, "person_id", "true_person_id", quarantined),
            "company": pairwise_score(companies, tc, "company_id", "true_company_id", quarantined)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="revops score-identity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="DuckDB warehouse (default $REVOPS_DUCKDB_PATH or warehouse/revops.duckdb)")
    parser.add_argument("--truth", help="ground-truth folder (default $REVOPS_TRUTH_DIR or data/ground_truth)")
    parser.add_argument("--no-build", action="store_true", help="score the warehouse as it is; never build it")
    args = parser.parse_args(argv)
    database = Path(args.database) if args.database else settings.duckdb_path()
    truth = Path(args.truth) if args.truth else settings.truth_dir()
    try:
        needs_build = not args.no_build and not _has_crosswalks(database)
    except duckdb.Error as exc:
        print(f"error: {settings.explain_error(exc)}", file=sys.stderr)
        return 2
    if needs_build:
        from revops.cli import main as revops_main

        print(f"== no identity crosswalks in {database}: building the default sample (revops run)")
        code = revops_main(["run"])
        if code != 0:
            return code
    if not (truth / "persons.csv").exists():
        print(f"error: no ground truth at {truth} (persons.csv, companies.csv): run `revops generate --force`",
              file=sys.stderr)
        return 2
    try:
        scores = score_warehouse(database, truth)
    except duckdb.Error as exc:
        if not settings.is_lock_error(exc):
            raise
        print(f"error: {settings.explain_error(exc)}", file=sys.stderr)
        return 2
    for name, s in scores.items():
        print(s.line(name))
    p, c = scores["person"], scores["company"]
    print(f"person_precision={p.precision:.4f} person_recall={p.recall:.4f} person_purity={p.purity:.4f}")
    print(f"company_precision={c.precision:.4f} company_recall={c.recall:.4f} company_purity={c.purity:.4f}")
    print(f"person_f1={p.f1:.4f} company_f1={c.f1:.4f}")
    return 0


def _has_crosswalks(database: Path) -> bool:
    if not database.exists():
        return False
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            n = con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                            "and table_name in ('xref_persons', 'xref_companies')").fetchone()[0]
        return n == 2
    except duckdb.Error as exc:
        if settings.is_lock_error(exc):  # a warehouse in use is no empty one: never start a run into it
            raise
        return False


if __name__ == "__main__":
    sys.exit(main())
