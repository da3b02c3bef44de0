"""Monthly MRR forecast, in total and per segment, `forecast_horizon_months` ahead with 80 % and 95 % prediction
intervals (DuckDB only: statsforecast). Per series the model with the lowest rolling-origin backtest WAPE
(int_forecast__mrr_backtest) is stored (is_selected) next to the seasonal-naive baseline.

History: incremental, delete+insert on run_date. Each build appends its forecast under the build's run date
(var forecast_run_date, default today); a second build on the same day replaces that day's rows. Earlier run
dates stay, so fct_forecast_accuracy can score stored forecasts against what happened. `dbt build
--full-refresh` erases the history. A series with too little history to backtest (a young company: under 13
months) gets no rows; with none long enough the build stores no forecast rather than failing.
"""

from datetime import date

import pandas as pd


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="run_date")
    from revops.forecast import forecast, monthly_series, select_models

    horizon = int(dbt.config.get("horizon_months"))
    run_date_var = dbt.config.get("run_date")
    run_date = date.fromisoformat(run_date_var) if run_date_var not in (None, "", "None", "none") else date.today()

    series = monthly_series(dbt.ref("int_mrr__segment_monthly").df())
    scored = dbt.ref("int_forecast__mrr_backtest").df().rename(columns={"series": "unique_id"})
    selection = select_models(scored)
    out = forecast(series, selection, h=horizon, run_date=run_date)
    wape = selection.set_index("unique_id")
    out["backtest_wape"] = pd.Series([
        wape.at[s, "wape"] if m != "seasonal_naive" else wape.at[s, "baseline_wape"]
        for s, m in zip(out["series"], out["model"])
    ], index=out.index, dtype=float)
    out["forecast_id"] = (out["run_date"].astype(str) + "|" + out["series"] + "|" + out["model"] + "|"
                          + out["month"].astype(str))
    return out[["forecast_id", "run_date", "series", "origin_month", "month", "horizon", "model", "is_selected",
                "forecast", "lo_80", "hi_80", "lo_95", "hi_95", "backtest_wape"]]
