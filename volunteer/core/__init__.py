"""Shared building blocks: base types, errors, JSON helpers, role checks, time."""
