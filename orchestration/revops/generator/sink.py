"""Where generated rows go: row-level mess injection, the raw table writers and the ground-truth files."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

import numpy as np

from revops.contract import CONTRACT, LOADED_AT, PRIMARY_KEYS

from .config import LeakageRates, MessRates
from .leakage import LEAKAGE_COLUMNS, LeakageBook
from .util import fmt_ts, fmt_value
from .writer import TableWriter

OFFSETS = (2, -5, 9, None, 1, -8)  # +02:00, -05:00, +09:00, no offset, +01:00, -08:00
BAD_TIMESTAMPS = ("31/02/2024", "not a date", "2024-13-45T25:61:00", "yesterday", "00/00/0000")
BAD_AMOUNTS = ("12,50 EUR", "N/A", "1.234,56", "$ 99.00", "#VALUE!")
# tables whose values are never corrupted (the fx table feeds every conversion)
NO_BAD_VALUES = {("finance", "fx_rate")}
TRUTH_COLUMNS = {
    "persons": ["source_system", "source_table", "source_id", "true_person_id"],
    "companies": ["source_system", "source_table", "source_id", "true_company_id"],
    "mrr": ["true_company_id", "month", "currency", "mrr_local", "mrr_usd"],
    "mess": ["kind", "source_system", "source_table", "source_id", "detail"],
}


class TableMeta:
    def __init__(self, system: str, table: str):
        cols = CONTRACT[system][table]
        self.columns = list(cols)
        self.kinds = [("decimal_rate" if c == "rate_to_usd" else t) for c, t in cols.items()]
        self.ts_idx = [i for i, t in enumerate(cols.values()) if t == "timestamp"]
        self.amount_idx = [i for i, t in enumerate(cols.values()) if t in ("decimal", "minor")]
        self.cur_idx = [i for i, t in enumerate(cols.values()) if t == "currency"]
        self.pk = PRIMARY_KEYS.get((system, table), ("id",))
        self.pk_idx = [self.columns.index(c) for c in self.pk]


class Sink:
    """Receives every generated row; applies row-level mess; writes raw tables and ground truth."""

    def __init__(self, out_dir: Path, truth_dir: Path, fmt: str, mess: MessRates, seed: int, export_at: datetime,
                 leakage: LeakageRates | None = None):
        self.mess = mess
        self.leak_rates = leakage or LeakageRates()
        self.leakage = LeakageBook()
        self.truth_dir = truth_dir
        self.rng = random.Random(seed * 7919 + 17)
        self.nrng = np.random.Generator(np.random.PCG64([seed, 991]))
        self.meta: dict[tuple[str, str], TableMeta] = {}
        self.writers: dict[tuple[str, str], TableWriter] = {}
        self.loaded_at: dict[str, str] = {}
        for i, (system, tables) in enumerate(CONTRACT.items()):
            self.loaded_at[system] = fmt_ts(export_at + timedelta(minutes=7 * i))
            for table in tables:
                meta = TableMeta(system, table)
                self.meta[(system, table)] = meta
                self.writers[(system, table)] = TableWriter(
                    out_dir / system / table, meta.columns + [LOADED_AT], fmt)
        self.export_at = export_at
        # latest _loaded_at of each table's rows (late re-sends included): the leakage mart's as-of date
        self.max_loaded: dict[tuple[str, str], str] = {k: self.loaded_at[k[0]] for k in self.writers}
        self.truth = {name: TableWriter(truth_dir / name, cols, "csv") for name, cols in TRUTH_COLUMNS.items()}
        self.mess_counts: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        self.late: list[tuple[tuple[str, str], list]] = []
        self.counters: Counter[str] = Counter()

    # ---- ids ---------------------------------------------------------------------------------------
    def next(self, kind: str) -> int:
        self.counters[kind] += 1
        return self.counters[kind]

    # ---- truth ---------------------------------------------------------------------------------------
    def person(self, system: str, table: str, source_id: str, true_person_id: str) -> None:
        self.truth["persons"].add_row((system, table, source_id, true_person_id))

    def company(self, system: str, table: str, source_id: str, true_company_id: str) -> None:
        self.truth["companies"].add_row((system, table, source_id, true_company_id))

    def mrr(self, company_id: str, month: str, currency: str, local: float, usd: float) -> None:
        self.truth["mrr"].add_row((company_id, month, currency, f"{local:.6f}", f"{usd:.6f}"))

    def event(self, kind: str) -> None:
        """Count a business event (not mess) for summary.json."""
        self.events[kind] += 1

    def log(self, kind: str, system: str, table: str, source_id: str | None, detail: str = "") -> None:
        self.mess_counts[kind] += 1
        self.truth["mess"].add_row((kind, system, table, source_id or "", detail))

    # ---- rows --------------------------------------------------------------------------------------------
    def _row_id(self, meta: TableMeta, out: list) -> str:
        return "|".join(str(out[i] or "") for i in meta.pk_idx)

    def emit(self, system: str, table: str, row: dict, stale: Callable[[dict], dict] | None = None) -> bool:
        """Write one row (a dict of typed values). Returns False when mess blanked its primary key."""
        key = (system, table)
        meta = self.meta[key]
        m, r = self.mess, self.rng
        offset = 0
        if m.timestamp_offset and meta.ts_idx and r.random() < m.timestamp_offset:
            offset = r.choice(OFFSETS)
        out = [fmt_value(row.get(c), k, offset) for c, k in zip(meta.columns, meta.kinds)]
        rid = self._row_id(meta, out)
        if offset != 0 and any(out[i] for i in meta.ts_idx):
            self.log("timestamp_offset", system, table, rid, "no offset" if offset is None else f"{offset:+03d}:00")
        if m.currency_case and meta.cur_idx and r.random() < m.currency_case:
            for i in meta.cur_idx:
                if out[i]:
                    out[i] = r.choice((out[i].lower(), out[i].capitalize()))
            self.log("currency_case", system, table, rid, out[meta.cur_idx[0]] or "")
        pk_ok = True
        self.last_clean = True  # whether this row reaches staging as written (no bad value, no blank key)
        self.last_bad: str | None = None  # the kind of bad value written into it, if any
        if m.bad_value and key not in NO_BAD_VALUES and r.random() < m.bad_value:
            pk_ok = self._corrupt(meta, system, table, out, rid)
            self.last_clean = False
        # the version of the row staging keeps: this one; when a bad value quarantines it, the stale version
        # re-sent beside it if any (set below), else none
        self.last_staged = row if self.last_clean else None
        out.append(self.loaded_at[system])
        if stale is not None and m.resend and r.random() < m.resend:
            old = stale(dict(row))
            if not self.last_clean:
                self.last_staged = old
            old_out = [fmt_value(old.get(c), k, offset) for c, k in zip(meta.columns, meta.kinds)]
            changed = [c for c, a, b in zip(meta.columns, old_out, out) if a != b]
            old_out.append(self.loaded_at[system])
            self.writers[key].add_row(old_out)
            late_at = self.export_at + timedelta(days=1 + r.randint(0, 2), minutes=r.randint(0, 600))
            out[-1] = fmt_ts(late_at)
            self.max_loaded[key] = max(self.max_loaded[key], out[-1])
            self.late.append((key, out))
            self.log("resend", system, table, rid, "changed: " + ";".join(changed))
        else:
            self.writers[key].add_row(out)
        if m.exact_duplicate and r.random() < m.exact_duplicate:
            self.writers[key].add_row(list(out))
            self.log("exact_duplicate", system, table, rid)
        return pk_ok

    def _corrupt(self, meta: TableMeta, system: str, table: str, out: list, rid: str) -> bool:
        r = self.rng
        options = []
        if [i for i in meta.ts_idx if out[i]]:
            options.append("bad_timestamp")
        if [i for i in meta.amount_idx if out[i]]:
            options.append("bad_amount")
        if [i for i in meta.cur_idx if out[i]]:
            options.append("bad_currency")
        options.append("missing_pk")
        kind = r.choice(options)
        self.last_bad = kind
        if kind == "bad_timestamp":
            i = r.choice([i for i in meta.ts_idx if out[i]])
            out[i] = r.choice(BAD_TIMESTAMPS)
        elif kind == "bad_amount":
            i = r.choice([i for i in meta.amount_idx if out[i]])
            out[i] = r.choice(BAD_AMOUNTS)
        elif kind == "bad_currency":
            i = r.choice([i for i in meta.cur_idx if out[i]])
            out[i] = "XXX"
        else:
            i = meta.pk_idx[-1]
            out[i] = ""
        self.log(kind, system, table, "" if kind == "missing_pk" and len(meta.pk_idx) == 1 else rid,
                 f"{meta.columns[i]} (row {rid})")
        return kind != "missing_pk"

    def emit_columns(self, system: str, table: str, cols: dict[str, np.ndarray]) -> None:
        """Write a batch given column-wise (numpy arrays of str; '' = NULL) with vectorised row-level mess."""
        key = (system, table)
        meta = self.meta[key]
        m, g = self.mess, self.nrng
        arrays = [cols[c] for c in meta.columns]
        n = len(arrays[0])
        if n == 0:
            return
        if m.enabled:
            arrays = [a.astype(object) for a in arrays]
            rid = None

            def row_id(j: int) -> str:
                return "|".join(str(arrays[i][j]) for i in meta.pk_idx)

            if m.timestamp_offset and meta.ts_idx:
                for j in np.flatnonzero(g.random(n) < m.timestamp_offset):
                    off = OFFSETS[int(g.integers(len(OFFSETS)))]
                    for i in meta.ts_idx:
                        v = arrays[i][j]
                        if v:
                            dt = datetime.fromisoformat(v.rstrip("Z"))
                            arrays[i][j] = fmt_ts(dt, off)
                    self.log("timestamp_offset", system, table, row_id(j),
                             "no offset" if off is None else f"{off:+03d}:00")
            if m.bad_value and key not in NO_BAD_VALUES:
                for j in np.flatnonzero(g.random(n) < m.bad_value):
                    rid = row_id(j)
                    out = [a[j] for a in arrays]
                    ok = self._corrupt(meta, system, table, out, rid)
                    for i, a in enumerate(arrays):
                        a[j] = out[i]
                    del ok
            dup = np.flatnonzero(g.random(n) < m.exact_duplicate) if m.exact_duplicate else np.array([], int)
            if len(dup):
                for j in dup:
                    self.log("exact_duplicate", system, table, row_id(j))
                order = np.sort(np.concatenate([np.arange(n), dup]), kind="stable")
                arrays = [a[order] for a in arrays]
                n = len(order)
        arrays.append(np.full(n, self.loaded_at[system], dtype=object))
        self.writers[key].add_columns(arrays)

    def flush_late(self) -> None:
        """Re-sent rows land after the rows written so far (a later file of the same export)."""
        for key, out in self.late:
            self.writers[key].add_row(out)
        self.late = []

    def write_leakage(self, world) -> None:
        """leakage.csv: every case fct_revenue_leakage should flag, as of the day of the latest invoice row."""
        as_of = datetime.fromisoformat(self.max_loaded[("stripe", "invoice")].rstrip("Z")).date()
        w = TableWriter(self.truth_dir / "leakage", LEAKAGE_COLUMNS, "csv")
        rows = sorted(self.leakage.rows(as_of, world))
        for row in rows:
            w.add_row(row)
        w.close()
        self.leakage_as_of = as_of.isoformat()
        self.leakage_counts = dict(sorted(Counter(r[0] for r in rows).items()))

    def close(self) -> dict[str, int]:
        self.flush_late()
        counts = {}
        for (system, table), w in self.writers.items():
            w.close()
            counts[f"{system}.{table}"] = w.rows_written
        for w in self.truth.values():
            w.close()
        return counts
