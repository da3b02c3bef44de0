"""Which failures are transient (worth a retry) and which are not. Plain Python, no Dagster."""

from __future__ import annotations

import re

# Messages of failures that go away on their own: another process holding the DuckDB file (one writer at a
# time), a database server restarting or timing out. Anything else (a bad file, a failing test) is not
# retried: running it again gives the same answer.
TRANSIENT_PATTERNS = (
    r"could not set lock on file",
    r"conflicting lock is held",
    r"database is locked",
    r"resource temporarily unavailable",
    r"connection (refused|reset|timed out)",
    r"server closed the connection unexpectedly",
    r"could not connect to server",
    r"timeout expired",
)
_TRANSIENT = re.compile("|".join(TRANSIENT_PATTERNS), re.IGNORECASE)


def is_transient(error: BaseException | str) -> bool:
    """True when ``error`` (an exception or a log text) looks like a failure that a retry can fix."""
    return bool(_TRANSIENT.search(str(error)))
