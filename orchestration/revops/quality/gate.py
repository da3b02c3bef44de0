"""Run the GX suites against the warehouse, write Data Docs, and turn failures into one clear error.

    validate_raw(database)    the gate before the build: raw_<system> tables as landed by the loader
    validate_marts(database)  after the build: MRR ledger, bridge, KPIs, crosswalk, leakage

``database`` is a DuckDB file (suites read pandas DataFrames holding only the columns they need: GX has no
DuckDB SQL support) or a PostgreSQL SQLAlchemy URL (``postgresql+psycopg2://...``: GX's SQL datasource runs
each suite's query in the database).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from revops import settings
from revops.contract import RawTable, raw_tables
from revops.quality.suites import Suite, mart_suite_relations, mart_suites, raw_suites

log = logging.getLogger(__name__)
SITE_NAME = "revops"
# GX's pandas engine fingerprints every batch frame under 1e9 bytes (pandas_execution_engine.HASH_THRESHOLD) by
# hashing every value: only a batch marker in the validation result, which nothing here reads, yet at scale 100
# it was nearly half of the raw gate (16 of 35 s on the 11 M email events). Frames above this size go without it.
FINGERPRINT_MAX_BYTES = 64 * 2**20


class QualityGateError(RuntimeError):
    """A quality gate failed; ``str(error)`` names each failed expectation and its table, ``.result`` has it all."""

    def __init__(self, message: str, result: "QualityResult"):
        super().__init__(message)
        self.result = result


@dataclass
class ExpectationFailure:
    suite: str
    table: str
    expectation: str
    column: str | None
    detail: str

    def __str__(self) -> str:
        on = f"{self.table}" + (f".{self.column}" if self.column else "")
        return f"{self.expectation} failed on {on} (suite {self.suite}): {self.detail}"


@dataclass
class SuiteOutcome:
    suite: str
    table: str
    success: bool
    expectations: int
    rows: int
    seconds: float
    failures: list[ExpectationFailure] = field(default_factory=list)


@dataclass
class QualityResult:
    stage: str  # raw | marts
    suites: list[SuiteOutcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    data_docs_index: Path | None = None
    seconds: float = 0.0

    @property
    def success(self) -> bool:
        return all(s.success for s in self.suites)

    @property
    def failures(self) -> list[ExpectationFailure]:
        return [f for s in self.suites for f in s.failures]

    @property
    def expectations(self) -> int:
        return sum(s.expectations for s in self.suites)

    def message(self) -> str:
        failures = self.failures
        head = (f"{self.stage} quality gate failed: {len(failures)} expectation(s) in "
                f"{len({f.suite for f in failures})} suite(s)")
        lines = [head, *(f"  - {f}" for f in failures[:20])]
        if len(failures) > 20:
            lines.append(f"  ... {len(failures) - 20} more")
        if self.data_docs_index:
            lines.append(f"  Data Docs: {self.data_docs_index}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------ the warehouse
class _Warehouse:
    """Read-only access to DuckDB (pandas) or PostgreSQL (SQL datasource)."""

    def __init__(self, database: Path | str):
        text = str(database)
        self.is_postgres = text.startswith(("postgresql", "postgres://"))
        self.dialect = "postgres" if self.is_postgres else "duckdb"
        self.database = text
        self._con = None
        if not self.is_postgres:
            import duckdb

            if not Path(text).exists():
                raise FileNotFoundError(f"{text}: no warehouse file; run `revops load` first")
            self._con = duckdb.connect(text, read_only=True)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()

    def fetch(self, sql: str) -> list[tuple]:
        if self._con is not None:
            return self._con.execute(sql).fetchall()
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.database)
        try:
            with engine.connect() as con:
                return [tuple(r) for r in con.execute(sqlalchemy.text(sql)).fetchall()]
        finally:
            engine.dispose()

    def df(self, sql: str):
        """The query's rows as a pandas frame whose text columns are Arrow-backed strings (pandas "string[pyarrow]"):
        at scale 100 fetching the 11 M email-event keys takes half the time of a frame of Python objects, and
        GX's uniqueness check on them (pandas `duplicated`) about 60 %."""
        import pandas as pd
        import pyarrow as pa

        strings = pd.StringDtype("pyarrow")
        mapping = {pa.string(): strings, pa.large_string(): strings, pa.string_view(): strings,
                   # integers and booleans keep their type when NULLs are present (not float64 / object),
                   # as DuckDB's .df() keeps them
                   pa.bool_(): pd.BooleanDtype(), pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(),
                   pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype()}
        table = self._con.execute(sql).to_arrow_table()
        for i, column in enumerate(table.schema):  # decimals as floats and dates as datetimes, as DuckDB's .df()
            if pa.types.is_decimal(column.type):
                table = table.set_column(i, column.name, table.column(i).cast(pa.float64()))
        return table.to_pandas(types_mapper=mapping.get, date_as_object=False)

    def relations(self) -> dict[str, list[str]]:
        rows = self.fetch("select table_schema, table_name, column_name from information_schema.columns "
                          "order by table_schema, table_name, ordinal_position")
        out: dict[str, list[str]] = {}
        for schema, table, column in rows:
            out.setdefault(f"{schema}.{table}", []).append(column.lower())
        return out


