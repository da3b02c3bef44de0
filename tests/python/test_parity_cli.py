"""The parity command line (`python -m revops.postgres|spark parity`): its default scratch folder is removed when
every table is equal and kept, with its path printed, when they differ."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

import revops.parity as parity


@pytest.mark.parametrize("problems, kept", [({}, False), ({"marts.fct_mrr": "2 of 9 rows differ"}, True)])
def test_the_default_scratch_folder_goes_only_when_the_engines_agree(problems, kept, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # mkdtemp's default parent
    used: list[Path] = []

    def fake_run(engine, raw_dir=None, scale=0.3, select=None, workdir=None, log=print):
        used.append(workdir)
        (workdir / "duckdb.duckdb").write_text("a build")
        return parity.ParityReport(engine=engine, compared=["marts.fct_mrr"], problems=dict(problems))

    monkeypatch.setattr(parity, "run_parity", fake_run)
    assert parity.parity_cli("postgres", None, ["parity"]) == (1 if problems else 0)
    (workdir,) = used
    assert workdir.parent == tmp_path and workdir.name.startswith("revops-parity-postgres-")
    assert workdir.exists() == kept
    assert (f"files kept for inspection in {workdir}" in capsys.readouterr().out) == kept


def test_a_workdir_given_is_kept(tmp_path, monkeypatch):
    def fake_run(engine, workdir=None, **_):
        (workdir / "x").write_text("a build")
        return parity.ParityReport(engine=engine)

    monkeypatch.setattr(parity, "run_parity", fake_run)
    assert parity.parity_cli("spark", None, ["parity", "--workdir", str(tmp_path / "mine")]) == 0
    assert (tmp_path / "mine" / "x").exists()
