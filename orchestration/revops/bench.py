"""The benchmark: how build cost grows with the company's size (`make bench`).

    python -m revops.bench [--scales 1 10 100] [--out bench/out] [--results bench/results.json]

For each scale it generates the sample company (Parquet, the four append-mostly tables as part folders),
then measures, each step in its own process so peak memory is that step's alone:
  floor_s              DuckDB reading every raw file once (the least any build must spend)
  full_build_s         `revops load --full-refresh` + `revops build --no-unit-tests`, wall time: a production
                       build, every model, seed and data test (dbt recommends running unit tests in development
                       and CI only: they read their own fixture rows, so they cost the same at every scale)
  unit_tests_s         then `dbt test --select test_type:unit` on its own, wall time (dbt's start included):
                       what a build that also runs the unit tests adds (the same at every scale)
  peak_memory_mib      the largest resident set of the load and build processes
  incremental_build_s  `revops load` + `revops build --changed` after appending 1 % new rows to the four
                       append-mostly tables, sampled from their last 31 days (what a daily export brings; usage,
                       keyed by day and customer, gets the next days of the customers of its last days): the
                       incremental `base_` models parse only the new rows, and only what is downstream of those
                       tables is rebuilt and tested
  incremental_nodes, incremental_nodes_s
                       how many nodes that build ran and the seconds dbt spent running them (its run_results);
                       the rest of incremental_build_s is fixed cost: the load, starting dbt, its parse and
                       artifacts, the build's bookkeeping
  backfill_incremental_build_s
                       the same after a second 1 % sampled from all of history (late data in every month: the
                       worst case, every forecast origin's history changes; usage gets the days its export
                       skipped, fewer than 1 % if it skipped fewer)
  full_build_cpu_busy, incremental_cpu_busy
                       share of the machine's cores busy during those dbt runs (from /proc/stat)
  identity_s           the identity models' share of the full build (from dbt's run_results)
  person_f1, company_f1  identity scored against the generator's ground truth
  gx_validation_s      Great Expectations raw + mart suites (gx_raw_s: the raw gate alone, on every raw row)
and prints a table with build ÷ floor and the growth from one scale to the next; figures go to
bench/results.json as {"machine": {...}, "runs": [...]}: the machine block names the CPU, cores, memory, the
versions of DuckDB and dbt and the project's commit, as seconds differ twofold between these machines. dbt's
run_results.json of the measured builds stay beside each scale's data as
run_results_{full,unit_tests,incremental,backfill}.json (each node's seconds: where a build goes).
It is not part of `make test` (it takes long at scale 100).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from revops.contract import INCREMENTAL_TABLES, RawTable, raw_tables
from revops.settings import PROJECT_DIR

DEFAULT_SCALES = (1.0, 10.0, 100.0)
INCREMENT_SHARE = 0.01
INCREMENT_LOADED_AT = "2026-11-03T02:00:00Z"
BACKFILL_LOADED_AT = "2026-11-04T02:00:00Z"


def cpu_ticks() -> tuple[int, int] | None:
    """(all, idle) jiffies of every core since boot, from /proc/stat (Linux); None elsewhere."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    return sum(fields), fields[3] + fields[4]  # idle + iowait


def busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """Share of all cores' time that was busy between two cpu_ticks() readings (the whole machine's, so a
    quiet machine is assumed): 1.0 means every core worked throughout, 0.5 on two cores one core idle."""
    if before is None or after is None or after[0] <= before[0]:
        return None
    return round(1 - (after[1] - before[1]) / (after[0] - before[0]), 3)


