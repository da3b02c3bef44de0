"""Data-quality guards in plain Python (no Dagster): Great Expectations suites on the raw tables (a gate
before the build) and on the marts (after it), Data Docs, and a row-count baseline between runs.

    python -m revops.quality raw      the raw gate
    python -m revops.quality marts    the mart suites
"""

from revops.quality.gate import (ExpectationFailure, QualityGateError, QualityResult, SuiteOutcome, gate_lines,
                                 validate_marts, validate_raw)

__all__ = ["ExpectationFailure", "QualityGateError", "QualityResult", "SuiteOutcome", "gate_lines",
           "validate_marts", "validate_raw"]
