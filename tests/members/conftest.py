"""Member fixtures: confirmed services come from the reports' factory."""

from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
