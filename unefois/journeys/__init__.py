"""Journeys: what people do in the procedures, and where they struggle.

- ``events``: the vocabulary the platform captures (shared with the web app);
- ``io``: event logs in and out (XES, CSV, Parquet) as the canonical event table;
- ``analysis``: the analyses, written once as Ibis expressions (DuckDB or PySpark);
- ``synthetic``: journeys through the real procedures with planted difficulties;
- ``report``: one self-contained HTML page, in French.

None of these modules imports Django (import-linter contract in ``pyproject.toml``).
"""
