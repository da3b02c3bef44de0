"""Backtest benchmark of the MRR forecast on the generator's history.

    python -m revops.forecast --truth /tmp/truth            # an existing ground-truth folder
    python -m revops.forecast --seed 42 --scale 1           # generate a sample first (about 10 s)

Prints the rolling-origin backtest WAPE of the selected model and of the seasonal-naive baseline, and the
time to backtest and to fit the final forecast.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from revops.forecast import CANDIDATES, benchmark, series_from_truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revops.forecast", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--truth", type=Path, help="generator ground-truth folder (with mrr.csv)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--horizon", type=int, default=12, help="months ahead (default 12)")
    parser.add_argument("--origins", type=int, default=12, help="rolling origins (default 12)")
    parser.add_argument("--models", nargs="+", default=list(CANDIDATES),
                        help=f"candidates (default {' '.join(CANDIDATES)}; auto_arima is slower)")
    args = parser.parse_args(argv)
    truth = args.truth
    if truth is None:
        from revops.generator import generate

        root = Path(tempfile.mkdtemp(prefix="revops-forecast-"))
        truth = root / "truth"
        generate(root / "raw", truth, seed=args.seed, scale=args.scale, fmt="csv")
    result = benchmark(series_from_truth(truth), h=args.horizon, n_origins=args.origins, models=tuple(args.models))
    print(f"series: {result.n_series}, months: {result.n_months}, origins: {args.origins}, horizon: {args.horizon}")
    print(result.selection.to_string(index=False))
    print(f"backtest WAPE  model {result.wape_model:.4f}  seasonal naive {result.wape_baseline:.4f}")
    print(f"time  backtest {result.backtest_seconds:.2f} s  fit + forecast {result.fit_seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
