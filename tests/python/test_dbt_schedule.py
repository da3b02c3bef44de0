"""dbt through revops.dbt_schedule: ready nodes are taken longest remaining path first, from the seconds the
target folder's earlier builds took, and every build adds its own."""

from __future__ import annotations

import json
import subprocess

import networkx as nx

from revops import dbt_schedule
from revops.build import dbt_executable


def _graph() -> nx.DiGraph:
    # two ready roots: `big` (10 s, nothing after it) and `a` (1 s) at the head of a chain a -> b -> c (3 s each)
    graph = nx.DiGraph()
    graph.add_edges_from([("model.p.a", "model.p.b"), ("model.p.b", "model.p.c")])
    graph.add_node("model.p.big")
    return graph


def test_remaining_path_adds_the_longest_chain_after_each_node():
    graph = nx.DiGraph()
    graph.add_edges_from([("r", "x"), ("r", "y"), ("x", "z"), ("y", "z"), ("y", "w")])
    seconds = {"r": 1.0, "x": 2.0, "y": 0.5, "z": 4.0, "w": 6.0}
    remaining = dbt_schedule.remaining_path_seconds(graph.nodes, graph.successors, seconds,
                                                    list(nx.topological_sort(graph)))
    # w 6; z 4; x 2+4; y 0.5+max(4, 6); r 1+max(6, 6.5)
    assert remaining == {"r": 7.5, "x": 6.0, "y": 6.5, "z": 4.0, "w": 6.0}


def test_untimed_nodes_get_the_estimate_of_their_kind():
    estimates = dbt_schedule.node_estimates(None, ["model.p.a", "test.p.t", "seed.p.s", "model.p.b"],
                                            {"model.p.b": 7.25})
    assert estimates == {"model.p.a": 1.0, "test.p.t": 0.1, "seed.p.s": 0.5, "model.p.b": 7.25}


def _order(timed: dict[str, float]) -> list[str]:
    from dbt.graph.queue import GraphQueue

    original = GraphQueue._get_scores
    try:
        assert dbt_schedule.install(timed)
        queue = GraphQueue(_graph(), manifest=None, selected=set(_graph().nodes))
        return [queue.inner.get()[1] for _ in range(queue.inner.qsize())]
    finally:
        GraphQueue._get_scores = original


def test_the_queue_takes_the_head_of_the_longest_chain_first():
    from dbt.graph.queue import GraphQueue

    # dbt's own order: both roots are level 0, so by name ("model.p.a" < "model.p.big")
    queue = GraphQueue(_graph(), manifest=None, selected=set(_graph().nodes))
    assert [queue.inner.get()[1] for _ in range(2)] == ["model.p.a", "model.p.big"]
    # timed: the chain after `a` is 1 + 3 + 3 = 7 s against `big`'s 10 s, so `big` starts first
    assert _order({"model.p.big": 10.0, "model.p.a": 1.0, "model.p.b": 3.0, "model.p.c": 3.0}) == [
        "model.p.big", "model.p.a"]
    # `big` timed at 5 s: the 7-second chain goes first
    assert _order({"model.p.big": 5.0, "model.p.a": 1.0, "model.p.b": 3.0, "model.p.c": 3.0}) == [
        "model.p.a", "model.p.big"]


def test_a_build_adds_its_node_seconds_and_the_largest_of_the_last_five_counts(tmp_path):
    timings, results = tmp_path / dbt_schedule.NODE_SECONDS, tmp_path / "run_results.json"
    timings.write_text(json.dumps({"model.p.a": [1.0], "model.p.b": [50.0, 2.0, 2.0, 2.0, 2.0]}))
    results.write_text(json.dumps({"results": [
        {"unique_id": "model.p.b", "status": "success", "execution_time": 4.5},
        {"unique_id": "test.p.t", "status": "warn", "execution_time": 0.25},
        {"unique_id": "model.p.c", "status": "error", "execution_time": 9.0},  # failed: not a timing
        {"unique_id": "model.p.d", "status": "skipped", "execution_time": 0.0},
    ]}))
    dbt_schedule.record_node_seconds(timings, results, started_at=0.0)
    # b's 50 s (a full build before four increments) is the sixth timing now: dropped
    assert json.loads(timings.read_text())["model.p.b"] == [2.0, 2.0, 2.0, 2.0, 4.5]
    assert dbt_schedule.read_node_seconds(timings) == {"model.p.a": 1.0, "model.p.b": 4.5, "test.p.t": 0.25}
    # run_results.json older than the run: that run wrote none (dbt failed before), nothing is added
    results.write_text(json.dumps({"results": [{"unique_id": "model.p.a", "status": "success", "execution_time": 8.0}]}))
    dbt_schedule.record_node_seconds(timings, results, started_at=results.stat().st_mtime + 10)
    assert dbt_schedule.read_node_seconds(timings)["model.p.a"] == 1.0


def test_an_increment_does_not_hide_a_full_build(tmp_path):
    timings, results = tmp_path / dbt_schedule.NODE_SECONDS, tmp_path / "run_results.json"
    for seconds in (48.0, 3.5, 3.2):  # a full build of a parse model, then two increments
        results.write_text(json.dumps({"results": [
            {"unique_id": "model.p.big", "status": "success", "execution_time": seconds}]}))
        dbt_schedule.record_node_seconds(timings, results, started_at=0.0)
    assert dbt_schedule.read_node_seconds(timings) == {"model.p.big": 48.0}


