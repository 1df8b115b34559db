"""Benchmarks: the real bot over HTTP against the playground, beside a baseline in the same run."""
