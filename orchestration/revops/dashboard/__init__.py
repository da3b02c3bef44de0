"""KPI dashboard (Dash) over the published copy of the marts: `python -m revops.dashboard`."""
