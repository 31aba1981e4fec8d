"""Benchmarks run on demand against a generated data set; they print figures and never pass or fail.

See docs/performance.md (how to run them, the goals and the latest figures). Timing goals live here, never in the
test suite.
"""
