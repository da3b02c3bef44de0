"""dbt's partial parse after an edit of a disabled model that shares its name with an enabled one (the forecast
marts' SQL fallbacks and their dbt Python models): revops parses in full after a change to the project's dbt code,
so the enabled model stays in the graph."""

from __future__ import annotations

import json
import shutil

import revops.build as build_module
from revops.build import PARSED_FINGERPRINT, PROJECT_CODE, run_dbt


def _copy_project(dest):
    dest.mkdir()
    for name in (*PROJECT_CODE, "profiles.yml"):
        source = build_module.PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("python", "__pycache__"))
        elif source.exists():
            shutil.copy(source, dest / name)


def _forecast_model(target) -> str | None:
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    node = nodes.get("model.revops.fct_mrr_forecast")
    return node and node["original_file_path"]


def test_an_edited_fallback_does_not_drop_the_enabled_forecast_model(tmp_path, monkeypatch):
    project, target = tmp_path / "project", tmp_path / "target"
    _copy_project(project)
    monkeypatch.setattr(build_module, "PROJECT_DIR", project)
    monkeypatch.setenv("REVOPS_DUCKDB_PATH", str(tmp_path / "w.duckdb"))

    first = run_dbt(["parse"], target_path=target, quiet=True)
    assert first.returncode == 0, "\n".join(first.failures)
    assert (target / PARSED_FINGERPRINT).read_text().strip() == build_module.project_fingerprint(project)
    assert _forecast_model(target) == "models/marts/forecast/statsforecast/fct_mrr_forecast.py"

    # nothing changed: dbt's partial parse is used, and the stamp stays
    stamp_time = (target / PARSED_FINGERPRINT).stat().st_mtime
    again = run_dbt(["parse"], target_path=target, quiet=True)
    assert again.returncode == 0 and (target / PARSED_FINGERPRINT).stat().st_mtime == stamp_time

    # an edit of the disabled SQL fallback: dbt's partial parse alone fails here ("... depends on
    # 'model.revops.fct_mrr_forecast' which is not in the graph!")
    fallback = project / "models" / "marts" / "forecast" / "sql_fallback" / "fct_mrr_forecast.sql"
    fallback.write_text("-- edited\n" + fallback.read_text())
    edited = run_dbt(["parse"], target_path=target, quiet=True)
    assert edited.returncode == 0, "\n".join(edited.failures)
    assert _forecast_model(target) == "models/marts/forecast/statsforecast/fct_mrr_forecast.py"
    assert (target / PARSED_FINGERPRINT).read_text().strip() == build_module.project_fingerprint(project)
