"""revops.forecast: metrics by hand, series preparation, forecast shape and intervals, and a rolling-origin
backtest on the generator's history where the selected model must beat the seasonal-naive baseline.

Fast: the generator runs once (module fixture, about 10 s at scale 1) and the backtests fit the total series
only. No warehouse build.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from revops.forecast import (
    BASELINE,
    accuracy_by_horizon,
    backtest,
    benchmark,
    forecast,
    monthly_series,
    select_models,
    series_from_truth,
)


def test_accuracy_metrics_by_hand():
    scored = pd.DataFrame({
        "unique_id": ["a"] * 3, "model": ["m"] * 3, "horizon": [1, 1, 2],
        "actual": [100.0, 200.0, 0.0], "forecast": [110.0, 150.0, 5.0],
    })
    acc = accuracy_by_horizon(scored).set_index("horizon")
    # horizon 1: errors +10, -50; WAPE 60/300, bias -40/300, MAPE mean(0.1, 0.25)
    assert acc.loc[1, "wape"] == pytest.approx(0.2)
    assert acc.loc[1, "bias"] == pytest.approx(-40 / 300)
    assert acc.loc[1, "mape"] == pytest.approx(0.175)
    assert acc.loc[1, "n_points"] == 2
    # horizon 2: the only actual is 0, so WAPE, bias and MAPE are undefined rather than infinite
    assert np.isnan(acc.loc[2, "wape"]) and np.isnan(acc.loc[2, "mape"])


def test_monthly_series_total_segments_gaps_and_leading_zeros():
    rows = pd.DataFrame({
        "month": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-04-01", "2024-04-01"],
        "segment": ["smb", "enterprise", "smb", "smb", "enterprise"],
        "mrr": [0.0, 10.0, 5.0, 7.0, 20.0],
    })
    s = monthly_series(rows)
    total = s[s.unique_id == "total"].set_index("ds")["y"]
    assert list(total) == [10.0, 5.0, 0.0, 27.0]  # March missing -> 0
    smb = s[s.unique_id == "smb"]
    assert smb["ds"].min() == pd.Timestamp("2024-02-01")  # leading zero month dropped
    assert set(s.unique_id) == {"total", "smb", "enterprise"}


def _seasonal(n: int = 48, seed: int = 1) -> pd.DataFrame:
    """Linear growth x a strong yearly pattern (Q4 high, summer dip) + small noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    pattern = np.array([1.0, 1.0, 1.02, 1.0, 0.97, 0.9, 0.85, 0.88, 1.0, 1.08, 1.12, 1.18])
    y = (1000 + 40 * t) * pattern[t % 12] * (1 + rng.normal(0, 0.01, n))
    return pd.DataFrame({"unique_id": "total", "ds": pd.date_range("2021-01-01", periods=n, freq="MS"), "y": y})


def test_forecast_twelve_months_with_nested_intervals():
    series = _seasonal()
    scored = backtest(series, h=12, n_origins=4, models=("auto_ets",))
    selection = select_models(scored)
    out = forecast(series, selection, h=12, run_date=date(2025, 1, 15))
    chosen = out[out.is_selected]
    assert len(chosen) == 12 and list(chosen.horizon) == list(range(1, 13))
    assert chosen["month"].min() == date(2025, 1, 1) and chosen["origin_month"].iloc[0] == date(2024, 12, 1)
    assert (out.run_date == date(2025, 1, 15)).all()
    assert set(out.model) == {"auto_ets", BASELINE}
    assert (out.lo_95 <= out.lo_80).all() and (out.lo_80 <= out.forecast).all()
    assert (out.forecast <= out.hi_80).all() and (out.hi_80 <= out.hi_95).all()
    # seasonality carried: the December forecast is above the next July's
    by_month = chosen.set_index("month")["forecast"]
    assert by_month[date(2025, 12, 1)] > by_month[date(2025, 7, 1)]


def test_a_history_too_short_to_backtest_gives_no_forecast_rather_than_an_error():
    """A young company (8 months of MRR, under the 13 a backtest needs): the backtest has no rows but keeps its
    column types (the dbt model takes .dt.date of them), no model is selected, and the forecast is empty with its
    columns, not a statsforecast error ("number sections must be larger than 0")."""
    rows = pd.DataFrame({"month": pd.date_range("2025-01-01", periods=8, freq="MS"), "segment": "smb",
                         "mrr": [100.0 + 10 * i for i in range(8)]})
    series = monthly_series(rows)
    scored = backtest(series, h=12, n_origins=12)
    assert scored.empty
    assert list(scored["origin"].dt.date) == [] and list(scored["ds"].dt.date) == []
    selection = select_models(scored)
    assert selection.empty
    out = forecast(series, selection, h=12, run_date=date(2025, 9, 1))
    assert out.empty
    assert list(out.columns) == ["run_date", "series", "origin_month", "month", "horizon", "model", "is_selected",
                                 "forecast", "lo_80", "hi_80", "lo_95", "hi_95"]


