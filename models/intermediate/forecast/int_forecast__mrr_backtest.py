"""Rolling-origin backtest of the statistical MRR models and the seasonal-naive baseline (DuckDB only).

Each of the last `forecast_backtest_origins` months of history serves as a forecast origin; every candidate model
and the baseline forecast up to `forecast_horizon_months` ahead from it, scored against the actual MRR.
Logic: revops.forecast.backtest. fct_mrr_forecast selects its model from these rows; fct_forecast_accuracy
summarises them.

The rows of the previous build are passed back (`reuse`): a series and origin whose history fingerprint is
unchanged keeps its forecasts and only takes the current actuals, so when new invoices change only recent
months only the origins that saw those months are fitted again. The fits run in a child process, or in dbt's
process when there are at most a few (revops.forecast.backtest_isolated).
"""


def _previous_rows(dbt, session):
    """This model's rows from the previous build, in revops.forecast's layout, or None (first build, or a
    table from before the fingerprint column)."""
    this = dbt.this
    exists = session.execute(
        "select count(*) from information_schema.columns where table_catalog = ? and table_schema = ? "
        "and table_name = ? and column_name = 'history_fingerprint'",
        [this.database, this.schema, this.identifier],
    ).fetchone()[0]
    if not exists:
        return None
    previous = session.sql(
        f'select series as unique_id, model, origin_month as origin, month as ds, forecast, history_fingerprint '
        f'from "{this.database}"."{this.schema}"."{this.identifier}"'
    ).df()
    return previous


def model(dbt, session):
    dbt.config(materialized="table")
    from revops.forecast import backtest_isolated, monthly_series

    horizon = int(dbt.config.get("horizon_months"))
    origins = int(dbt.config.get("backtest_origins"))
    segment_mrr = dbt.ref("int_mrr__segment_monthly").df()
    series = monthly_series(segment_mrr)
    # in a child process unless only a few origins are refitted: its fits keep the interpreter lock,
    # which the identity models running beside it in this process need (revops.isolated)
    scored = backtest_isolated(series, h=horizon, n_origins=origins, reuse=_previous_rows(dbt, session))
    scored = scored.rename(columns={"unique_id": "series", "ds": "month"})
    scored["origin_month"] = scored["origin"].dt.date
    scored["month"] = scored["month"].dt.date
    return scored[["series", "model", "origin_month", "month", "horizon", "actual", "forecast",
                   "history_fingerprint"]]
