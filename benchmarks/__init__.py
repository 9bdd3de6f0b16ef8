"""Benchmarks of hoctap at scale (``python -m benchmarks.run``); they print numbers, never assert."""
