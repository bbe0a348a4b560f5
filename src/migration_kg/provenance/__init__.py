"""Provenance: source texts matched by SHA-256, quotes located in them and checked at their offsets."""
