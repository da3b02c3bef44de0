"""The KPI dashboard in headless Chromium: served on a free loopback port from a published copy of the sample;
the headline numbers on the page equal the marts; a screenshot is kept (test tmp dir and
<artifacts>/dashboard.png).

Needs Debian's Chromium (`apt-get install -y chromium`); the test installs it when it runs as root with apt, and
skips with that message only when it cannot.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from revops import publish, settings

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = "apt-get update && apt-get install -y chromium"


def chromium_executable() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            if subprocess.run(cmd, capture_output=True, timeout=900).returncode != 0:
                return None
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_shown(text: str) -> float | None:
    """'$1,234' -> 1234, '97.4%' -> 0.974, '1.37x' -> 1.37, '258' -> 258, 'n/a' -> None."""
    text = text.strip()
    if text == "n/a":
        return None
    number = float(re.sub(r"[^0-9.\-]", "", text))
    return number / 100 if text.endswith("%") else number


@pytest.fixture(scope="module")
def dashboard(sample_warehouse, tmp_path_factory):
    """The dashboard process on a free 127.0.0.1 port, reading a published copy of the sample."""
    out = tmp_path_factory.mktemp("published")
    publish.publish(sample_warehouse.database, out, dbt_target=sample_warehouse.target_dir)
    port = free_port()
    log = (out / "dashboard.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "revops.dashboard", "--host", "127.0.0.1", "--port", str(port),
                             "--published-dir", str(out)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 90
        while True:
            assert proc.poll() is None, "dashboard exited:\n" + (out / "dashboard.log").read_text()
            try:
                with urllib.request.urlopen(url + "_dash-layout", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.time() < deadline, "dashboard did not answer in 90 s:\n" + (out / "dashboard.log").read_text()
            time.sleep(0.5)
        yield url, out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.slow
def test_dashboard_headline_numbers_equal_the_marts(dashboard, sample_warehouse, tmp_path):
    executable = chromium_executable()
    if executable is None:
        pytest.skip(f"Chromium is not installed and could not be installed here: run `{INSTALL_HINT}`")
    from playwright.sync_api import sync_playwright

    url, _ = dashboard
    # the marts themselves (the build's warehouse), not the published copy the page reads
    last = sample_warehouse.df("select * from marts.kpi_monthly order by month desc limit 1").iloc[0]
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector("#kpi-mrr", timeout=60_000)
            for graph in ("mrr-bridge", "arr-trend", "cohort-retention", "pipeline-velocity", "channel-economics"):
                page.wait_for_selector(f"#{graph} .main-svg", timeout=60_000)
            page.wait_for_timeout(1000)  # let plotly finish drawing before the screenshot
            shown = {key: page.inner_text(f"#kpi-{key}") for key in
                     ("mrr", "arr", "active_customers", "new_customers", "nrr", "grr", "nrr_trailing_12m",
                      "grr_trailing_12m", "logo_churn_rate", "arpa", "cac_fully_loaded", "ltv_to_cac", "win_rate_count",
                      "pipeline_velocity")}
            changes = page.inner_text("#kpi-mrr-change")
            month = page.inner_text("#kpi-month")
            waterfall_text = page.inner_text("#mrr-bridge")
            body = page.inner_text("body")
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert not errors, f"JavaScript errors on the page: {errors}"
    assert month == f"Month: {last['month']:%B %Y}"
    # money shown in whole dollars, rates with one decimal of a percent, ratios with two decimals
    tolerance = {"mrr": 0.5, "arr": 0.5, "arpa": 0.5, "cac_fully_loaded": 0.5, "pipeline_velocity": 0.5,
                 "active_customers": 0, "new_customers": 0, "nrr": 0.0005, "grr": 0.0005, "nrr_trailing_12m": 0.0005,
                 "grr_trailing_12m": 0.0005, "logo_churn_rate": 0.0005,
                 "win_rate_count": 0.0005, "ltv_to_cac": 0.005}
    for key, text in shown.items():
        expected = last[key]
        if expected is None or expected != expected:  # NULL in the mart
            assert text == "n/a", f"{key}: the mart is NULL but the page shows {text!r}"
            continue
        value = parse_shown(text)
        assert value is not None and abs(value - float(expected)) <= tolerance[key] + 1e-9, \
            f"{key}: page shows {text!r}, kpi_monthly has {expected}"
    assert re.fullmatch(r"[+-]\d+\.\d% MoM|no prior month", changes), changes
    prev = sample_warehouse.query("select mrr from marts.kpi_monthly order by month desc limit 1 offset 1")[0][0]
    expected_change = (float(last["mrr"]) - float(prev)) / abs(float(prev)) * 100
    assert abs(float(changes.split("%")[0]) - expected_change) <= 0.051, (changes, expected_change)
    assert f"${float(last['opening_mrr']):,.0f}" in waterfall_text  # the bridge starts at the month's opening MRR
    assert "personal data hashed" in body
    for panel in ("Funnel: lead to customer", "Revenue leakage", "Playbooks", "Retention by cohort"):
        assert panel in body
    assert shot.stat().st_size > 50_000
    artifacts = settings.artifacts_dir()
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, artifacts / "dashboard.png")


@pytest.mark.slow
def test_dashboard_reads_only_the_published_copy(dashboard):
    """The page names the published build it shows; the dashboard process holds no handle on the warehouse."""
    url, out = dashboard
    with urllib.request.urlopen(url + "_dash-layout", timeout=30) as response:
        layout = response.read().decode()
    build_id = publish.current_path(out).name.removeprefix("revops_").removesuffix(".duckdb")
    assert build_id in layout


def test_panel_without_its_mart_says_not_built_yet(tmp_path):
    """A published copy without the forecast, funnel, leakage or playbook marts still renders."""
    import duckdb

    from revops.dashboard.app import build_layout

    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema marts")
        con.execute("""create table marts.kpi_monthly as select * from (values
            (date '2024-01-01', 100.0, 1200.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 1, 1, null::double, null::double),
            (date '2024-02-01', 150.0, 1800.0, 100.0, 50.0, 0.0, 0.0, 0.0, 0.0, 2, 1, 0.5, 1.0))
            t(month, mrr, arr, opening_mrr, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr,
              active_customers, new_customers, nrr, grr)""")
    out = tmp_path / "published"
    publish.publish(database, out, check_build=False)
    text = str(build_layout(out))
    assert "'$150'" in text and "'+50.0% MoM'" in text and "'100.0%'" in text
    for missing in ("Cohort retention", "Funnel", "Channel economics", "Revenue leakage", "Playbooks"):
        assert f"{missing}: not built yet" in text
