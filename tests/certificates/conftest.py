"""Fixtures of certificate tests: the contracts of each occupant status (shared with the documents tests)."""

from tests.documents.conftest import alice_house, alice_rental  # noqa: F401