def test_unreadable_timings_are_no_timings(tmp_path):
    (tmp_path / "t.json").write_text("{not json")
    (tmp_path / "u.json").write_text(json.dumps({"model.p.a": ["x", True], "model.p.b": 2}))
    assert dbt_schedule.read_node_seconds(tmp_path / "t.json") == {}
    assert dbt_schedule.read_node_seconds(tmp_path / "u.json") == {"model.p.b": 2.0}
    assert dbt_schedule.read_node_seconds(tmp_path / "missing.json") == {}


def test_the_shipped_seconds_cover_the_project_s_models():
    from revops.settings import PROJECT_DIR

    shipped = dbt_schedule.read_node_seconds(dbt_schedule.SHIPPED_SECONDS)
    models = {f"model.revops.{p.stem}" for p in (PROJECT_DIR / "models").rglob("*.sql")} | {
        f"model.revops.{p.stem}" for p in (PROJECT_DIR / "models").rglob("*.py")}
    # a model added since the file was written gets its kind's estimate: most must be timed for the order to hold
    assert len(models & set(shipped)) >= 0.9 * len(models)
    # the parse models of the e-mail events and daily usage are the largest single nodes at scale 100
    largest = sorted(shipped, key=shipped.get)[-2:]
    assert set(largest) == {"model.revops.base_hubspot__email_event", "model.revops.base_product__usage_daily"}


def test_target_path_follows_dbt_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert dbt_schedule.target_path_of(["build", "--target-path", "/x/t"], {}) == dbt_schedule.Path("/x/t")
    assert dbt_schedule.target_path_of(["build", "--target-path=rel"], {}) == tmp_path / "rel"
    assert dbt_schedule.target_path_of(["build"], {"DBT_TARGET_PATH": "/y"}) == dbt_schedule.Path("/y")
    assert dbt_schedule.target_path_of(["build", "--project-dir", "/p"], {}) == dbt_schedule.Path("/p/target")


def _tiny_project(root):
    """A dbt project of five views on an in-memory-sized DuckDB file: roots p, q, r; r -> x -> y."""
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: tiny\nversion: '1.0'\nprofile: tiny\nconfig-version: 2\n"
                                          "models:\n  tiny:\n    +materialized: view\n")
    (root / "profiles.yml").write_text(f"tiny:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                                       f"      path: {root / 'tiny.duckdb'}\n      threads: 1\n")
    for name, sql in {"p": "select 1 as n", "q": "select 1 as n", "r": "select 1 as n",
                      "x": "select n from {{ ref('r') }}", "y": "select n from {{ ref('x') }}"}.items():
        (root / "models" / f"{name}.sql").write_text(sql + "\n")


def _run_order(root) -> list[str]:
    run = subprocess.run([dbt_executable(), "run", "--project-dir", str(root), "--profiles-dir", str(root),
                          "--target-path", str(root / "target")], capture_output=True, text=True, cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    started = {r["unique_id"].rsplit(".", 1)[1]: r["timing"][0]["started_at"] for r in results}
    return sorted(started, key=started.get)


def test_a_chain_ready_later_runs_before_shorter_work_ready_earlier(tmp_path):
    _tiny_project(tmp_path)
    (tmp_path / "target").mkdir()
    # p and q are one-second leaves; r -> x -> y is a 12-second chain: with one thread, the chain's nodes run
    # first although x and y become ready only after r, when dbt alone would have queued p and q before them
    (tmp_path / "target" / dbt_schedule.NODE_SECONDS).write_text(json.dumps(
        {"model.tiny.p": 1.0, "model.tiny.q": 1.0, "model.tiny.r": 1.0, "model.tiny.x": 5.0, "model.tiny.y": 6.0}))
    assert _run_order(tmp_path) == ["r", "x", "y", "p", "q"]
    # the run added its own seconds (views: well under a second) after the ones given
    kept = json.loads((tmp_path / "target" / dbt_schedule.NODE_SECONDS).read_text())
    assert set(kept) == {"model.tiny.p", "model.tiny.q", "model.tiny.r", "model.tiny.x", "model.tiny.y"}
    assert kept["model.tiny.y"][0] == 6.0 and len(kept["model.tiny.y"]) == 2 and kept["model.tiny.y"][1] < 6.0


def test_dbt_s_own_order_on_request(tmp_path, monkeypatch):
    _tiny_project(tmp_path)
    monkeypatch.setenv("REVOPS_DBT_SCHEDULE", "dbt")
    # dbt: depth first, then names; r's children wait behind the roots queued before them
    assert _run_order(tmp_path) == ["p", "q", "r", "x", "y"]


def test_revops_runs_dbt_through_the_scheduler_with_dbt_exit_codes():
    exe = dbt_executable()
    assert exe.endswith("revops-dbt")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "1.11" in version.stdout
    # dbt's exit code comes through: 2 for a usage error
    bad = subprocess.run([exe, "no-such-command"], capture_output=True, text=True)
    assert bad.returncode == 2, bad.stdout + bad.stderr