def test_a_backtest_with_few_fits_runs_here_and_one_with_many_in_a_child(monkeypatch):
    """fits_needed counts the (series, origin) pairs whose history changed; backtest_isolated runs up to
    IN_PROCESS_MAX_FITS of them in this process and more in a child, with the same result."""
    import revops.forecast.core as core
    import revops.isolated

    series = pd.concat([_seasonal(40, seed=1), _seasonal(40, seed=2).assign(unique_id="smb")], ignore_index=True)
    models = ("drift",)
    before = backtest(series, h=3, n_origins=8, models=models)
    changed = series.copy()
    late = changed["ds"].max() - pd.DateOffset(months=2)
    changed.loc[(changed["ds"] == late) & (changed["unique_id"] == "smb"), "y"] *= 1.3
    assert core.fits_needed(series, h=3, n_origins=8, models=models) == 16  # 8 origins x 2 series, nothing kept
    assert core.fits_needed(series, h=3, n_origins=8, models=models, reuse=before) == 0
    # smb's third month from the end changed: the two origins that saw it refit smb
    assert core.fits_needed(changed, h=3, n_origins=8, models=models, reuse=before) == 2

    children = []
    real_call = revops.isolated.call_isolated
    monkeypatch.setattr(revops.isolated, "call_isolated",
                        lambda target, *a, **k: (children.append(target), real_call(target, *a, **k))[1])
    keys = ["unique_id", "model", "origin", "ds"]
    for reuse, fits in ((before, 2), (None, 16)):
        got = core.backtest_isolated(changed, h=3, n_origins=8, reuse=reuse, models=models)
        assert children == ([] if fits <= core.IN_PROCESS_MAX_FITS else ["revops.forecast.core:backtest"])
        pd.testing.assert_frame_equal(got.sort_values(keys).reset_index(drop=True),
                                      backtest(changed, h=3, n_origins=8, models=models)
                                      .sort_values(keys).reset_index(drop=True), check_exact=False, rtol=1e-9)


def test_backtest_reuses_forecasts_whose_history_is_unchanged(monkeypatch):
    """New data in the last two months: the origins that did not see them keep their forecasts (not refitted)
    and score against the new actuals; the result equals a backtest from scratch."""
    import revops.forecast.core as core

    series = pd.concat([_seasonal(40, seed=1), _seasonal(40, seed=2).assign(unique_id="smb")], ignore_index=True)
    before = backtest(series, h=6, n_origins=5, models=("auto_ets", "drift"))
    changed = series.copy()
    recent = changed["ds"] >= changed["ds"].max() - pd.DateOffset(months=1)
    changed.loc[recent & (changed["unique_id"] == "smb"), "y"] *= 1.3  # late invoices in smb's last 2 months
    fitted: list[tuple] = []
    real_fit = core._fit_forecast
    monkeypatch.setattr(core, "_fit_forecast", lambda train, *a, **k: (
        fitted.append((train["ds"].max(), tuple(sorted(train["unique_id"].unique())))), real_fit(train, *a, **k))[1])
    reused = backtest(changed, h=6, n_origins=5, models=("auto_ets", "drift"), reuse=before)
    monkeypatch.setattr(core, "_fit_forecast", real_fit)
    fresh = backtest(changed, h=6, n_origins=5, models=("auto_ets", "drift"))
    # origins are the 5 months before the last: only the last one saw smb's changed month (last - 1), and only
    # smb is refitted there; total's history did not change
    last = changed["ds"].max()
    assert fitted == [(last - pd.DateOffset(months=1), ("smb",))]
    keys = ["unique_id", "model", "origin", "ds"]
    pd.testing.assert_frame_equal(reused.sort_values(keys).reset_index(drop=True),
                                  fresh.sort_values(keys).reset_index(drop=True), check_exact=False, rtol=1e-9)
    # the actuals are the new ones, also for reused forecasts
    early_origin = reused.origin < last - pd.DateOffset(months=1)
    smb_late = reused[(reused.unique_id == "smb") & (reused.ds == last) & early_origin]
    assert not smb_late.empty
    assert np.allclose(smb_late.actual, changed[(changed.unique_id == "smb") & (changed.ds == last)].y.iloc[0])


@pytest.fixture(scope="module")
def generator_total(tmp_path_factory) -> pd.DataFrame:
    from revops.generator import generate

    root = tmp_path_factory.mktemp("forecast_sample")
    generate(root / "raw", root / "truth", seed=42, scale=1, fmt="csv")
    return series_from_truth(root / "truth")


def test_selected_model_beats_seasonal_naive_on_generator_history(generator_total):
    assert generator_total["ds"].nunique() >= 30  # enough history for 12 origins with >= 13 months each
    result = benchmark(generator_total, h=12, n_origins=12)
    assert result.wape_model < result.wape_baseline, (result.wape_model, result.wape_baseline)
    assert result.wape_model < 0.5 * result.wape_baseline
    assert bool(result.selection["beats_baseline"].all())
    assert result.fit_seconds > 0 and result.n_series == 1
