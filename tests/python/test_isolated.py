"""revops.isolated: a function called in a child interpreter gives what it gives in process, and its failure
reaches the caller with the child's traceback."""

import pytest

from revops.identity.email_verification import check_syntax_many
from revops.isolated import IsolatedCallError, call_isolated

ADDRESSES = ["ann@acme.com", "a..b@acme.com", "o'neil@acme.co.uk", "no-at-sign", "x@localhost", "ü@acme.de"]


def test_child_process_returns_what_the_call_returns_in_process():
    in_child = call_isolated("revops.identity.email_verification:check_syntax_many", ADDRESSES)
    assert in_child == check_syntax_many(ADDRESSES)
    assert in_child[0] == [True, False, True, False, False, True]


def test_keyword_arguments_and_frames_cross():
    import pandas as pd

    frame = pd.DataFrame({"a": [1, 2, 3]})
    out = call_isolated("pandas:concat", [frame, frame], ignore_index=True)
    assert out["a"].tolist() == [1, 2, 3, 1, 2, 3]


def test_failure_in_the_child_raises_with_its_traceback():
    with pytest.raises(IsolatedCallError, match="ZeroDivisionError"):
        call_isolated("operator:truediv", 1, 0)
    with pytest.raises(IsolatedCallError, match="ModuleNotFoundError"):
        call_isolated("revops.no_such_module:f")


def test_target_must_name_module_and_function():
    with pytest.raises(ValueError, match="module:function"):
        call_isolated("revops.identity.email_verification.check_syntax_many", ADDRESSES)
