"""dbt, with its ready nodes taken longest remaining path first.

dbt runs the nodes that are ready in the order of their depth in the graph, then of their names
(``GraphQueue._get_scores``), and hands every ready node to its thread pool's first-come queue at once. At scale
100 that put the two largest parse models (the e-mail events and the daily usage, 11 M rows each, level 0) side
by side on both threads for the first 50 s of a build, while the identity layer, the longest chain of the project
(some fifteen nodes in a row, from the customer and contact tables to the send-time playbook), waited behind them
although it does not read them; its last third then ran nearly alone.

Here a ready node's priority is the length of the longest path from it to the end of the build, in seconds: the
largest of the node's last five timings in this target folder's builds (``NODE_SECONDS``), else the seconds of a
scale-100 build shipped with the project (``SHIPPED_SECONDS``), else a fixed estimate per kind of node. A node
leaves dbt's queue only when a thread is free for it, so the priority holds for nodes that become ready later.
Which nodes run, and after what, stays dbt's: only the order of ready nodes changes. ``revops`` and the Dagster
assets run dbt through this (``revops-dbt``, ``revops.build.dbt_executable``).

Usage: ``revops-dbt <dbt arguments>`` (as ``dbt <dbt arguments>``). ``REVOPS_DBT_SCHEDULE=dbt`` keeps dbt's own
order; ``REVOPS_DBT_NODE_SECONDS`` moves the timing file (default: ``<target path>/revops_node_seconds.json``).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

# the last timings of each node in the builds of a target folder (merged after every run)
NODE_SECONDS = "revops_node_seconds.json"
KEEP_TIMINGS = 5  # a node's priority uses the largest of its last five: an increment does not hide a full build
# seconds per node of a scale-100 full build (bench), for nodes a target folder has not timed yet
SHIPPED_SECONDS = Path(__file__).with_name("dbt_node_seconds.json")
# an untimed node's estimate, by kind: a model costs more than a test, a Python model more than a SQL one
DEFAULT_SECONDS = {"model": 1.0, "python_model": 5.0, "seed": 0.5, "snapshot": 1.0, "test": 0.1, "unit_test": 0.1}


def remaining_path_seconds(nodes: Iterable[str], successors: Callable[[str], Iterable[str]],
                           seconds: Mapping[str, float], topological: list[str]) -> dict[str, float]:
    """Per node, its own seconds plus the longest chain of seconds after it (``topological`` lists ``nodes``
    parents first)."""
    remaining: dict[str, float] = {}
    for node in reversed(topological):
        tail = max((remaining[child] for child in successors(node) if child in remaining), default=0.0)
        remaining[node] = float(seconds.get(node, 0.0)) + tail
    return {node: remaining[node] for node in nodes}


def node_estimates(manifest, node_ids: Iterable[str], timed: Mapping[str, float]) -> dict[str, float]:
    """Seconds per node: timed in an earlier build, else ``DEFAULT_SECONDS`` of its kind."""
    estimates = {}
    for node_id in node_ids:
        if node_id in timed:
            estimates[node_id] = float(timed[node_id])
            continue
        kind = node_id.split(".", 1)[0]
        node = manifest.nodes.get(node_id) or manifest.unit_tests.get(node_id) if manifest is not None else None
        if kind == "model" and node is not None and str(getattr(node, "language", "sql")).endswith("python"):
            kind = "python_model"
        estimates[node_id] = DEFAULT_SECONDS.get(kind, 0.0)
    return estimates


def _read_timings(path: Path) -> dict[str, list[float]]:
    """{node: [seconds, ...]} of a timing file ({} when it is missing or unreadable)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    timings = {}
    for node, values in data.items():
        values = values if isinstance(values, list) else [values]
        kept = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if kept:
            timings[str(node)] = kept
    return timings


def dumps_timings(timings: Mapping[str, list[float]]) -> str:
    """A timing file's text: one node a line, sorted (the shipped file is diffable)."""
    lines = [f"{json.dumps(node)}: {json.dumps(timings[node])}" for node in sorted(timings)]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def read_node_seconds(path: Path) -> dict[str, float]:
    """Per node, the largest of its kept timings in the file ``path``."""
    return {node: max(values) for node, values in _read_timings(path).items()}


def record_node_seconds(path: Path, run_results: Path, started_at: float) -> None:
    """Add the execution seconds of the run that just wrote ``run_results`` (if it did: not older than
    ``started_at``) to the timing file ``path``, keeping each node's last ``KEEP_TIMINGS``. A node that was
    skipped or failed keeps its earlier figures."""
    try:
        if run_results.stat().st_mtime < started_at:
            return
        data = json.loads(run_results.read_text())
    except (OSError, ValueError):
        return
    timings = _read_timings(path)
    for node in data.get("results", []):
        if node.get("status") in ("success", "pass", "warn") and node.get("execution_time") is not None:
            kept = timings.setdefault(node["unique_id"], [])
            kept.append(round(float(node["execution_time"]), 3))
            del kept[:-KEEP_TIMINGS]
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(dumps_timings(timings))
    tmp.replace(path)


