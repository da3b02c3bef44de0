"""Statistical MRR forecast: monthly series by segment and in total, rolling-origin backtests, model selection
against a seasonal-naive baseline, 12-month forecasts with prediction intervals (statsforecast).

Plain functions on pandas frames; no dbt, no Dagster. The dbt Python models in models/marts/forecast/ call them.
"""

from revops.forecast.core import (
    BASELINE,
    CANDIDATES,
    TOTAL_SERIES,
    BenchmarkResult,
    accuracy_by_horizon,
    backtest,
    backtest_isolated,
    benchmark,
    forecast,
    monthly_series,
    select_models,
    series_from_company_mrr,
    series_from_truth,
)

__all__ = [
    "BASELINE",
    "CANDIDATES",
    "TOTAL_SERIES",
    "BenchmarkResult",
    "accuracy_by_horizon",
    "backtest",
    "backtest_isolated",
    "benchmark",
    "forecast",
    "monthly_series",
    "select_models",
    "series_from_company_mrr",
    "series_from_truth",
]
