"""What happens on every write: revisions, the latest flag, the data version, the one cache
keyed on the data state, and the integrity checks (docs/ARCHITECTURE.md)."""
