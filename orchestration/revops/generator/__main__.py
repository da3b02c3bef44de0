"""CLI: ``python -m revops.generator --help``."""

from __future__ import annotations

import argparse
import sys
import time

from .core import generate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m revops.generator",
        description="Generate a sample B2B SaaS company's raw source exports (data/raw/<system>/<table>.csv|"
                    ".parquet) and the ground truth behind them (persons, companies, mrr, mess, summary).")
    p.add_argument("--out", default="data/raw", help="raw output folder (default: data/raw)")
    p.add_argument("--truth", default="data/ground_truth", help="ground-truth folder (default: data/ground_truth)")
    p.add_argument("--seed", type=int, default=42, help="random seed; same seed, same bytes (default: 42)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="1 = ~1,000 companies / ~10^4 person records; accepts floats, up to 100 (default: 1)")
    p.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv", help="file format (default: csv)")
    p.add_argument("--months", type=int, default=36, help="months of history (default: 36)")
    p.add_argument("--end-month", default="2026-10", help="last month of history, YYYY-MM (default: 2026-10)")
    p.add_argument("--no-mess", action="store_true", help="write clean data: no injected mess of any kind")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    a = p.parse_args(argv)
    t0 = time.time()
    counts = generate(a.out, a.truth, seed=a.seed, scale=a.scale, fmt=a.fmt, months=a.months,
                      end_month=a.end_month, mess=not a.no_mess, progress=not a.quiet)
    print(f"wrote {sum(counts.values()):,} rows in {len(counts)} tables to {a.out} "
          f"(truth in {a.truth}) in {time.time() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
