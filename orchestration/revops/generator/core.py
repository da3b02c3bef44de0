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
# Written into the raw folder with the sample: only a folder holding it (or no contract table's file) has its
# contract files deleted and rewritten, so a folder of real exports is never overwritten.
SAMPLE_MARKER = ".revops-sample"


def _contract_files(folder: Path) -> list[Path]:
    """The files and part folders of contract tables in ``folder``: what generate() would delete."""
    found = []
    for t in raw_tables():
        for suffix in (".csv", ".parquet"):
            if (folder / t.system / f"{t.table}{suffix}").exists():
                found.append(folder / t.system / f"{t.table}{suffix}")
        if (folder / t.system / t.table).is_dir():
            found.append(folder / t.system / t.table)
    return found


def check_sample_folder(out_dir: Path) -> None:
    """Raise ValueError when ``out_dir`` holds contract files the sample generator did not write (no
    SAMPLE_MARKER): they may be someone's exports, and generate() would delete them."""
    existing = _contract_files(out_dir) if out_dir.is_dir() else []
    if existing and not (out_dir / SAMPLE_MARKER).exists():
        raise ValueError(
            f"{out_dir} holds raw files the sample generator did not write ({existing[0]}"
            + (f" and {len(existing) - 1} more" if len(existing) > 1 else "")
            + f"; no {SAMPLE_MARKER} there), perhaps your exports: the generator never overwrites them. Write the "
            "sample into another folder (--out), or remove those files yourself (a sample written before the "
            f"generator marked its folders has no {SAMPLE_MARKER} either: `make clean` removes data/)")


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
    check_sample_folder(out)
    for d in (out, truth):
        for found in _contract_files(d) if d.is_dir() else []:
            shutil.rmtree(found) if found.is_dir() else found.unlink()
        d.mkdir(parents=True, exist_ok=True)
    (out / SAMPLE_MARKER).write_text(json.dumps({"seed": seed, "scale": scale, "format": fmt}) + "\n",
                                     encoding="utf-8")
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
