"""Benchmark harness: synthetic seed generation and build/serve timings."""
