"""The commissions tests use the decisions tests' world (a case with a proposal)."""

from rodtrad.decisions.tests.conftest import proposal  # noqa: F401 (a fixture)
