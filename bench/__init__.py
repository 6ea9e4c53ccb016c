"""Benchmarks: each figure a ratio against a baseline measured in the same run.

Run them all with ``python -m bench`` (or ``nox -s bench``). Each ``bench_*`` module
has ``run(smoke: bool = False) -> list[Figure]``; ``smoke=True`` runs it at a tiny
size, to check that it works, not how fast.
"""
