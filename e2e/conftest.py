"""pytest configuration of the end-to-end tests."""
