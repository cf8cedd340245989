"""Deterministic, seeded generator of FICTIONAL demo data (see data/demo/README.md)."""
