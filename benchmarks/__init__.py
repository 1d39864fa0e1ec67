"""Runnable benchmarks that print numbers and write JSON."""
