"""The command lines say what they do: `revops --help` summarises every subcommand, and the engine modules'
`--help` lists the subcommands the README documents (`python -m revops.spark parity|load`), which run."""

from __future__ import annotations

import argparse
import re

import pytest

from revops.settings import PROJECT_DIR


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def test_revops_help_summarises_every_subcommand():
    from revops.cli import build_parser

    parser = build_parser()
    summary = {m.group(1) for m in re.finditer(r"^ {4}revops ([\w-]+)", parser.description, re.MULTILINE)}
    assert summary == _subcommands(parser)
    assert "score-identity" in summary


def _documented(engine: str) -> set[str]:
    """The subcommands of `python -m revops.<engine>` the README names (`parity`, `parity|load`)."""
    readme = (PROJECT_DIR / "README.md").read_text()
    return {c for m in re.finditer(rf"python -m revops\.{engine} ([\w|]+)", readme) for c in m.group(1).split("|")}


@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_engine_help_lists_the_subcommands_the_readme_documents(engine, capsys):
    import importlib

    with pytest.raises(SystemExit) as done:
        importlib.import_module(f"revops.{engine}").main(["--help"])
    assert done.value.code == 0
    help_text = capsys.readouterr().out
    listed = set(re.findall(r"^ {4}(\w+) ", help_text.split("positional arguments:")[1], re.MULTILINE))
    assert listed == _documented(engine), help_text
    assert _documented("spark") == {"parity", "load"}


def test_spark_load_runs_the_load(monkeypatch):
    import revops.spark as spark

    calls = []
    monkeypatch.setattr(spark, "load_cli", lambda: calls.append("load") or 0)
    assert spark.main(["load"]) == 0 and calls == ["load"]
    with pytest.raises(SystemExit):
        spark.main(["load", "--scale", "1"])  # parity's options are parity's
