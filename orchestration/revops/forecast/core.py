"""Forecast logic: series preparation, rolling-origin backtests, model selection, forecasts with intervals.

Frames use statsforecast's long layout: ``unique_id`` (series name), ``ds`` (first day of the month, Timestamp),
``y`` (MRR in the reporting currency). Series names: ``total`` and one per segment (``smb``, ``mid_market``,
``enterprise``, ``unknown``).

Model selection: every candidate (AutoETS, AutoTheta, random walk with drift; AutoARIMA optionally) is
backtested with the seasonal-naive baseline on rolling origins (the last ``n_origins`` months of history each
serve as a forecast origin, each forecasting up to ``h`` months ahead). Per series the candidate with the lowest
WAPE over all origins and horizons is chosen; the forecast stores the chosen model and the baseline.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

TOTAL_SERIES = "total"
BASELINE = "seasonal_naive"
SEASON_LENGTH = 12
LEVELS = (80, 95)
# candidate name -> statsforecast model factory (imported lazily: statsforecast takes a second to import)
CANDIDATES = ("auto_ets", "auto_theta", "drift")
SLOW_CANDIDATES = ("auto_arima",)


def _model(name: str, season_length: int = SEASON_LENGTH):
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, RandomWalkWithDrift, SeasonalNaive

    factories = {
        "auto_ets": lambda: AutoETS(season_length=season_length, alias=name),
        "auto_theta": lambda: AutoTheta(season_length=season_length, alias=name),
        "auto_arima": lambda: AutoARIMA(season_length=season_length, alias=name),
        "drift": lambda: RandomWalkWithDrift(alias=name),
        BASELINE: lambda: SeasonalNaive(season_length=season_length, alias=name),
    }
    if name not in factories:
        raise ValueError(f"unknown forecast model {name!r}: use one of {sorted(factories)}")
    return factories[name]()


# ---------------------------------------------------------------------------------------------------------------
# series


def monthly_series(segment_mrr: pd.DataFrame, month_col: str = "month", segment_col: str = "segment",
                   value_col: str = "mrr") -> pd.DataFrame:
    """Long frame (unique_id, ds, y) of MRR per segment and in total from rows of (month, segment, mrr).

    Months missing inside a series' span are filled with 0; each series starts at its first month with MRR > 0
    (leading zeros carry no information) and series with no MRR at all are dropped.
    """
    missing = {month_col, segment_col, value_col} - set(segment_mrr.columns)
    if missing:
        raise ValueError(f"segment MRR frame lacks columns {sorted(missing)}: expected month, segment, mrr")
    df = segment_mrr[[month_col, segment_col, value_col]].copy()
    df.columns = ["ds", "unique_id", "y"]
    df["ds"] = pd.to_datetime(df["ds"]).dt.to_period("M").dt.to_timestamp()
    df["y"] = df["y"].astype(float)
    df["unique_id"] = df["unique_id"].fillna("unknown").astype(str)
    by_segment = df.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    total = by_segment.groupby("ds", as_index=False)["y"].sum().assign(unique_id=TOTAL_SERIES)
    long = pd.concat([total, by_segment], ignore_index=True)
    if long.empty:
        return long[["unique_id", "ds", "y"]]
    months = pd.date_range(long["ds"].min(), long["ds"].max(), freq="MS")
    parts = []
    for uid, part in long.groupby("unique_id", sort=False):
        s = part.set_index("ds")["y"].reindex(months, fill_value=0.0)
        positive = s[s > 0]
        if positive.empty:
            continue
        s = s.loc[positive.index[0]:]
        parts.append(pd.DataFrame({"unique_id": uid, "ds": s.index, "y": s.to_numpy()}))
    return pd.concat(parts, ignore_index=True) if parts else long.iloc[0:0][["unique_id", "ds", "y"]]


def series_from_company_mrr(company_mrr: pd.DataFrame, segments: pd.DataFrame | None = None,
                            company_col: str = "company_id", month_col: str = "month",
                            value_col: str = "mrr") -> pd.DataFrame:
    """Series from company-level MRR (fct_mrr, or the generator's truth mrr.csv) plus an optional
    company -> segment frame (company_id, segment); companies without a segment count as ``unknown``."""
    df = company_mrr[[company_col, month_col, value_col]].rename(
        columns={company_col: "company_id", month_col: "month", value_col: "mrr"})
    if segments is not None:
        df = df.merge(segments[["company_id", "segment"]].drop_duplicates("company_id"), on="company_id", how="left")
    else:
        df["segment"] = "unknown"
    return monthly_series(df)


def series_from_truth(truth_dir) -> pd.DataFrame:
    """The total MRR series (unique_id ``total``) from the generator's ground truth ``<truth_dir>/mrr.csv``
    (true monthly MRR in USD per company): history without a warehouse build."""
    from pathlib import Path

    path = Path(truth_dir) / "mrr.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: pass the generator's --truth folder")
    mrr = pd.read_csv(path)
    series = series_from_company_mrr(mrr, company_col="true_company_id", value_col="mrr_usd")
    return series[series["unique_id"] == TOTAL_SERIES].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# fitting


def _empty_frame(dtypes: dict[str, str]) -> pd.DataFrame:
    """No rows, but typed (strings, Arrow dates), so a warehouse writing it gets the columns' real types and
    callers can still use ``.dt`` on it."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _fit_forecast(train: pd.DataFrame, models: list[str], h: int, level: list[int] | None) -> pd.DataFrame:
    from statsforecast import StatsForecast

    sf = StatsForecast(models=[_model(m) for m in models], freq="MS", n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sf.forecast(df=train, h=h, level=level) if level else sf.forecast(df=train, h=h)
    if "unique_id" not in out.columns:  # older statsforecast returned it as the index
        out = out.reset_index()
    return out


def history_fingerprint(train: pd.DataFrame, last: pd.Timestamp, models: list[str], h: int, min_train: int) -> str:
    """What a backtest forecast of one series from one origin depends on: the series' history up to the origin
    (months and values), the last month of actuals (the months scored), and the models, horizon and minimum
    history. Equal fingerprints give equal forecasts."""
    import hashlib

    from statsforecast import __version__ as statsforecast_version

    digest = hashlib.sha256(
        f"{statsforecast_version}|{','.join(models)}|{h}|{min_train}|{SEASON_LENGTH}|{last:%Y-%m}".encode())
    for ds, y in zip(train["ds"], train["y"]):
        digest.update(f";{ds:%Y-%m}={float(y)!r}".encode())
    return digest.hexdigest()


def _reusable_rows(reuse: pd.DataFrame | None, all_models: list[str]) -> pd.DataFrame:
    """The rows of an earlier backtest that may be reused (see backtest), in its columns."""
    reusable = pd.DataFrame({"unique_id": pd.Series(dtype=str), "model": pd.Series(dtype=str),
                             "origin": pd.Series(dtype="datetime64[ns]"), "ds": pd.Series(dtype="datetime64[ns]"),
                             "forecast": pd.Series(dtype=float), "history_fingerprint": pd.Series(dtype=str)})
    if reuse is not None and not reuse.empty and "history_fingerprint" in reuse.columns:
        reuse = reuse.assign(origin=pd.to_datetime(reuse["origin"]), ds=pd.to_datetime(reuse["ds"]))
        reusable = reuse[reuse["model"].isin(all_models)][list(reusable.columns)]
    return reusable


def _backtest_plan(series: pd.DataFrame, h: int, n_origins: int, min_train: int, all_models: list[str],
                   reusable: pd.DataFrame):
    """Per origin: (origin, training rows, fingerprint per series, rows kept from ``reusable``, series reused)."""
    last = series["ds"].max()
    for origin in [last - pd.DateOffset(months=k) for k in range(n_origins, 0, -1)]:
        train = series[series["ds"] <= origin]
        lengths = train.groupby("unique_id")["ds"].transform("size")
        train = train[lengths >= min_train]
        if train.empty:
            continue
        prints = {uid: history_fingerprint(part, last, all_models, h, min_train)
                  for uid, part in train.groupby("unique_id", sort=True)}
        kept = reusable[(reusable["origin"] == origin)
                        & (reusable["history_fingerprint"] == reusable["unique_id"].map(prints))]
        # a series is reused only when every model's forecasts came through (all horizons are in the rows)
        complete = set(kept.groupby("unique_id")["model"].nunique().loc[lambda n: n == len(all_models)].index)
        yield origin, train, prints, kept, complete


def fits_needed(series: pd.DataFrame, h: int = 12, n_origins: int = 12, min_train: int = SEASON_LENGTH + 1,
                models: tuple[str, ...] = CANDIDATES, reuse: pd.DataFrame | None = None) -> int:
    """How many (series, origin) fits ``backtest`` with these arguments would run: the rest it reuses."""
    all_models = list(dict.fromkeys([*models, BASELINE]))
    return sum(len(set(prints) - complete) for _, _, prints, _, complete
               in _backtest_plan(series, h, n_origins, min_train, all_models, _reusable_rows(reuse, all_models)))


def backtest(series: pd.DataFrame, h: int = 12, n_origins: int = 12, min_train: int = SEASON_LENGTH + 1,
             models: tuple[str, ...] = CANDIDATES, reuse: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rolling-origin backtest of ``models`` and the seasonal-naive baseline.

    The last ``n_origins`` months before the end of history each serve as a forecast origin (the model sees the
    history up to and including the origin month); every origin forecasts up to ``h`` months ahead, scored where
    actuals exist. A series enters an origin only with at least ``min_train`` months of history.

    ``reuse``: an earlier backtest's rows (with ``history_fingerprint``). A series and origin whose fingerprint
    is unchanged takes its forecasts from there instead of being fitted again (the actuals are always the
    current ones): when new data changes only recent months, only the origins that saw them are refitted.

    Returns one row per (unique_id, model, origin, ds): horizon (1 = the month after the origin), actual,
    forecast, history_fingerprint.
    """
    columns = ["unique_id", "model", "origin", "ds", "horizon", "actual", "forecast", "history_fingerprint"]
    all_models = list(dict.fromkeys([*models, BASELINE]))
    rows = []
    for origin, train, prints, kept, complete in _backtest_plan(series, h, n_origins, min_train, all_models,
                                                                _reusable_rows(reuse, all_models)):
        parts = []
        if complete:
            parts.append(kept[kept["unique_id"].isin(complete)][["unique_id", "ds", "model", "forecast"]])
        to_fit = train[~train["unique_id"].isin(complete)]
        if not to_fit.empty:
            fc = _fit_forecast(to_fit, all_models, h, level=None)
            parts.append(fc.melt(id_vars=["unique_id", "ds"], value_vars=all_models, var_name="model",
                                 value_name="forecast"))
        fc = pd.concat(parts, ignore_index=True)
        fc["origin"] = origin
        fc["horizon"] = ((fc["ds"].dt.year - origin.year) * 12 + fc["ds"].dt.month - origin.month).astype(int)
        fc["history_fingerprint"] = fc["unique_id"].map(prints)
        rows.append(fc.merge(series, on=["unique_id", "ds"], how="inner").rename(columns={"y": "actual"}))
    if not rows:  # no series has min_train months yet (a young company): typed, so callers can use .dt on it
        return _empty_frame({"unique_id": "string", "model": "string", "origin": "datetime64[ns]",
                             "ds": "datetime64[ns]", "horizon": "int64", "actual": "float64", "forecast": "float64",
                             "history_fingerprint": "string"})
    out = pd.concat(rows, ignore_index=True)
    out["forecast"] = out["forecast"].clip(lower=0.0)
    return out[columns]


# At most this many (series, origin) fits run in the calling process (a few tenths of a second); more go to a child
# process (revops.isolated): the fits hold the interpreter lock most of their time (Python and numpy around
# statsforecast's C++ library: a pure-Python loop beside a scale-100 backtest ran 3.3 times slower), and dbt's
# other Python models need it.
IN_PROCESS_MAX_FITS = 10


def backtest_isolated(series: pd.DataFrame, h: int = 12, n_origins: int = 12, reuse: pd.DataFrame | None = None,
                      **kwargs) -> pd.DataFrame:
    """``backtest`` in a child process, or here when it has at most IN_PROCESS_MAX_FITS fits to run (an
    increment that changes recent months refits a few origins: a child would spend more starting and
    importing statsforecast, about 2 s, than fitting)."""
    if fits_needed(series, h=h, n_origins=n_origins, reuse=reuse, **kwargs) <= IN_PROCESS_MAX_FITS:
        return backtest(series, h=h, n_origins=n_origins, reuse=reuse, **kwargs)
    from revops.isolated import call_isolated

    return call_isolated("revops.forecast.core:backtest", series, h=h, n_origins=n_origins, reuse=reuse, **kwargs)


def _metrics(group: pd.DataFrame) -> pd.Series:
    actual, fc = group["actual"].to_numpy(float), group["forecast"].to_numpy(float)
    err = fc - actual
    denom = np.abs(actual).sum()
    nonzero = actual != 0
    return pd.Series({
        "n_points": int(len(group)),
        "mape": float(np.mean(np.abs(err[nonzero]) / np.abs(actual[nonzero]))) if nonzero.any() else np.nan,
        "wape": float(np.abs(err).sum() / denom) if denom else np.nan,
        "bias": float(err.sum() / denom) if denom else np.nan,
        "actual_total": float(actual.sum()),
        "forecast_total": float(fc.sum()),
    })


def accuracy_by_horizon(scored: pd.DataFrame, keys: tuple[str, ...] = ("unique_id", "model")) -> pd.DataFrame:
    """MAPE, WAPE and bias per ``keys`` and horizon from rows with actual and forecast.

    WAPE = sum |forecast - actual| / sum |actual|; bias = sum (forecast - actual) / sum |actual| (positive = over-
    forecast); MAPE = mean |forecast - actual| / |actual| over rows with a non-zero actual.
    """
    cols = [*keys, "horizon"]
    if scored.empty:
        return pd.DataFrame(columns=[*cols, "n_points", "mape", "wape", "bias", "actual_total", "forecast_total"])
    return (scored.groupby(cols, sort=True)[["actual", "forecast"]].apply(_metrics).reset_index()
            .astype({"n_points": int}))


def select_models(scored: pd.DataFrame) -> pd.DataFrame:
    """Per series, the non-baseline model with the lowest WAPE over the whole backtest, with the baseline's WAPE.

    Returns unique_id, model, wape, baseline_wape, beats_baseline.
    """
    overall = accuracy_by_horizon(scored.assign(horizon=0))
    baseline = overall[overall["model"] == BASELINE].set_index("unique_id")["wape"]
    cands = overall[overall["model"] != BASELINE].sort_values(["unique_id", "wape", "model"])
    best = cands.groupby("unique_id", as_index=False).first()[["unique_id", "model", "wape"]]
    best["baseline_wape"] = best["unique_id"].map(baseline)
    best["beats_baseline"] = best["wape"] < best["baseline_wape"]
    return best


def forecast(series: pd.DataFrame, selection: pd.DataFrame, h: int = 12, levels: tuple[int, ...] = LEVELS,
             run_date: date | None = None) -> pd.DataFrame:
    """``h`` months ahead per series from the end of its history, for the selected model and the baseline.

    Returns run_date, series, origin_month (last month of history), month, horizon, model, is_selected, forecast,
    lo_80, hi_80, lo_95, hi_95 (MRR can't be negative: values are floored at 0).
    """
    run_date = run_date or date.today()
    chosen = dict(zip(selection["unique_id"], selection["model"]))
    series = series[series["unique_id"].isin(chosen)]  # a series too short to backtest gets no forecast
    value_cols = ["forecast", *[f"{b}_{lv}" for lv in levels for b in ("lo", "hi")]]
    columns = ["run_date", "series", "origin_month", "month", "horizon", "model", "is_selected", *value_cols]
    if series.empty:  # no series long enough (a young company): no forecast rows rather than a statsforecast error
        dates, strings = ("run_date", "origin_month", "month"), ("series", "model")
        return _empty_frame({c: "float64" if c in value_cols else "int64" if c == "horizon" else "bool"
                             if c == "is_selected" else "date32[pyarrow]" if c in dates else "string"
                             for c in columns if c in (*value_cols, "horizon", "is_selected", *dates, *strings)})
    models = sorted(set(chosen.values()) | {BASELINE})
    fc = _fit_forecast(series, models, h, level=list(levels))
    last = series.groupby("unique_id")["ds"].max()
    parts = []
    for model in models:
        cols = {model: "forecast", **{f"{model}-{b}-{lv}": f"{b}_{lv}" for lv in levels for b in ("lo", "hi")}}
        part = fc[["unique_id", "ds", *cols]].rename(columns=cols)
        part = part.assign(model=model, is_selected=part["unique_id"].map(chosen).eq(model))
        if model != BASELINE:
            part = part[part["is_selected"]]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    origin = out["unique_id"].map(last)
    out["horizon"] = ((out["ds"].dt.year - origin.dt.year) * 12 + out["ds"].dt.month - origin.dt.month).astype(int)
    out[value_cols] = out[value_cols].astype(float).clip(lower=0.0)
    out = out.assign(run_date=pd.Timestamp(run_date).date(), origin_month=origin.dt.date, month=out["ds"].dt.date)
    out = out.rename(columns={"unique_id": "series"})
    return out[columns].sort_values(["series", "model", "month"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# benchmark


@dataclass(frozen=True)
class BenchmarkResult:
    """Backtest WAPE of the selected model(s) and of the baseline, pooled over series, origins and horizons
    (``wape_model`` uses each series' chosen model), the per-series selection, and timings in seconds."""

    wape_model: float
    wape_baseline: float
    selection: pd.DataFrame
    backtest_seconds: float
    fit_seconds: float
    n_series: int
    n_months: int


def benchmark(series: pd.DataFrame, h: int = 12, n_origins: int = 12,
              models: tuple[str, ...] = CANDIDATES) -> BenchmarkResult:
    """Backtest, select, then time the final fit + 12-month forecast with intervals.

    Note the selection is made on the same backtest whose WAPE is reported (an optimistic figure for the
    model; the baseline's figure is unbiased).
    """
    t0 = time.perf_counter()
    scored = backtest(series, h=h, n_origins=n_origins, models=models)
    t1 = time.perf_counter()
    selection = select_models(scored)
    t2 = time.perf_counter()
    forecast(series, selection, h=h)
    t3 = time.perf_counter()
    chosen = scored.merge(selection[["unique_id", "model"]], on=["unique_id", "model"])
    base = scored[scored["model"] == BASELINE]
    wape = lambda d: float((d["forecast"] - d["actual"]).abs().sum() / d["actual"].abs().sum())  # noqa: E731
    return BenchmarkResult(
        wape_model=wape(chosen), wape_baseline=wape(base), selection=selection,
        backtest_seconds=t1 - t0, fit_seconds=t3 - t2, n_series=int(series["unique_id"].nunique()),
        n_months=int(series["ds"].nunique()),
    )