# ------------------------------------------------------------------------------------------ row counts
def _load_counts(path: Path) -> dict[str, int]:
    if not path.exists():
        return {}
    return {k: int(v["rows"]) for k, v in json.loads(path.read_text()).get("tables", {}).items()}


def _save_counts(path: Path, counts: dict[str, int], database: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    path.write_text(json.dumps({"database": database, "accepted_at": now,
                                "tables": {k: {"rows": v} for k, v in sorted(counts.items())}}, indent=2) + "\n")


def default_state_path() -> Path:
    """Row counts of the last accepted raw gate (the baseline of the row-count-change expectation)."""
    return settings.artifacts_dir() / "quality" / "raw_row_counts.json"


def default_docs_dir() -> Path:
    return settings.artifacts_dir() / "data_docs"


# ------------------------------------------------------------------------------------------ GX
def _limit_batch_fingerprint() -> None:
    """Keep GX from hashing batch frames above FINGERPRINT_MAX_BYTES (see there)."""
    from great_expectations.execution_engine import pandas_execution_engine

    if not hasattr(pandas_execution_engine, "HASH_THRESHOLD"):  # a GX upgrade renamed it: tests/python notices
        raise RuntimeError("great_expectations' pandas engine has no HASH_THRESHOLD any more: revisit "
                           "revops.quality.gate.FINGERPRINT_MAX_BYTES")
    pandas_execution_engine.HASH_THRESHOLD = FINGERPRINT_MAX_BYTES


def _context(docs_dir: Path):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _limit_batch_fingerprint()

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(site_name=SITE_NAME, site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    return context


def _is_null(value) -> bool:
    import pandas as pd

    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not a scalar NULL
        return False


def _describe(result) -> tuple[str | None, str]:
    kwargs = result.expectation_config.kwargs
    res = result.result or {}
    column = kwargs.get("column") or (",".join(kwargs["column_list"]) if kwargs.get("column_list") else None)
    if result.exception_info and result.exception_info.get("raised_exception"):
        return column, "error: " + str(result.exception_info.get("exception_message"))[:300]
    parts = []
    if res.get("observed_value") is not None:
        parts.append(f"observed {res['observed_value']!r}"[:200])
    if res.get("missing_count"):  # the distinct-values-contain-set family: what the column lacks
        parts.append(f"{res['missing_count']:,} missing"
                     + (f": {sorted(map(str, res['partial_missing_list']))[:8]!r}"[:200]
                        if res.get("partial_missing_list") else ""))
    if res.get("unexpected_count") is not None:
        parts.append(f"{res['unexpected_count']:,} unexpected ({res.get('unexpected_percent') or 0:.2f}%)")
    # examples of the unexpected values; a not-null expectation's are all NULL (None or pandas' <NA>): no example
    examples = [v for v in res.get("partial_unexpected_list") or [] if not _is_null(v)]
    if examples:
        parts.append(f"e.g. {examples[:5]!r}"[:200])
    expected = {k: v for k, v in kwargs.items()
                if k in ("min_value", "max_value", "mostly", "value_set") and v is not None}
    if "value_set" in expected and len(expected["value_set"]) > 8:
        expected["value_set"] = f"{len(expected['value_set'])} values"
    if expected:
        parts.append(f"expected {expected}")
    notes = result.expectation_config.notes
    if notes:
        parts.append(str(notes))
    return column, "; ".join(parts)


def run_suites(stage: str, warehouse: _Warehouse, suites: list[Suite], docs_dir: Path,
               existing: dict[str, list[str]]) -> QualityResult:
    started = time.perf_counter()
    result = QualityResult(stage=stage)
    stage_docs = docs_dir / stage
    context = _context(stage_docs)
    import great_expectations as gx

    if warehouse.is_postgres:
        source = context.data_sources.add_postgres(name=f"{stage}_warehouse", connection_string=warehouse.database)
    else:
        source = context.data_sources.add_pandas(name=f"{stage}_frames")
    for suite in suites:
        if suite.table not in existing and suite.table != "information_schema.columns":
            if suite.required:
                result.suites.append(SuiteOutcome(suite.name, suite.table, False, 0, 0, 0.0, [ExpectationFailure(
                    suite.name, suite.table, "table_exists", None,
                    f"relation {suite.table} not found in {warehouse.database}")]))
            else:
                result.skipped.append(f"{suite.name}: {suite.table} not built")
            continue
        t0 = time.perf_counter()
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
        for expectation in suite.build():
            gx_suite.add_expectation(expectation)
        if warehouse.is_postgres:
            asset = source.add_query_asset(name=suite.name, query=suite.query)
            batch = asset.add_batch_definition_whole_table("whole")
            params: dict = {}
            rows = -1
        else:
            asset = source.add_dataframe_asset(name=suite.name)
            batch = asset.add_batch_definition_whole_dataframe("whole")
            frame = warehouse.df(suite.query)
            params = {"dataframe": frame}
            rows = len(frame)
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=suite.name, data=batch,
                                                                                suite=gx_suite))
        validation = definition.run(batch_parameters=params, result_format="SUMMARY")
        params.clear()  # let the frame go before reading the next one
        outcome = SuiteOutcome(suite.name, suite.table, bool(validation.success), len(validation.results), rows,
                               time.perf_counter() - t0)
        for res in validation.results:
            if not res.success:
                column, detail = _describe(res)
                meta_table = (res.expectation_config.meta or {}).get("table")
                outcome.failures.append(ExpectationFailure(suite.name, meta_table or suite.table,
                                                           res.expectation_config.type, column, detail))
        result.suites.append(outcome)
    context.build_data_docs(site_names=[SITE_NAME])
    result.data_docs_index = stage_docs / "index.html"
    _write_top_index(docs_dir)
    result.seconds = time.perf_counter() - started
    return result