def target_path_of(argv: list[str], environ: Mapping[str, str]) -> Path:
    """dbt's target folder for these arguments: ``--target-path``, else DBT_TARGET_PATH, else ``target`` in the
    project folder (``--project-dir``, else the working folder)."""
    value = None
    project_dir = Path.cwd()
    for i, arg in enumerate(argv):
        if arg == "--target-path" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--target-path="):
            value = arg.split("=", 1)[1]
        elif arg == "--project-dir" and i + 1 < len(argv):
            project_dir = Path(argv[i + 1])
        elif arg.startswith("--project-dir="):
            project_dir = Path(arg.split("=", 1)[1])
    value = value or environ.get("DBT_TARGET_PATH")
    if value is None:
        return project_dir / "target"
    path = Path(value)
    return path if path.is_absolute() else Path.cwd() / path


def install(timed: Mapping[str, float]) -> bool:
    """Make dbt take ready nodes longest remaining path first. False (dbt's order kept) when this dbt has no
    ``GraphQueue._get_scores`` or ``RunnableTask.run_queue`` to hook.

    Two hooks: the queue's scores (its priority among ready nodes), and the hand-over to the threads. dbt moves
    every ready node from its priority queue into the thread pool's own first-come queue at once, so a node that
    becomes ready a second later waits behind all of them whatever its priority; here a node leaves the priority
    queue only when a thread is free for it."""
    try:
        import networkx as nx
        from dbt.graph.queue import GraphQueue
        from dbt.task.runnable import GraphRunnableTask
    except ImportError:
        return False
    original_scores = getattr(GraphQueue, "_get_scores", None)
    original_run_queue = getattr(GraphRunnableTask, "run_queue", None)
    if original_scores is None or original_run_queue is None:
        return False

    def _get_scores(self, graph):  # noqa: ANN001 (dbt's signature)
        depth = original_scores(self, graph)
        try:
            nodes = list(graph.nodes())
            estimates = node_estimates(getattr(self, "manifest", None), nodes, timed)
            remaining = remaining_path_seconds(nodes, graph.successors, estimates, list(nx.topological_sort(graph)))
        except Exception:  # noqa: BLE001 (a scheduling hint must never break a build)
            return depth
        # dbt's queue takes the lowest score first; the depth keeps ties in dbt's own order
        return {node: (-round(remaining[node], 3), depth.get(node, 0)) for node in nodes}

    def run_queue(self, pool):  # noqa: ANN001 (dbt's signature)
        queue = self.job_queue
        threads = int(getattr(self.config, "threads", 0) or 0)
        if queue is None or threads < 1:
            return original_run_queue(self, pool)
        free = threading.Semaphore(threads)
        get, mark_done = queue.get, queue.mark_done

        def get_when_a_thread_is_free(*args, **kwargs):
            free.acquire()
            try:
                return get(*args, **kwargs)
            except BaseException:
                free.release()
                raise

        def mark_done_and_free(node_id):
            try:
                mark_done(node_id)
            finally:
                free.release()

        queue.get, queue.mark_done = get_when_a_thread_is_free, mark_done_and_free
        try:
            return original_run_queue(self, pool)
        finally:
            queue.get, queue.mark_done = get, mark_done

    GraphQueue._get_scores = _get_scores
    GraphRunnableTask.run_queue = run_queue
    return True


def timing_file(target_path: Path, environ: Mapping[str, str]) -> Path:
    """Where the node seconds are kept: ``REVOPS_DBT_NODE_SECONDS``, else ``NODE_SECONDS`` in the target folder."""
    return Path(environ.get("REVOPS_DBT_NODE_SECONDS") or target_path / NODE_SECONDS)


def main(argv: list[str] | None = None) -> None:
    import time

    argv = list(sys.argv[1:] if argv is None else argv)
    target_path = target_path_of(argv, os.environ)
    timings = timing_file(target_path, os.environ)
    if os.environ.get("REVOPS_DBT_SCHEDULE", "critical_path") != "dbt":
        install({**read_node_seconds(SHIPPED_SECONDS), **read_node_seconds(timings)})
    from dbt.cli.main import cli

    started_at = time.time()
    try:
        cli.main(args=argv, prog_name="dbt")
    finally:
        if timings.parent.is_dir():
            record_node_seconds(timings, target_path / "run_results.json", started_at)


if __name__ == "__main__":
    main()
