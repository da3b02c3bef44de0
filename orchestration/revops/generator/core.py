"""generate(): build the world, then simulate company by company, streaming every table to disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from datetime import datetime, timedelta

from tqdm import tqdm

from revops.contract import raw_tables

from .company import CompanySim
from .config import LeakageRates, MessRates
from .sink import Sink
from .util import add_months
from .world import build_world

COMPANIES_PER_SCALE = 1000
CHUNK = 250  # companies between two flushes of re-sent rows


def generate(out_dir: str | Path, truth_dir: str | Path, seed: int = 42, scale: float = 1.0, fmt: str = "csv",
             months: int = 36, end_month: str = "2026-10", mess: bool | MessRates = True,
             progress: bool = False, leakage: bool | LeakageRates = True) -> dict[str, int]:
    """Write the raw source tables to ``out_dir`` and the ground truth to ``truth_dir``.

    ``leakage`` plants revenue leakage at ``LeakageRates`` (business reality, independent of ``mess``); every case
    the leakage mart should flag, planted or natural, is listed in ``truth_dir/leakage.csv``.
    Returns the number of rows written per table (``system.table``), duplicates and re-sends included.
    """
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be 'csv' or 'parquet', got {fmt!r}")
    rates = mess if isinstance(mess, MessRates) else (MessRates() if mess else MessRates.none())
    leak = leakage if isinstance(leakage, LeakageRates) else (LeakageRates() if leakage else LeakageRates.none())
    out, truth = Path(out_dir), Path(truth_dir)
    for d in (out, truth):
        if d.exists():
            for t in raw_tables():
                for suffix in (".csv", ".parquet"):
                    (d / t.system / f"{t.table}{suffix}").unlink(missing_ok=True)
                if (d / t.system / t.table).is_dir():
                    shutil.rmtree(d / t.system / t.table)
        d.mkdir(parents=True, exist_ok=True)
    y, m = (int(p) for p in end_month.split("-"))
    end = add_months(datetime(y, m, 1), 1)
    sink = Sink(out, truth, fmt, rates, seed, end + timedelta(days=1, hours=2), leak)
    world = build_world(sink, seed, scale, months, end_month)
    n_companies = max(1, round(COMPANIES_PER_SCALE * scale))
    bar = tqdm(total=n_companies, desc="companies", unit="co", disable=not progress, mininterval=0.5)
    for idx in range(n_companies):
        CompanySim(world, sink, idx).run()
        bar.update(1)
        if (idx + 1) % CHUNK == 0:
            sink.flush_late()
    bar.close()
    sink.write_leakage(world)
    counts = sink.close()
    summary = {"seed": seed, "scale": scale, "format": fmt, "months": months, "end_month": end_month,
               "mess": rates.enabled, "companies": n_companies, "counts": counts,
               "mess_counts": dict(sorted(sink.mess_counts.items())),
               "events": dict(sorted(sink.events.items())),
               "leakage_as_of": sink.leakage_as_of, "leakage_planted": dict(sorted(sink.leakage.planted.items())),
               "leakage_counts": sink.leakage_counts,
               "truth_counts": {k: w.rows_written for k, w in sink.truth.items()}}
    (truth / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return counts
