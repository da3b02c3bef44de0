"""The same models on Spark (dbt-spark's session method on a local pyspark, Java 17): every mart and quality
table equals the DuckDB build of the same raw files. Without Java or the `spark` extra this fails and says
what to install; it is not skipped."""

from __future__ import annotations

import pytest

from revops.parity import run_parity

pytestmark = pytest.mark.spark


def test_spark_build_equals_duckdb_build(tmp_path):
    report = run_parity("spark", scale=0.3, workdir=tmp_path, log=print)
    assert not report.problems, "\n".join(f"{t}: {p}" for t, p in report.problems.items())
    assert len(report.compared) >= 20
