"""What the tests and the benches both drive the programs with: the contract peer, the app in
its own process, the SSE stream, media, Debian's Chromium; and the shared pytest fixtures
(``testkit.fixtures``, a plugin ``tests/conftest.py`` registers)."""
