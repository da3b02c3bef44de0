"""Tests of the sample-company generator (revops.generator): determinism, contract, truth, scale, memory."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from revops.contract import LOADED_AT, raw_tables
from revops.generator import generate

PERSON_TABLES = [("salesforce", "contact"), ("salesforce", "lead"), ("hubspot", "contact"),
                 ("hubspot", "form_submission"), ("hubspot", "event_attendance"), ("stripe", "customer"),
                 ("zendesk", "user"), ("zendesk", "nps_response")]
COMPANY_TABLES = [("salesforce", "account"), ("stripe", "customer"), ("zendesk", "organization"),
                  ("hubspot", "contact"), ("salesforce", "lead")]


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("messy")
    counts = generate(root / "raw", root / "truth", seed=42, scale=0.2)
    return root, counts


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("clean")
    counts = generate(root / "raw", root / "truth", seed=7, scale=0.3, mess=False)
    return root, counts


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = generate(tmp_path / "a" / "raw", tmp_path / "a" / "truth", seed=3, scale=0.1)
    b = generate(tmp_path / "b" / "raw", tmp_path / "b" / "truth", seed=3, scale=0.1)
    generate(tmp_path / "c" / "raw", tmp_path / "c" / "truth", seed=4, scale=0.1)
    assert a == b
    da, db, dc = (_digest(tmp_path / x) for x in "abc")
    assert da == db
    assert da.keys() == dc.keys()
    assert da != dc
    assert sum(1 for k in da if da[k] != dc[k]) > len(da) // 2


def test_every_contract_table_written_with_contract_columns(messy):
    root, counts = messy
    for t in raw_tables():
        path = root / "raw" / t.system / f"{t.table}.csv"
        assert path.exists(), path
        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header == list(t.columns) + [LOADED_AT], path
        assert counts[t.qualified_name] > 0, t.qualified_name


def test_parquet_format_has_contract_columns(tmp_path):
    generate(tmp_path / "raw", tmp_path / "truth", seed=1, scale=0.05, fmt="parquet")
    for t in raw_tables():
        schema = pq.read_schema(tmp_path / "raw" / t.system / f"{t.table}.parquet")
        assert schema.names == list(t.columns) + [LOADED_AT]


def _raw_ids(root: Path, system: str, table: str) -> set[str]:
    return {r["id"] for r in _read_csv(root / "raw" / system / f"{table}.csv") if r["id"]}


@pytest.mark.parametrize("fixture", ["messy", "clean"])
def test_ground_truth_matches_raw_records(fixture, request):
    root, _ = request.getfixturevalue(fixture)
    persons = _read_csv(root / "truth" / "persons.csv")
    companies = _read_csv(root / "truth" / "companies.csv")
    for name, truth, tables in (("persons", persons, PERSON_TABLES), ("companies", companies, COMPANY_TABLES)):
        for system, table in tables:
            truth_ids = [r["source_id"] for r in truth if (r["source_system"], r["source_table"]) == (system, table)]
            assert len(truth_ids) == len(set(truth_ids)), f"{name}: duplicate ids for {system}.{table}"
            assert set(truth_ids) == _raw_ids(root, system, table), f"{name} vs raw {system}.{table}"
    # every MRR company is a Stripe customer company
    stripe_companies = {r["true_company_id"] for r in companies if r["source_system"] == "stripe"}
    mrr = _read_csv(root / "truth" / "mrr.csv")
    assert mrr and {r["true_company_id"] for r in mrr} <= stripe_companies
    assert all(float(r["mrr_local"]) > 0 and r["month"].endswith("-01") for r in mrr)
    summary = json.loads((root / "truth" / "summary.json").read_text())
    assert summary["counts"]["stripe.customer"] > 0


def test_messy_run_logs_each_kind_of_mess(messy):
    root, _ = messy
    kinds = {r["kind"] for r in _read_csv(root / "truth" / "mess.csv")}
    for k in ("exact_duplicate", "resend", "soft_delete", "orphan_fk", "currency_case", "timestamp_offset",
              "email_typo", "company_name_variant", "bad_timestamp", "missing_pk"):
        assert k in kinds, k
    # a re-sent row appears twice, the later copy with a later _loaded_at
    resent = [r for r in _read_csv(root / "truth" / "mess.csv") if r["kind"] == "resend"]
    r0 = resent[0]
    rows = [r for r in _read_csv(root / "raw" / r0["source_system"] / f"{r0['source_table']}.csv") if r["id"] == r0["source_id"]]
    assert len(rows) >= 2 and rows[-1][LOADED_AT] > rows[0][LOADED_AT]


def test_no_mess_means_no_mess(clean):
    root, _ = clean
    assert _read_csv(root / "truth" / "mess.csv") == []
    summary = json.loads((root / "truth" / "summary.json").read_text())
    assert summary["mess_counts"] == {}
    for t in raw_tables():
        rows = _read_csv(root / "raw" / t.system / f"{t.table}.csv")
        keys = [tuple(r[c] for c in t.primary_key) for r in rows]
        assert len(keys) == len(set(keys)), f"duplicate keys in clean {t.qualified_name}"
        assert all(all(k) for k in keys), f"empty key in clean {t.qualified_name}"
        if "is_deleted" in t.columns:
            assert all(r["is_deleted"] == "false" for r in rows)


@pytest.mark.parametrize("fixture", ["messy", "clean"])
def test_no_record_is_created_after_the_export_that_carries_it(fixture, request):
    """A creation time later than the row's _loaded_at is quarantined (future_timestamp): the generator must
    not plant one outside its logged mess (a Stripe customer created days after a late win once was)."""
    root, _ = request.getfixturevalue(fixture)
    checked = 0
    for t in raw_tables():
        created = [c for c, kind in t.columns.items() if kind == "timestamp" and c.startswith("created")]
        for column in created:
            late = duckdb.sql(
                f"select count(*), count(*) filter (where try_cast(\"{column}\" as timestamp) "
                f"> try_cast({LOADED_AT} as timestamp)) "
                f"from read_csv('{root / 'raw' / t.system / t.table}.csv', all_varchar = true)").fetchone()
            checked += late[0]
            assert late[1] == 0, f"{t.qualified_name}.{column}: {late[1]} rows created after their export"
    assert checked > 1000


def test_clean_invoice_lines_reproduce_true_mrr(clean):
    """The warehouse's per-line definition (the run-rate at month end: each line's rate, normalised to a month, in
    every month whose end its period covers) gives mrr.csv."""
    root, _ = clean
    s = root / "raw" / "stripe"
    sql = f"""
    with li as (select * from read_csv('{s}/invoice_line_item.csv', all_varchar=true)),
    inv as (select * from read_csv('{s}/invoice.csv', all_varchar=true)),
    pr as (select * from read_csv('{s}/price.csv', all_varchar=true)),
    cn as (select * from read_csv('{s}/credit_note.csv', all_varchar=true)),
    tc as (select * from read_csv('{root}/truth/companies.csv', all_varchar=true) where source_system = 'stripe'),
    lines as (
        select inv.customer_id, li.period_start::timestamp as ps, li.period_end::timestamp as pe,
            li.amount::double - li.discount_amount::double as net, upper(li.currency) as cur,
            pr.recurring_interval_count::int * case when pr.recurring_interval = 'year' then 12 else 1 end as n_months
        from li join inv on li.invoice_id = inv.id join pr on li.price_id = pr.id
        where inv.status not in ('void', 'uncollectible') and pr.recurring_interval is not null
        union all
        select inv.customer_id, inv.period_start::timestamp, inv.period_end::timestamp, -cn.amount::double,
            upper(cn.currency), date_diff('month', inv.period_start::timestamp, inv.period_end::timestamp)
        from cn join inv on cn.invoice_id = inv.id
    ),
    rated as (
        select *, net / case when cur = 'JPY' then 1 else 100 end
            * date_diff('day', pe - to_months(n_months), pe) / date_diff('day', ps, pe) / n_months as rate
        from lines
    ),
    mo as (select unnest(generate_series(date '2023-11-01', date '2026-10-01', interval 1 month))::date as m),
    calc as (
        select tc.true_company_id, m, sum(rate) as mrr
        from rated join mo on ps < m + interval 1 month and pe >= m + interval 1 month
        join tc on tc.source_id = rated.customer_id
        group by all having sum(rate) <> 0
    ),
    truth as (select true_company_id, month::date as m, mrr_local::double as mrr
              from read_csv('{root}/truth/mrr.csv', all_varchar=true))
    select count(*), max(abs(coalesce(c.mrr, 0) - coalesce(t.mrr, 0)))
    from (select * from calc where mrr > 1e-6) c full join truth t using (true_company_id, m)
    """
    n, maxdiff = duckdb.sql(sql).fetchone()
    assert n > 50
    assert maxdiff < 1e-4


def test_row_counts_grow_linearly_with_scale(tmp_path):
    small = generate(tmp_path / "s" / "raw", tmp_path / "s" / "truth", seed=5, scale=0.1, mess=False)
    big = generate(tmp_path / "b" / "raw", tmp_path / "b" / "truth", seed=5, scale=0.4, mess=False)
    for table in ("salesforce.contact", "hubspot.contact", "stripe.customer", "hubspot.email_event",
                  "product.usage_daily", "stripe.invoice"):
        ratio = big[table] / small[table]
        assert 2.5 < ratio < 6.0, (table, ratio)


def _peak_rss_kb(out: Path, scale: float) -> int:
    """Run the CLI in a fresh wrapper process and return its child's peak RSS (kB)."""
    code = (
        "import resource, subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'revops.generator', '--out', {str(out / 'raw')!r}, '--truth', "
        f"{str(out / 'truth')!r}, '--scale', '{scale}', '--format', 'parquet', '--quiet'], check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(res.stdout.strip().splitlines()[-1])


def test_memory_is_flat_with_scale(tmp_path):
    small = _peak_rss_kb(tmp_path / "small", 0.5)
    large = _peak_rss_kb(tmp_path / "large", 5)
    assert large < 1.5 * small + 100 * 1024, (small, large)
    assert (tmp_path / "large" / "raw" / "product" / "usage_daily.parquet").exists()


def test_leakage_is_planted_without_mess_and_can_be_turned_off(clean, tmp_path):
    """Leakage is business reality, not export mess: planted with mess off, off only with LeakageRates.none();
    natural cases (e.g. unpaid invoices) are listed either way."""
    from revops.generator.config import LeakageRates

    root, _ = clean
    summary = json.loads((root / "truth" / "summary.json").read_text())
    rows = _read_csv(root / "truth" / "leakage.csv")
    assert sum(summary["leakage_planted"].values()) > 0
    assert sum(1 for r in rows if r["planted"] == "true") > 0
    assert summary["leakage_counts"] == dict(sorted(Counter(r["leakage_type"] for r in rows).items()))
    generate(tmp_path / "raw", tmp_path / "truth", seed=7, scale=0.3, mess=False, leakage=LeakageRates.none())
    off = json.loads((tmp_path / "truth" / "summary.json").read_text())
    off_rows = _read_csv(tmp_path / "truth" / "leakage.csv")
    assert off["leakage_planted"] == {}
    assert off_rows and all(r["planted"] == "false" for r in off_rows)


def test_generate_never_overwrites_a_folder_it_did_not_write(tmp_path):
    """A folder holding contract files without the generator's marker (someone's exports) is refused, untouched;
    a folder the generator wrote is regenerated."""
    exports = tmp_path / "exports"
    (exports / "hubspot").mkdir(parents=True)
    (exports / "hubspot" / "contact.csv").write_text("id,email\n1,a@acme.com\n")
    (exports / "stripe" / "invoice_line_item").mkdir(parents=True)
    (exports / "stripe" / "invoice_line_item" / "part-1.csv").write_text("id\nil_1\n")
    with pytest.raises(ValueError, match=r"holds raw files the sample generator did not write .*contact\.csv and "
                                         r"1 more.*never overwrites them"):
        generate(exports, tmp_path / "truth", seed=1, scale=0.02)
    assert (exports / "hubspot" / "contact.csv").read_text() == "id,email\n1,a@acme.com\n"
    assert (exports / "stripe" / "invoice_line_item" / "part-1.csv").exists()
    assert not (tmp_path / "truth").exists()
    # through the command line: a clear one-line error, exit 2
    done = subprocess.run([sys.executable, "-m", "revops", "generate", "--out", str(exports), "--truth",
                           str(tmp_path / "truth"), "--scale", "0.02", "--force"], capture_output=True, text=True)
    assert done.returncode == 2 and "never overwrites them" in done.stderr
    assert (exports / "hubspot" / "contact.csv").read_text() == "id,email\n1,a@acme.com\n"

    sample = tmp_path / "sample"
    generate(sample, tmp_path / "truth", seed=1, scale=0.02)
    assert json.loads((sample / ".revops-sample").read_text()) == {"seed": 1, "scale": 0.02, "format": "csv"}
    (sample / "hubspot" / "contact.csv").write_text("edited\n")
    generate(sample, tmp_path / "truth", seed=1, scale=0.02)  # its own folder: rewritten
    assert (sample / "hubspot" / "contact.csv").read_text().startswith("id,")
    # an empty folder, or one with other files only, is fine
    (tmp_path / "empty" / "notes").mkdir(parents=True)
    generate(tmp_path / "empty", tmp_path / "truth", seed=1, scale=0.02)
