"""Accuracy and speed benchmarks for iot_ml (run with scripts/bench)."""
