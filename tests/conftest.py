"""The shared fixtures live in the test-support package: ``testkit/fixtures.py``."""

pytest_plugins = ["testkit.fixtures"]
