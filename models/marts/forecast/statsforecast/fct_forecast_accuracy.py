"""Forecast accuracy by horizon (DuckDB only): MAPE, WAPE and bias for
- evaluation = rolling_origin_backtest: every statistical candidate and the seasonal-naive baseline over the
  rolling origins of int_forecast__mrr_backtest (measure mrr);
- evaluation = stored_forecast: every forecast stored in fct_mrr_forecast whose month now has an actual MRR
  (pooled over origins; empty until a month forecast by an earlier build has closed). A daily build stores its
  origin's forecast again each day: each (series, model, origin month, month) counts once, the latest run's;
- evaluation = pipeline_snapshot: the sales team's commit and best case against closed-won ACV per close month,
  from int_forecast__sales_pipeline_monthly (measure closed_won_acv; series total).
Formulas: revops.forecast.accuracy_by_horizon.
"""

import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    from revops.forecast import BASELINE, accuracy_by_horizon, monthly_series, select_models

    backtest = dbt.ref("int_forecast__mrr_backtest").df().rename(columns={"series": "unique_id"})
    selected = select_models(backtest)[["unique_id", "model"]].assign(is_selected=True)
    stored = dbt.ref("fct_mrr_forecast").df()
    # one forecast / actual pair per origin: the latest of the runs that forecast from it
    stored = stored.sort_values(["run_date", "forecast_id"]).drop_duplicates(
        ["series", "model", "origin_month", "month"], keep="last")
    actuals = monthly_series(dbt.ref("int_mrr__segment_monthly").df())
    pipeline = dbt.ref("int_forecast__sales_pipeline_monthly").df()

    def summarise(scored, evaluation, measure):
        acc = accuracy_by_horizon(scored)
        first = scored.groupby(["unique_id", "model"])["ds"].min().rename("first_month")
        last = scored.groupby(["unique_id", "model"])["ds"].max().rename("last_month")
        acc = acc.join(first, on=["unique_id", "model"]).join(last, on=["unique_id", "model"])
        return acc.assign(evaluation=evaluation, measure=measure)

    parts = []
    backtest["month"] = pd.to_datetime(backtest["month"])
    bt = summarise(backtest.rename(columns={"month": "ds"}), "rolling_origin_backtest", "mrr")
    bt = bt.merge(selected, on=["unique_id", "model"], how="left")
    parts.append(bt)

    actual = actuals.rename(columns={"unique_id": "series", "ds": "month", "y": "actual"})
    stored["month"] = pd.to_datetime(stored["month"])
    stored = stored.merge(actual, on=["series", "month"], how="inner")
    stored = stored[["series", "model", "month", "horizon", "actual", "forecast", "is_selected"]]
    live = summarise(stored.rename(columns={"series": "unique_id", "month": "ds"}), "stored_forecast", "mrr")
    flags = stored.groupby(["series", "model"])["is_selected"].max().rename("is_selected")
    parts.append(live.join(flags, on=["unique_id", "model"]) if not live.empty else live)

    sales = pd.concat([
        pipeline.assign(model=m, forecast=pipeline[c].astype(float))
        for m, c in (("sales_commit", "commit_amount"), ("sales_best_case", "best_case_amount"))
    ])
    sales = sales.assign(unique_id="total", actual=sales["closed_won_amount"].astype(float),
                         ds=pd.to_datetime(sales["close_month"]))
    sales = sales[(sales["actual"] != 0) | (sales["forecast"] != 0)]
    parts.append(summarise(sales, "pipeline_snapshot", "closed_won_acv"))

    out = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    # rows of the pipeline evaluation have no is_selected: they were never a candidate, so False
    selected = out["is_selected"] if "is_selected" in out else pd.Series(False, index=out.index)
    out["is_selected"] = selected.map(lambda v: bool(v) if pd.notna(v) else False).astype(bool)
    out["is_baseline"] = out["model"].eq(BASELINE)
    out = out.rename(columns={"unique_id": "series"})
    for c in ("first_month", "last_month"):
        out[c] = pd.to_datetime(out[c]).dt.date
    out["accuracy_id"] = (out["evaluation"] + "|" + out["series"] + "|" + out["model"] + "|"
                          + out["horizon"].astype(str))
    cols = ["accuracy_id", "evaluation", "measure", "series", "model", "is_selected", "is_baseline", "horizon",
            "n_points", "mape", "wape", "bias", "actual_total", "forecast_total", "first_month", "last_month"]
    return out[cols].sort_values(["evaluation", "series", "model", "horizon"]).reset_index(drop=True)
