"""Learned detectors: datasets, training, calibration, registry, evaluation, weak supervision."""
