"""The Spark target: dbt-spark's session method on a local pyspark, and a parity check with DuckDB.

    python -m revops.spark parity     load the raw files, export the landed tables to Parquet, register them
                                      in a local Spark metastore, dbt build --target spark, compare every mart
                                      and quality table with DuckDB's build of the same files
    python -m revops.spark load       register the raw tables of the DuckDB warehouse (after `revops load`)
                                      in the Spark metastore of REVOPS_SPARK_DIR; then
                                      REVOPS_TARGET=spark dbt build --exclude test_type:unit

Needs the `spark` extra (``uv sync --extra spark``: dbt-spark[session], pyspark) and Java 17. Spark keeps its
metastore (embedded Derby: one process at a time, so each step runs after the other), table files and
derby.log under one folder, REVOPS_SPARK_DIR (profiles.yml). The raw files are parsed by the same DuckDB
loader as the embedded default, so every engine sees exactly the same landed rows and rejects.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from revops.build import BuildResult, run_dbt
from revops.contract import raw_tables

# Java 17 is what pyspark 4 runs on; Debian's and Ubuntu's package install it here.
JAVA_HOMES = ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64")
RAW_META_TABLES = (("raw_meta", "load_rejects"), ("raw_meta", "loaded_files"))


class SparkUnavailable(RuntimeError):
    """pyspark or Java is missing; the message says what to install."""


def java_home() -> str:
    """JAVA_HOME of a Java 17 (the environment's, else a known install path, else the `java` on PATH)."""
    candidates = [os.environ.get("JAVA_HOME", ""), *JAVA_HOMES]
    for home in candidates:
        if home and (Path(home) / "bin" / "java").exists():
            return home
    java = shutil.which("java")
    if java:
        return str(Path(os.path.realpath(java)).parents[1])
    raise SparkUnavailable("Java not found: Spark needs Java 17. Install it (Debian/Ubuntu: "
                           "`apt-get install openjdk-17-jre-headless`) or set JAVA_HOME to a Java 17 install.")


def check_spark() -> None:
    """Fail with a clear message when the Spark target cannot run here."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailable(f"{exc.name} is not installed: the Spark target needs the `spark` extra "
                               "(`uv sync --frozen --extra spark`; `make spark-parity` does it).") from exc
    java_home()


@dataclass
class SparkWorkspace:
    """A local Spark warehouse: metastore_db/, spark-warehouse/ and derby.log under ``root``."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "REVOPS_TARGET": "spark",
            "REVOPS_SPARK_DIR": str(self.root),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "JAVA_HOME": java_home(),
        }

    def dbt(self, args: list[str], target_path: Path) -> BuildResult:
        self.root.mkdir(parents=True, exist_ok=True)
        return run_dbt(args, target_path=target_path, env=self.env, quiet=True)

    def operation(self, macro: str, tables: dict[str, str], target_path: Path) -> None:
        result = self.dbt(["run-operation", macro, "--args", yaml.safe_dump({"tables": tables})], target_path)
        if result.returncode != 0:
            raise RuntimeError(f"dbt run-operation {macro} failed on Spark:\n" + "\n".join(result.failures))


def export_landed_tables(landing_db: Path, out_dir: Path) -> dict[str, str]:
    """Every raw table of the landing database as a folder of Parquet: "schema.table" -> folder."""
    relations = [(t.schema, t.table) for t in raw_tables()] + list(RAW_META_TABLES)
    folders: dict[str, str] = {}
    with duckdb.connect(str(landing_db), read_only=True) as duck:
        for schema, table in relations:
            folder = out_dir / schema / table
            folder.mkdir(parents=True, exist_ok=True)
            duck.execute(f'copy (select * from {schema}."{table}") to \'{folder / "data.parquet"}\' (format parquet)')
            folders[f"{schema}.{table}"] = str(folder)
    return folders


def load_landed_into_spark(landing_db: Path, workspace: SparkWorkspace, target_path: Path) -> int:
    """Export the landed raw tables to Parquet and register them in the Spark metastore; returns the count."""
    folders = export_landed_tables(landing_db, workspace.root / "raw_parquet")
    workspace.operation("spark_register_raw_tables", folders, target_path)
    return len(folders)


class SparkEngine:
    """The Spark side of revops.parity: a local session warehouse under ``workdir``."""

    name = "spark"

    def __init__(self, workdir: Path):
        self.workspace = SparkWorkspace(workdir / "spark")
        self.target_path = workdir / "target-spark"
        self._exported: Path | None = None

    def load(self, landing_db: Path) -> None:
        load_landed_into_spark(landing_db, self.workspace, self.target_path)

    def build(self, args: list[str]) -> BuildResult:
        return self.workspace.dbt(args, self.target_path)

    def prepare(self, tables: list[str]) -> None:
        """Write the built tables to Parquet in one Spark session (one JVM start, not one a table)."""
        self._exported = self.workspace.root / "compared"
        self.workspace.operation("spark_export_tables", {t: str(self._exported / t) for t in tables},
                                 self.target_path)

    def fetch(self, table: str, columns: list[str]) -> list[tuple]:
        assert self._exported is not None, "prepare() the tables first"
        with duckdb.connect() as con:
            return con.execute(f"select {', '.join(columns)} "
                               f"from read_parquet('{self._exported / table}/*.parquet')").fetchall()


@contextlib.contextmanager
def spark_engine(workdir: Path) -> Iterator[SparkEngine]:
    yield SparkEngine(workdir)


def load_cli() -> int:
    """``python -m revops.spark load``: the raw tables of the DuckDB warehouse into REVOPS_SPARK_DIR's metastore."""
    from revops import settings

    check_spark()
    root = Path(os.environ.get("REVOPS_SPARK_DIR") or settings.PROJECT_DIR / "warehouse" / "spark").resolve()
    count = load_landed_into_spark(settings.duckdb_path(), SparkWorkspace(root), settings.dbt_target_dir("spark"))
    print(f"{count} raw tables registered in the Spark metastore under {root}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from revops.parity import parity_cli

    load_help = ("register the raw tables of the DuckDB warehouse (after `revops load`) in the Spark metastore of "
                 "REVOPS_SPARK_DIR; then REVOPS_TARGET=spark dbt build --exclude test_type:unit")
    return parity_cli("spark", __doc__, argv, {"load": (load_help, load_cli)})


if __name__ == "__main__":
    sys.exit(main())
