"""The semantic layer (models/semantic): metrics queried through MetricFlow on DuckDB equal the KPI marts.

MetricFlow runs as `mf query` does (dbt-metricflow's AdapterBackedSqlClient over the project's dbt-duckdb
profile), in a subprocess so dbt's global state stays out of the test process, on a copy of the sample warehouse
(dbt-duckdb opens its file read-write). The semantic manifest is the one the session's `dbt build` wrote.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from datetime import date

import pytest

from revops.settings import PROJECT_DIR

pytestmark = pytest.mark.slow

QUERY = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from dbt.adapters.factory import get_adapter_by_type
    from dbt_metricflow.cli.dbt_connectors.adapter_backed_client import AdapterBackedSqlClient
    from dbt_metricflow.cli.dbt_connectors.dbt_config_accessor import dbtProjectMetadata
    from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    project, manifest_file, queries = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
    metadata = dbtProjectMetadata.load_from_paths(profiles_path=project, project_path=project)
    adapter = get_adapter_by_type(metadata.profile.credentials.type)
    manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=manifest_file.read_text())
    engine = MetricFlowEngine(semantic_manifest_lookup=SemanticManifestLookup(manifest),
                              sql_client=AdapterBackedSqlClient(adapter))
    out = []
    for metrics, group_by in queries:
        result = engine.query(MetricFlowQueryRequest.create(
            metric_names=metrics, group_by_names=group_by))
        table = result.result_df
        rows = [dict(zip(table.column_names, [v.isoformat()[:10] if hasattr(v, "isoformat") else v for v in row]))
                for row in table.rows]
        out.append(rows)
    print("RESULT" + json.dumps(out, default=float))
""")


@pytest.fixture(scope="module")
def metricflow(sample_warehouse, tmp_path_factory):
    """Run MetricFlow queries [(metrics, group_by), ...] against a copy of the sample; rows as dicts."""
    manifest = sample_warehouse.target_dir / "semantic_manifest.json"
    assert manifest.exists(), "dbt build wrote no semantic_manifest.json: models/semantic did not parse"
    copy = tmp_path_factory.mktemp("metricflow") / "warehouse.duckdb"
    shutil.copyfile(sample_warehouse.database, copy)

    def run(queries: list[tuple[list[str], list[str]]]) -> list[list[dict]]:
        env = {**__import__("os").environ, "REVOPS_DUCKDB_PATH": str(copy), "DBT_PROFILES_DIR": str(PROJECT_DIR),
               "DO_NOT_TRACK": "1"}
        done = subprocess.run([sys.executable, "-c", QUERY, str(PROJECT_DIR), str(manifest), json.dumps(queries)],
                              capture_output=True, text=True, env=env, cwd=copy.parent, timeout=600)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
        assert done.returncode == 0 and lines, f"MetricFlow failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        return json.loads(lines[-1][len("RESULT"):])

    return run


def _by_month(rows: list[dict], key: str = "metric_time__month") -> dict[str, dict]:
    return {row[key][:10]: row for row in rows}


