"""Call a function of the project's Python in a child interpreter of the same environment.

dbt runs its Python models as threads of one process, so they share one interpreter lock. A model whose work is
CPU-bound Python that keeps the lock (the statsforecast backtest: Python and numpy around statsforecast's C++
library; the e-mail syntax check) then stalls the Python model on the other thread. At scale 100, side by side:
syntax check and phone parsing 13.2 s in one process, 8.4 s with the check in a child; person pairs and backtest
19.6-22.9 s, 17.5-18.4 s.
In a child process the work competes for a core, not for the lock. Arguments and result cross as pickles in a
temporary directory.

    python -m revops.isolated <in.pkl> <out.pkl>     (what call_isolated runs)
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path


class IsolatedCallError(RuntimeError):
    """The function failed in its child process; the message ends with the child's traceback."""


def call_isolated(target: str, *args, **kwargs):
    """``module:function(*args, **kwargs)`` in a child interpreter (``sys.executable -m revops.isolated``);
    returns its result, or raises IsolatedCallError with the child's error output."""
    module, _, function = target.partition(":")
    if not module or not function:
        raise ValueError(f"target must be 'module:function', got {target!r}")
    with tempfile.TemporaryDirectory(prefix="revops-isolated-") as tmp:
        inp, out = Path(tmp) / "in.pkl", Path(tmp) / "out.pkl"
        with inp.open("wb") as f:
            pickle.dump((module, function, args, kwargs), f)
        done = subprocess.run([sys.executable, "-m", "revops.isolated", str(inp), str(out)],
                              env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0 or not out.exists():
            raise IsolatedCallError(f"{target} failed in its child process (exit {done.returncode}):\n"
                                    f"{done.stdout[-4000:]}")
        with out.open("rb") as f:
            return pickle.load(f)


def main(argv: list[str]) -> int:
    inp, out = (Path(a) for a in argv)
    with inp.open("rb") as f:
        module, function, args, kwargs = pickle.load(f)
    result = getattr(importlib.import_module(module), function)(*args, **kwargs)
    with out.open("wb") as f:
        pickle.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
