"""Each engine's schema as numbered SQL files (``postgres/``, ``sqlite/``): applied at start-up in
order, each once, and recorded in the database's ``schema_migrations``, so a data dir or a
database made by an older version is brought up to date in place."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent


def numbered(folder: Path) -> list[tuple[int, Path]]:
    """The migration files in ``folder`` by their number (``0001_jobs.sql`` is 1), in order."""
    return sorted((int(path.name.split("_", 1)[0]), path) for path in folder.glob("*.sql"))


def statements(path: Path) -> list[str]:
    """The statements of one migration file, run one at a time by every engine (ours hold no
    ``;`` inside a statement)."""
    chunks = (chunk.strip() for chunk in path.read_text().split(";"))
    return [chunk for chunk in chunks if _has_code(chunk)]


def _has_code(chunk: str) -> bool:
    """Whether a piece of SQL holds more than comments and blank lines."""
    return any(line.strip() and not line.strip().startswith("--") for line in chunk.splitlines())