def measure(cmd: list[str], env: dict[str, str], log_path: Path) -> dict:
    """Run a command in a fresh wrapper process; return wall seconds, the peak RSS of its children (MiB) and
    the share of the machine's cores busy meanwhile."""
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"rc = subprocess.run(sys.argv[1:], stdout=open({str(log_path)!r}, 'a'), stderr=subprocess.STDOUT).returncode\n"
        "print(json.dumps({'rc': rc, 'seconds': time.perf_counter() - t,\n"
        "                  'maxrss_mib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
    )
    ticks = cpu_ticks()
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], env={**os.environ, **env}, capture_output=True,
                         text=True, cwd=PROJECT_DIR, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["cpu_busy"] = busy_share(ticks, cpu_ticks())
    if result["rc"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {result['rc']}); see {log_path}")
    return result


def file_reader(path: Path) -> str:
    """DuckDB's table function reading one raw file as exported (CSV as text)."""
    return f"read_parquet('{path}')" if path.suffix == ".parquet" else f"read_csv('{path}', all_varchar = true)"


def split_incremental_tables(raw: Path) -> None:
    """Move each append-mostly table into a folder of part files (part-00000), as an export would arrive."""
    for system, table in INCREMENTAL_TABLES:
        for ext in ("parquet", "csv"):
            single = raw / system / f"{table}.{ext}"
            if single.exists():
                folder = raw / system / table
                folder.mkdir(exist_ok=True)
                single.rename(folder / f"part-00000.{ext}")


# The time column of each append-mostly table: a "recent" increment samples its new rows from the last
# RECENT_DAYS of it (what a daily export adds); a "backfill" increment samples them from all of history.
INCREMENT_TIME_COLUMNS: dict[tuple[str, str], str] = {
    ("hubspot", "email_event"): "created_at",
    ("product", "usage_daily"): "date",
    ("stripe", "invoice_line_item"): "period_start",
    ("salesforce", "opportunity_history"): "created_date",
}
RECENT_DAYS = 31


def append_increment(raw: Path, share: float = INCREMENT_SHARE, part: int = 1, loaded_at: str = INCREMENT_LOADED_AT,
                     recent_days: int | None = None) -> int:
    """Write part file ``part`` of every append-mostly table: ``share`` of its rows again, as new keys loaded later.

    With ``recent_days`` the rows are sampled from the last ``recent_days`` of the table's time column (new rows of
    the latest weeks, as a daily export brings); without it, from all of history (late data everywhere: the worst
    case for what downstream must recompute). Either way it is ``share`` of the whole table's rows (fewer only if the
    last ``recent_days`` hold fewer than that). A table whose key is a series (its time column and the entity it
    measures, as usage per day and customer) gets new days of its existing entities instead:
    ``series_increment``."""
    added = 0
    suffix = f"-inc{part}"
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        for table in raw_tables():
            if not table.is_incremental:
                continue
            folder = raw / table.system / table.table
            first = sorted(folder.glob("part-00000.*"))[0]
            reader = file_reader(first)
            target = folder / f"part-{part:05d}{first.suffix}"
            fmt = "(format parquet)" if first.suffix == ".parquet" else "(format csv, header)"
            wanted = con.execute(f"select round(count(*) * {share}) from {reader}").fetchone()[0]
            time_column = INCREMENT_TIME_COLUMNS[(table.system, table.table)]
            if time_column in table.primary_key:
                rows = series_increment(con, table, reader, time_column, wanted, loaded_at, recent_days)
            else:
                key = table.primary_key[-1]
                columns = ", ".join(
                    (f"{key} || '{suffix}' as {key}" if c == key else f'"{c}"') for c in table.columns
                )
                source = f"(select * from {reader})"
                if recent_days is not None:
                    moment = f"try_cast(\"{time_column}\" as timestamp)"
                    source = (f"(select * from {reader} where {moment} >= "
                              f"(select max({moment}) from {reader}) - interval {int(recent_days)} day)")
                rows = f"select {columns}, '{loaded_at}' as _loaded_at from {source}"
            con.execute(f"copy (select * from ({rows}) using sample reservoir({int(wanted)} rows) repeatable (42)) "
                        f"to '{target}' {fmt}")
            added += con.execute(f"select count(*) from '{target}'").fetchone()[0]
    return added


