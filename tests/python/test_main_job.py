"""The README's main job (`make run`, i.e. `revops run`) end to end, on a small sample company in a temp folder:
it loads the company (`revops generate` wrote it there: `revops run` generates the sample only into the default
data/raw, never into REVOPS_RAW_DIR), gates it, builds, checks the marts, prints a summary that matches the
warehouse, and publishes a read-only copy. Every path comes from the environment, dbt's target included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from revops.build import accounting_unbalanced, rows_per_layer
from revops.settings import PROJECT_DIR
from revops.summary import kpi_summary_lines, leakage_summary_lines


def test_main_job_end_to_end(tmp_path):
    database = tmp_path / "warehouse" / "revops.duckdb"
    target = tmp_path / "target"
    env = {**os.environ, "REVOPS_RAW_DIR": str(tmp_path / "raw"), "REVOPS_TRUTH_DIR": str(tmp_path / "truth"),
           "REVOPS_DUCKDB_PATH": str(database), "REVOPS_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
           "DBT_TARGET_PATH": str(target), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    env.pop("REVOPS_PUBLISHED_DIR", None)
    generated = subprocess.run([sys.executable, "-m", "revops", "generate", "--scale", "0.2"], env=env,
                               cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert generated.returncode == 0 and any((tmp_path / "raw").rglob("*.csv")), generated.stderr[-4000:]
    done = subprocess.run([sys.executable, "-m", "revops", "run"], env=env, cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=1800)
    out = done.stdout
    assert done.returncode == 0, (out + done.stderr)[-4000:]
    assert "no raw files in" not in out

    # the summary is the warehouse's: rows per layer, the headline KPIs, the accounting
    layers = rows_per_layer(database)
    assert layers["raw"][1] > 10_000 and layers["marts"][1] > 0
    for layer, (relations, rows) in layers.items():
        assert f"{layer:<13} {relations:>3} relations {rows:>12,} rows" in out
    kpis = kpi_summary_lines(database)
    assert kpis and not kpis[0].startswith("KPIs unavailable")
    for line in kpis:
        assert line in out
    leakage = leakage_summary_lines(database)
    assert leakage[0].startswith("revenue leakage: ") and leakage[0] in out and leakage[1] in out
    assert not accounting_unbalanced(database)
    assert "every raw row accounted for" in out
    assert "marts suites:" in out and "all passed" in out

    # dbt wrote where DBT_TARGET_PATH says, and its build had no error
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert len(results) > 300
    assert not [r["unique_id"] for r in results if r["status"] in ("error", "fail")]

    # the published copy holds every mart
    current = database.parent / "published" / "current.duckdb"
    printed = next(line.split()[1] for line in out.splitlines() if line.strip().startswith("published "))
    assert current.resolve() == Path(printed).resolve()
    with duckdb.connect(str(current), read_only=True) as con:
        published = con.execute("select count(*) from information_schema.tables where table_schema = 'marts'"
                                ).fetchone()[0]
    assert published == layers["marts"][0]
