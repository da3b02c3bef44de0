"""The Dagster layer of the warehouse: asset factories that call the plain modules of ``revops``.

``revops.definitions`` wires these together; nothing here holds business logic. Two modules are plain
Python with no Dagster import, so pytest reaches them directly:

- :mod:`revops.dagster_assets.raw_gate`: the cheap structural gate on landed raw tables (the blocking check
  ``contract_gate``, beside the Great Expectations raw suites of ``revops.quality``, check ``gx_raw``) and the
  raw-file fingerprint the sensor compares;
- :mod:`revops.dagster_assets.transient`: which failures are worth a retry.
"""