def _close(a, b, tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= tol


def test_metricflow_metrics_equal_the_kpi_marts(metricflow, sample_warehouse):
    ledger = ["mrr", "arr", "new_mrr", "churned_mrr", "active_customers", "new_customers", "nrr", "grr",
              "logo_churn_rate", "arpa"]
    deals = ["win_rate_count", "average_deal_size", "sales_cycle_days"]
    monthly = ["ltv", "cac_fully_loaded", "pipeline_velocity", "nrr_trailing_12m", "grr_trailing_12m"]
    by_month, by_segment, by_channel, deal_months, kpi_months, by_country_owner, by_quarter = metricflow([
        (ledger, ["metric_time__month"]),
        (["mrr", "active_customers"], ["metric_time__month", "company__segment"]),
        (["cac_paid_media", "paid_media_spend"], ["metric_time__month", "channel_month__channel"]),
        (deals, ["metric_time__month"]),
        (monthly, ["metric_time__month"]),
        (["mrr"], ["metric_time__month", "company__country", "company__owner"]),
        (["mrr", "opening_mrr", "active_customers", "new_mrr", "fx_mrr"], ["metric_time__quarter"]),
    ])

    kpi = sample_warehouse.df("select * from marts.kpi_monthly order by month")
    assert len(kpi) > 12
    mf = _by_month(by_month)
    # money in the marts is rounded to cents, ratios to 6 decimals
    tolerance = {"mrr": 0.01, "arr": 0.12, "new_mrr": 0.01, "churned_mrr": 0.01, "active_customers": 0,
                 "new_customers": 0, "nrr": 1e-6, "grr": 1e-6, "logo_churn_rate": 1e-6, "arpa": 0.01,
                 "win_rate_count": 1e-6, "average_deal_size": 0.01, "sales_cycle_days": 1e-6, "ltv": 1e-9,
                 "cac_fully_loaded": 1e-9, "pipeline_velocity": 1e-9, "nrr_trailing_12m": 1e-9,
                 "grr_trailing_12m": 1e-9}
    ledger_months = {r[0].isoformat() for r in sample_warehouse.query("select distinct month from marts.fct_mrr")}
    compared = 0
    for row in kpi.itertuples():
        month = row.month.strftime("%Y-%m-%d")
        got = mf.get(month)
        if month not in ledger_months:
            # a month inside the ledger's span in which no company has a ledger row (2024-01 on the sample):
            # kpi_monthly has its row at 0, the ledger metrics read fct_mrr and have none
            assert got is None, (month, got)
            assert (row.mrr, row.active_customers, row.opening_mrr, row.new_mrr, row.churned_mrr) == (0, 0, 0, 0, 0)
            continue
        assert got is not None, f"MetricFlow has no row for {month}"
        for metric in ledger:
            expected = getattr(row, metric)
            expected = None if expected != expected else expected  # NaN -> None
            if metric in ("nrr", "grr", "logo_churn_rate") and expected is None:
                continue  # undefined in the mart (no opening base): MetricFlow returns NULL or nothing
            assert _close(got[metric], expected, tolerance[metric] + 1e-9), (metric, month, got[metric], expected)
            compared += 1
    assert compared > 100

    deal_rows = _by_month(deal_months)
    for row in kpi.itertuples():
        month = row.month.strftime("%Y-%m-%d")
        for metric in deals:
            expected = getattr(row, metric)
            if expected != expected or expected is None:
                continue
            assert _close(deal_rows[month][metric], expected, tolerance[metric] + 1e-9), (metric, month)

    kpi_rows = _by_month(kpi_months)
    for row in kpi.itertuples():
        month = row.month.strftime("%Y-%m-%d")
        for metric in monthly:
            expected = getattr(row, metric)
            if expected != expected or expected is None:
                continue
            assert _close(kpi_rows[month][metric], expected, tolerance[metric] + 1e-6), (metric, month)

    # MRR by segment equals kpi_monthly_by_segment
    seg = {(r[0].isoformat(), r[1]): (r[2], r[3]) for r in sample_warehouse.query(
        "select month, segment, mrr, active_customers from marts.kpi_monthly_by_segment")}
    # Companies billing knows but the crosswalk does not (no dim_customers row: segment NULL in MetricFlow) are
    # counted in the mart's `unknown` segment, with the companies whose golden record says `unknown`: add them up.
    got: dict[tuple[str, str], list[float]] = {}
    for row in by_segment:
        key = (row["metric_time__month"][:10], row["company__segment"] or "unknown")
        total = got.setdefault(key, [0.0, 0])
        total[0] += float(row["mrr"] or 0)
        total[1] += int(row["active_customers"] or 0)
    checked = 0
    for key, (mrr, customers) in got.items():
        if key in seg and (mrr or seg[key][0]):
            assert _close(mrr, seg[key][0], 0.01 + 1e-9), key
            assert customers == seg[key][1], key
            checked += 1
    assert checked > 20

    # paid-media CAC by channel equals kpi_monthly_by_channel
    chan = {(r[0].isoformat(), r[1]): r[2] for r in sample_warehouse.query(
        "select month, channel, cac_paid_media from marts.kpi_monthly_by_channel where cac_paid_media is not null "
        "and new_customers > 0")}
    got_chan = {(r["metric_time__month"][:10], r["channel_month__channel"]): r["cac_paid_media"] for r in by_channel}
    assert chan
    for key, expected in chan.items():
        assert _close(got_chan.get(key), expected, 0.01 + 1e-9), key
    # a channel that won customers without paid media has no paid-media CAC in either (NULL, not a CAC of 0)
    unpaid = {(r[0].isoformat(), r[1]) for r in sample_warehouse.query(
        "select month, channel from marts.kpi_monthly_by_channel where new_customers > 0 "
        "and cac_paid_media_null_reason = 'no paid media in the channel'")}
    assert unpaid
    assert {key: got_chan.get(key) for key in unpaid if got_chan.get(key) is not None} == {}

    # the country and owner dimensions slice the same total
    last = kpi.iloc[-1]
    month = last["month"].strftime("%Y-%m-%d")
    total = sum(float(r["mrr"] or 0) for r in by_country_owner if r["metric_time__month"][:10] == month)
    assert total == pytest.approx(float(last["mrr"]), abs=0.05)
    assert len({r["company__owner"] for r in by_country_owner}) > 1
    assert len({r["company__country"] for r in by_country_owner}) > 1
    assert date.fromisoformat(month) == last["month"].date()

    # MRR and customer counts are balances: a quarter's MRR and paying customers are its last month's, its opening
    # MRR its first month's; flows (new MRR, FX) add up over the quarter
    quarters: dict[str, list] = {}
    for row in kpi.itertuples():
        start = date(row.month.year, 3 * ((row.month.month - 1) // 3) + 1, 1).isoformat()
        quarters.setdefault(start, []).append(row)
    got_quarters = _by_month(by_quarter, "metric_time__quarter")
    checked = 0
    for start, months in quarters.items():
        if len(months) < 3:
            continue
        got = got_quarters[start]
        assert _close(got["mrr"], months[-1].mrr, 0.01 + 1e-9), start
        assert _close(got["opening_mrr"], months[0].opening_mrr, 0.01 + 1e-9), start
        assert int(got["active_customers"]) == months[-1].active_customers, start
        assert _close(got["new_mrr"], sum(float(m.new_mrr) for m in months), 0.01 + 1e-9), start
        assert _close(got["fx_mrr"], sum(float(m.fx_mrr) for m in months), 0.01 + 1e-9), start
        checked += 1
    assert checked >= 4
