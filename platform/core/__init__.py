"""Plumbing every app shares and that knows no domain: typed errors and registries."""
