"""The Dagster layer of the warehouse: asset factories that call the plain modules of ``revops``.

``revops.definitions`` wires these together; nothing here holds business logic. Two modules are plain
Python with no Dagster import, so pytest reaches them directly:

- :mod:`revops.dagster_assets.raw_gate`: the blocking gate on landed raw tables (until ``revops.quality``
  provides the Great Expectations suites) and the raw-file fingerprint the sensor compares;
- :mod:`revops.dagster_assets.transient`: which failures are worth a retry.
"""