def series_increment(con: duckdb.DuckDBPyConnection, table: RawTable, reader: str, time_column: str, wanted: float,
                     loaded_at: str, recent_days: int | None) -> str:
    """The query of new rows for a table keyed by (entity, day), such as usage per customer and day.

    Suffixing a key column, as for the other tables, would name an entity that does not exist (usage of an unknown
    Stripe customer: an orphan that reaches no company). So the new rows are new days of existing entities, their
    other columns copied from the entity's row before:
      recent     the days after the table's last one, for the entities of its last days (each row of the last n
                 days again, n days later, n the days that hold the share at the last ``recent_days``' rate); a
                 row is loaded the morning after its day, or at ``loaded_at`` if that is later;
      backfill   the days missing inside each entity's span (a late file with the days an export skipped).
    """
    entity = [c for c in table.primary_key if c != time_column]
    quoted = ", ".join(f'"{c}"' for c in entity)
    day = f'try_cast("{time_column}" as date)'
    valid = f"{day} is not null" + "".join(f' and "{c}" is not null' for c in entity)
    stamp = loaded_at.removesuffix("Z")
    if recent_days is not None:
        last_day, recent_rows, recent_span = con.execute(
            f"with typed as (select {day} as d from {reader} where {valid}) "
            f"select max(d), count(*) filter (where d > (select max(d) from typed) - {int(recent_days)}), "
            f"count(distinct d) filter (where d > (select max(d) from typed) - {int(recent_days)}) from typed"
        ).fetchone()
        shift = max(1, math.ceil(float(wanted) / max(recent_rows / max(recent_span, 1), 1)))
        new_day = f"({day} + {shift})"
        columns = ", ".join(
            (f'cast({new_day} as varchar) as "{c}"' if c == time_column else f'"{c}"') for c in table.columns
        )
        return (f"select {columns}, strftime(greatest(timestamp '{stamp}', {new_day} + interval 26 hour), "
                f"'%Y-%m-%dT%H:%M:%SZ') as _loaded_at from {reader} "
                f"where {valid} and " + (f"{day} > date '{last_day}' - {shift}" if last_day else "false"))
    other = ", ".join(
        (f'cast(missing.d as varchar) as "{c}"' if c == time_column else
         (f'missing."{c}"' if c in entity else f'known."{c}"')) for c in table.columns
    )
    on_entity = " and ".join(f'missing."{c}" = known."{c}"' for c in entity)
    # materialised first: DuckDB's reservoir sample straight over the ASOF join ran for over 20 minutes at scale 100
    # (the same rows into a table: 6 s)
    con.execute(f"create or replace temp table series_backfill as "
                f"with known as (select *, {day} as d from {reader} where {valid}), "
                f"spans as (select {quoted}, unnest(generate_series(min(d), max(d), interval 1 day))::date as d "
                f"from known group by {quoted}), "
                f"missing as (select * from spans anti join known using ({quoted}, d)) "
                f"select {other}, '{loaded_at}' as _loaded_at from missing asof join known "
                f"on {on_entity} and missing.d >= known.d")
    return "select * from series_backfill"


def floor_seconds(raw: Path) -> tuple[float, int]:
    """Seconds for DuckDB to read every raw file once (all columns), and the rows read."""
    files = sorted(p for p in raw.rglob("*") if p.suffix in (".csv", ".parquet"))
    rows = 0
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        for path in files:
            reader = file_reader(path)
            con.execute(f"create or replace temp table floor_read as select * from {reader}")
            rows += con.execute("select count(*) from floor_read").fetchone()[0]
        con.execute("drop table if exists floor_read")
    return time.perf_counter() - started, rows


def identity_seconds(run_results: Path) -> float:
    data = json.loads(run_results.read_text())
    return sum(r.get("execution_time") or 0.0 for r in data["results"]
               if "identity" in r["unique_id"] and r["unique_id"].startswith("model."))


