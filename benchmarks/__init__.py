"""Benchmarks: each module has `run() -> dict` and a __main__; they measure and print, never assert a time."""
