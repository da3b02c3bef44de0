"""The README's make targets on a fresh clone: `make lint` and `make docs` start dbt (sqlfluff's dbt templater, `dbt
docs generate`), which opens the DuckDB warehouse file, creating the file but not its folder; a fresh clone has no
warehouse/ yet. The tools are stand-ins here (BIN points at them), so this checks the Makefile in a second."""

from __future__ import annotations

import os
import shutil
import subprocess
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