def _write_top_index(docs_dir: Path) -> None:
    stages = [p.name for p in sorted(docs_dir.iterdir()) if (p / "index.html").exists()]
    links = "\n".join(f'<li><a href="{s}/index.html">{s} suites</a></li>' for s in stages)
    (docs_dir / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>RevOps warehouse Data Docs</title></head>"
        f"<body><h1>RevOps warehouse: Great Expectations Data Docs</h1><ul>\n{links}\n</ul></body></html>\n",
        encoding="utf-8")


def _finish(result: QualityResult, raise_on_failure: bool) -> QualityResult:
    if not result.success and raise_on_failure:
        raise QualityGateError(result.message(), result)
    return result


# ------------------------------------------------------------------------------------------ the gates
def validate_raw(database: Path | str | None = None, *, tables: Iterable[RawTable] | None = None,
                 docs_dir: Path | None = None, state_path: Path | None = None, update_state: bool = True,
                 reset_row_counts: bool = False, raise_on_failure: bool = True) -> QualityResult:
    """The raw gate: schema, keys, null rates, accepted values, ranges, row-count change vs the last run.

    The row counts of a passing run become the next run's baseline (``state_path``); a failing run leaves
    the baseline alone. ``reset_row_counts`` ignores the baseline once (after a known big change)."""
    database = database or settings.duckdb_path()
    docs_dir = docs_dir or default_docs_dir()
    state_path = state_path or default_state_path()
    todo = list(tables) if tables is not None else raw_tables()
    warehouse = _Warehouse(database)
    try:
        existing = warehouse.relations()
        last = {} if reset_row_counts else _load_counts(state_path)
        counts = {}
        for t in todo:
            name = f"{t.schema}.{t.table}"
            if name in existing:
                counts[name] = warehouse.fetch(f'select count(*) from {t.schema}."{t.table}"')[0][0]
        suites = raw_suites(warehouse.dialect, last, todo, row_counts=counts)
        result = run_suites("raw", warehouse, suites, docs_dir, existing)
        if result.success and update_state:
            _save_counts(state_path, counts, str(database))
    finally:
        warehouse.close()
    return _finish(result, raise_on_failure)


def validate_marts(database: Path | str | None = None, *, suites: Iterable[str] | None = None,
                   docs_dir: Path | None = None, raise_on_failure: bool = True) -> QualityResult:
    """The mart suites: no negative MRR, MRR bridge totals, KPI ranges, crosswalk completeness, leakage.

    ``suites``: the names of the suites to run (``revops.quality.suites.mart_suite_relations``), default every one.
    """
    database = database or settings.duckdb_path()
    docs_dir = docs_dir or default_docs_dir()
    known = mart_suite_relations()
    wanted = set(known) if suites is None else set(suites)
    if wanted - set(known):
        raise ValueError(f"no mart suite named {', '.join(sorted(wanted - set(known)))}; the mart suites are "
                         f"{', '.join(known)}")
    warehouse = _Warehouse(database)
    try:
        existing = warehouse.relations()
        todo = [s for s in mart_suites(warehouse.dialect, existing) if s.name in wanted]
        result = run_suites("marts", warehouse, todo, docs_dir, existing)
        # an optional mart's suite exists only when the mart does
        ran = {s.name for s in todo}
        result.skipped += [f"{name}: {table} not built" for name, table in known.items()
                           if name in wanted and name not in ran]
    finally:
        warehouse.close()
    return _finish(result, raise_on_failure)


def gate_lines(result: QualityResult) -> list[str]:
    """What the main job prints after a gate: counts, time, failures, skipped suites, where Data Docs are."""
    lines = [f"{result.stage} suites: {len(result.suites)} suites, {result.expectations} expectations, "
             f"{'all passed' if result.success else f'{len(result.failures)} FAILED'} ({result.seconds:.1f} s)"]
    lines += [f"  FAILED {f}" for f in result.failures[:20]]
    lines += [f"  skipped {s}" for s in result.skipped]
    if result.data_docs_index:
        lines.append(f"Data Docs: {result.data_docs_index}")
    return lines
