"""Benchmarks: runnable modules that print numbers and write JSON (no assertions).

`python -m benchmarks.ingest`, `.latency`, `.scale`, `.load`; see each module's docstring.
"""
