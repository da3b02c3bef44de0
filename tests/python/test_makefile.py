"""The README's make targets: on a fresh clone `make lint` and `make docs` start dbt (sqlfluff's dbt templater, `dbt
docs generate`), which opens the DuckDB warehouse file, creating the file but not its folder (a fresh clone has no
warehouse/ yet); `make ui` generates the sample company only where `revops run` would. The tools are stand-ins here
(BIN points at them), so this checks the Makefile in seconds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from revops.settings import PROJECT_DIR

# A stand-in for sqlfluff and dbt: fails as dbt-duckdb does when the warehouse file's folder is missing.
STAND_IN = """#!/bin/sh
folder=$(dirname "$REVOPS_DUCKDB_PATH")
[ -d "$folder" ] || { echo "IO Error: Cannot open file \\"$REVOPS_DUCKDB_PATH\\": No such file or directory" >&2; exit 1; }
echo "$(basename "$0") $*" >> "$CALLS"
"""


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
@pytest.mark.parametrize("target, tool", [("lint", "sqlfluff"), ("docs", "dbt")])
def test_target_works_without_the_warehouse_folder(tmp_path, target, tool):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("sqlfluff", "dbt"):
        (bin_dir / name).write_text(STAND_IN)
        (bin_dir / name).chmod(0o755)
    database = tmp_path / "fresh" / "warehouse" / "revops.duckdb"
    env = {**os.environ, "REVOPS_DUCKDB_PATH": str(database), "CALLS": str(tmp_path / "calls")}
    # -o install: the stand-ins are the environment (no uv sync)
    done = subprocess.run(["make", "-o", "install", f"BIN={bin_dir}", target], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert database.parent.is_dir() and not database.exists()
    assert Path(env["CALLS"]).read_text().startswith(f"{tool} ")
    if target == "docs":  # its own target folder: a docs run's run_results.json is no build for `make publish`
        assert Path(env["CALLS"]).read_text().startswith("dbt docs generate --target-path target/docs")


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
@pytest.mark.parametrize("raw_dir, sample", [(None, True), ("data/raw", True), ("exports", False)])
def test_ui_generates_the_sample_only_when_revops_raw_dir_is_not_a_folder_of_yours(tmp_path, raw_dir, sample):
    """`make ui` used to run `revops generate` whatever REVOPS_RAW_DIR said: a missing or empty folder of your
    exports got the sample company written into it (which the raw assets then load), unlike `revops run`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("revops", "dagster"):
        (bin_dir / name).write_text('#!/bin/sh\necho "$(basename "$0") $*" >> "$CALLS"\n')
        (bin_dir / name).chmod(0o755)
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "python").chmod(0o755)
    env = {**os.environ, "CALLS": str(tmp_path / "calls")}
    env.pop("REVOPS_RAW_DIR", None)
    if raw_dir is not None:
        env["REVOPS_RAW_DIR"] = str(tmp_path / raw_dir) if raw_dir == "exports" else raw_dir
    done = subprocess.run(["make", "-o", "install", f"BIN={bin_dir}", f"DAGSTER_HOME_DIR={tmp_path / 'home'}", "ui"],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    calls = Path(env["CALLS"]).read_text().splitlines()
    assert calls[-1].startswith("dagster dev -h 127.0.0.1")
    assert ("revops generate" in calls) is sample, calls
    if not sample:
        assert "your exports, no sample generated there" in done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_sample_regenerates_data_raw_never_a_revops_raw_dir_of_yours(tmp_path):
    """`make sample` ("(re)generate the default sample company in data/raw") ran `revops generate --force`, which
    writes into $REVOPS_RAW_DIR when set, first deleting every contract table's files there: your exports."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "revops").write_text('#!/bin/sh\necho "$(basename "$0") $*" >> "$CALLS"\n')
    (bin_dir / "revops").chmod(0o755)
    env = {**os.environ, "CALLS": str(tmp_path / "calls"), "REVOPS_RAW_DIR": str(tmp_path / "exports")}
    done = subprocess.run(["make", "-o", "install", f"BIN={bin_dir}", "sample"], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert Path(env["CALLS"]).read_text().split() == ["revops", "generate", "--force", "--out", "data/raw"]
