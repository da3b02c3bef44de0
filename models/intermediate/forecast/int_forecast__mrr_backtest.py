"""Rolling-origin backtest of the statistical MRR models and the seasonal-naive baseline (DuckDB only).

Each of the last `forecast_backtest_origins` months of history serves as a forecast origin; every candidate model
and the baseline forecast up to `forecast_horizon_months` ahead from it, scored against the actual MRR.
Logic: revops.forecast.backtest. fct_mrr_forecast selects its model from these rows; fct_forecast_accuracy
summarises them.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from revops.forecast import backtest, monthly_series

    horizon = int(dbt.config.get("horizon_months"))
    origins = int(dbt.config.get("backtest_origins"))
    segment_mrr = dbt.ref("int_mrr__segment_monthly").df()
    series = monthly_series(segment_mrr)
    scored = backtest(series, h=horizon, n_origins=origins)
    scored = scored.rename(columns={"unique_id": "series", "ds": "month"})
    scored["origin_month"] = scored["origin"].dt.date
    scored["month"] = scored["month"].dt.date
    return scored[["series", "model", "origin_month", "month", "horizon", "actual", "forecast"]]
