"""Gate tests use the badge tests' crowd of attendees."""

from tests.badges.conftest import crowd  # noqa: F401  (a fixture, shared by re-export)
