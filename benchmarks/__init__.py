"""Reproducible performance runs: ``python -m benchmarks [--quick] [--json FILE]``.

Each case generates its own seeded synthetic data, runs several times, and is
compared with a baseline measured in the same run on the same data (for
example Qt's bare ``setPlainText`` for the article view, ``sqlite3``
``executemany`` for import, the ``json`` module for export).  Results of a full
run, with the machine described, are kept in ``benchmarks/RESULTS.md``.
Benchmarks are not tests: nothing here asserts a time.
"""
