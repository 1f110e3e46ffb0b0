"""Putting many records in: the kb/1 import, its fast bulk path, synthetic data and the seed
(docs/ARCHITECTURE.md)."""
