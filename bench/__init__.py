"""Benchmarks run on demand against a generated data set; they print figures and never pass or fail.

See bench/README.md. Timing goals live here, never in the test suite.
"""