def node_phase(run_results: Path) -> tuple[int, float] | tuple[None, None]:
    """(nodes run, seconds dbt spent running them) of a build, from its run_results.json: the rest of a build's
    wall time is fixed cost (the load, starting dbt, parsing, writing artifacts, the build's bookkeeping)."""
    if not run_results.exists():
        return None, None
    data = json.loads(run_results.read_text())
    return len(data["results"]), float(data.get("elapsed_time") or 0.0)


def keep_run_results(target: Path, work: Path, step: str) -> None:
    """Keep dbt's run_results.json of a measured build as ``run_results_<step>.json`` beside the scale's data
    (the next build in the same target overwrites it): each node's seconds, to see where a build goes."""
    results = target / "run_results.json"
    if results.exists():
        shutil.copy(results, work / f"run_results_{step}.json")


def bench_scale(scale: float, out: Path, log=print, reuse_data: bool = False) -> dict:
    work = out / f"scale_{scale:g}"
    raw, truth, target = work / "raw", work / "ground_truth", work / "target"
    database = work / "warehouse.duckdb"
    reuse = reuse_data and (truth / "summary.json").exists()
    if reuse:  # keep the generated company, drop everything the last run built or appended
        for leftover in [database, database.with_suffix(".duckdb.wal"), target, work / "artifacts",
                         *work.glob("run_results_*.json")]:
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
        for part in raw.rglob("part-*.*"):
            if part.name.split(".")[0] != "part-00000":
                part.unlink()
    else:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    env = {"REVOPS_RAW_DIR": str(raw), "REVOPS_DUCKDB_PATH": str(database), "REVOPS_TRUTH_DIR": str(truth),
           "REVOPS_ARTIFACTS_DIR": str(work / "artifacts"), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    os.environ.update(env)  # the in-process steps (GX, scoring) read the same settings
    bin_dir = Path(sys.executable).parent
    log_path = work / "bench.log"

    if reuse:
        log(f"[scale {scale:g}] reusing the generated company in {raw}")
        generated = {"seconds": None}  # not measured: written as null
    else:
        log(f"[scale {scale:g}] generating (parquet)")
        generated = measure([str(bin_dir / "revops"), "generate", "--out", str(raw), "--truth", str(truth),
                             "--scale", str(scale), "--format", "parquet", "--force"], env, log_path)
        split_incremental_tables(raw)

    log(f"[scale {scale:g}] floor: reading every raw file once")
    floor_s, raw_rows = floor_seconds(raw)

    log(f"[scale {scale:g}] full build")
    dbt = [str(bin_dir / "revops"), "build", "--target-path", str(target)]
    load = measure([str(bin_dir / "revops"), "load", "--full-refresh"], env, log_path)
    build = measure([*dbt, "--no-unit-tests"], env, log_path)
    identity_s = identity_seconds(target / "run_results.json")
    keep_run_results(target, work, "full")
    # the ledger against the truth now: the increments below append rows the truth does not know
    mrr_scores = {}
    try:
        from revops.mrr_truth import score_mrr

        mrr_scores = score_mrr(database, truth)
    except Exception as exc:  # a warehouse without the ledger, or a truth folder without mrr.csv
        log(f"[scale {scale:g}] MRR scoring skipped: {exc}")
    log(f"[scale {scale:g}] unit tests")
    unit = measure([str(bin_dir / "dbt"), "test", "--select", "test_type:unit", "--project-dir", str(PROJECT_DIR),
                    "--profiles-dir", str(PROJECT_DIR), "--target-path", str(target)], {**env, "DO_NOT_TRACK": "1"},
                   log_path)
    keep_run_results(target, work, "unit_tests")

    log(f"[scale {scale:g}] incremental build after adding {INCREMENT_SHARE:.0%} new rows of the last {RECENT_DAYS} "
        "days")
    added = append_increment(raw, part=1, loaded_at=INCREMENT_LOADED_AT, recent_days=RECENT_DAYS)
    inc_load = measure([str(bin_dir / "revops"), "load"], env, log_path)
    inc_build = measure([*dbt, "--changed"], env, log_path)
    keep_run_results(target, work, "incremental")

    inc_nodes, inc_nodes_s = node_phase(work / "run_results_incremental.json")

    log(f"[scale {scale:g}] incremental build after adding {INCREMENT_SHARE:.0%} new rows spread over all history")
    backfill_added = append_increment(raw, part=2, loaded_at=BACKFILL_LOADED_AT)
    backfill_load = measure([str(bin_dir / "revops"), "load"], env, log_path)
    backfill_build = measure([*dbt, "--changed"], env, log_path)
    keep_run_results(target, work, "backfill")

    scores = {}
    try:
        from revops.identity.score import score_warehouse

        scores = score_warehouse(database, truth)
    except Exception as exc:  # the identity layer may be absent on a stripped-down project
        log(f"[scale {scale:g}] identity scoring skipped: {exc}")

    gx_s = gx_raw_s = None
    try:
        from revops import quality

        started = time.perf_counter()
        quality.validate_raw(database) if hasattr(quality, "validate_raw") else None
        gx_raw_s = time.perf_counter() - started
        quality.validate_marts(database) if hasattr(quality, "validate_marts") else None
        gx_s = time.perf_counter() - started
    except Exception as exc:
        log(f"[scale {scale:g}] GX validation failed or absent: {exc}")

    run = {
        "scale": scale,
        "raw_rows": raw_rows,
        "generate_s": round(generated["seconds"], 2) if generated["seconds"] is not None else None,
        "floor_s": round(floor_s, 2),
        "full_build_s": round(load["seconds"] + build["seconds"], 2),
        "load_s": round(load["seconds"], 2),
        "dbt_build_s": round(build["seconds"], 2),
        "build_over_floor": round((load["seconds"] + build["seconds"]) / floor_s, 2) if floor_s else None,
        "unit_tests_s": round(unit["seconds"], 2),
        "incremental_rows": added,
        "incremental_build_s": round(inc_load["seconds"] + inc_build["seconds"], 2),
        "incremental_share_of_full": round((inc_load["seconds"] + inc_build["seconds"])
                                           / (load["seconds"] + build["seconds"]), 3),
        # of which dbt running the increment's nodes (models, tests, hooks); the rest is fixed cost
        "incremental_nodes": inc_nodes,
        "incremental_nodes_s": round(inc_nodes_s, 2) if inc_nodes_s is not None else None,
        "backfill_rows": backfill_added,
        "backfill_incremental_build_s": round(backfill_load["seconds"] + backfill_build["seconds"], 2),
        "backfill_share_of_full": round((backfill_load["seconds"] + backfill_build["seconds"])
                                        / (load["seconds"] + build["seconds"]), 3),
        "peak_memory_mib": round(max(load["maxrss_mib"], build["maxrss_mib"], inc_load["maxrss_mib"],
                                     inc_build["maxrss_mib"], backfill_load["maxrss_mib"],
                                     backfill_build["maxrss_mib"]), 1),
        # which step peaked: the largest resident set of each step's processes
        "peak_memory_by_step_mib": {"load": round(load["maxrss_mib"], 1), "build": round(build["maxrss_mib"], 1),
                                    "incremental_load": round(inc_load["maxrss_mib"], 1),
                                    "incremental_build": round(inc_build["maxrss_mib"], 1),
                                    "backfill_load": round(backfill_load["maxrss_mib"], 1),
                                    "backfill_build": round(backfill_build["maxrss_mib"], 1)},
        # share of both cores busy during the full build's dbt run: near 1.0, the build is bound by CPU work,
        # not by how dbt orders it
        "full_build_cpu_busy": build["cpu_busy"],
        "incremental_cpu_busy": inc_build["cpu_busy"],
        "identity_s": round(identity_s, 2),
        "person_f1": round(scores["person"].f1, 4) if "person" in scores else None,
        "company_f1": round(scores["company"].f1, 4) if "company" in scores else None,
        # Stripe-billed company-months of the ledger, and those more than a cent off the true MRR (revops.mrr_truth)
        "mrr_company_months": mrr_scores.get("mrr_company_months"),
        "mrr_company_months_off_truth": mrr_scores.get("mrr_company_months_off_truth"),
        "mrr_companies_off_truth": mrr_scores.get("mrr_companies_off_truth"),
        "mrr_companies_off_truth_unmapped": mrr_scores.get("mrr_companies_off_truth_unmapped"),
        "gx_validation_s": round(gx_s, 2) if gx_s is not None else None,
        "gx_raw_s": round(gx_raw_s, 2) if gx_raw_s is not None else None,  # of which the raw gate
    }
    try:
        from revops.forecast.core import benchmark as forecast_benchmark, series_from_company_mrr

        with duckdb.connect(str(database), read_only=True) as con:
            company_mrr = con.execute("select company_id, month, mrr from marts.fct_mrr").df()
            segments = con.execute("select company_id, segment from marts.dim_customers").df()
        result = forecast_benchmark(series_from_company_mrr(company_mrr, segments))
        run.update({"forecast_wape": round(result.wape_model, 4), "baseline_wape": round(result.wape_baseline, 4),
                    "forecast_fit_s": round(result.fit_seconds, 2),
                    "forecast_backtest_s": round(result.backtest_seconds, 2)})
    except Exception as exc:
        log(f"[scale {scale:g}] forecast backtest skipped: {exc}")
    return run


def machine_info() -> dict:
    """What the figures were measured on: seconds differ about twofold between machines of the same kind (the
    same code's scale-1 full build took 60 s on one and 32 s on another), so results name their machine."""
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True,
                            text=True).stdout.strip() or None
    from importlib.metadata import version

    return {"cpu_model": cpu_model, "cores": os.cpu_count(), "memory_gib": memory_gib,
            "python": sys.version.split()[0], "duckdb": duckdb.__version__, "dbt_core": version("dbt-core"),
            "commit": commit, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def print_table(runs: list[dict]) -> None:
    cols = ["scale", "raw_rows", "floor_s", "full_build_s", "build_over_floor", "unit_tests_s", "incremental_build_s",
            "incremental_share_of_full", "incremental_nodes_s", "backfill_share_of_full", "peak_memory_mib",
            "identity_s", "person_f1", "company_f1", "mrr_company_months_off_truth", "gx_validation_s", "gx_raw_s",
            "forecast_wape", "baseline_wape", "forecast_fit_s", "full_build_cpu_busy", "incremental_cpu_busy"]
    print("  ".join(f"{c:>14}" for c in cols))
    for run in runs:
        print("  ".join(f"{str(run.get(c)):>14}" for c in cols))
    for before, after in zip(runs, runs[1:]):
        rows = after["raw_rows"] / before["raw_rows"]
        cost = after["full_build_s"] / before["full_build_s"]
        print(f"scale {before['scale']:g} -> {after['scale']:g}: rows x{rows:.1f}, full build x{cost:.1f} "
              f"({'no faster than linear' if cost <= rows * 1.05 else 'FASTER THAN LINEAR'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revops.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=list(DEFAULT_SCALES))
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "bench" / "out")
    parser.add_argument("--results", type=Path, default=PROJECT_DIR / "bench" / "results.json")
    parser.add_argument("--reuse-data", action="store_true",
                        help="reuse a company generated by an earlier run at the same scale (skips generation)")
    args = parser.parse_args(argv)
    runs = []
    machine = machine_info()
    print("machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()))
    for scale in args.scales:
        runs.append(bench_scale(scale, args.out, reuse_data=args.reuse_data))
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps({"machine": machine, "runs": runs}, indent=2) + "\n")
        print_table(runs)
    print(f"figures written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
