"""Two programs and their contract: what each side may import, read off the source files.

The backend never imports the dashboard, its client or NiceGUI; the dashboard (its services,
the client and the pages) never imports the backend: it reaches any backend, the embedded one
included, over HTTP. The terminal client is a third program on that one client, with nothing
of the backend's or the dashboard's. The contract imports none of them. Only ``main.py`` wires
them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Each side's folders, and the imports (a module or any module below it) none of them may make.
FORBIDDEN = {
    "contract": (["services/contract"],
                 ["services.backend", "services.dashboard", "services.client", "ui", "nicegui"]),
    "backend": (["services/backend"],
                ["services.dashboard", "services.client", "ui", "nicegui"]),
    "dashboard": (["services/dashboard", "services/client", "ui"], ["services.backend"]),
    "terminal client": (["services/terminal"],
                        ["services.backend", "services.dashboard", "ui", "nicegui"]),
}


def imports_of(path: Path) -> set[str]:
    """Every module a source file imports, at any depth of its code."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _breaks(name: str, forbidden: list[str]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in forbidden)


@pytest.mark.parametrize("side", FORBIDDEN)
def test_each_side_imports_only_what_it_may(side: str) -> None:
    folders, forbidden = FORBIDDEN[side]
    files = [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]
    assert files, f"no source files in {folders}"
    wrong = {f"{path.relative_to(ROOT)}: {name}"
             for path in files for name in imports_of(path) if _breaks(name, forbidden)}
    assert not wrong, "imports across the line:\n" + "\n".join(sorted(wrong))


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    source = tmp_path / "late.py"
    source.write_text("def f():\n    from services.dashboard.hub import JobHub\n"
                      "    import nicegui\n")
    assert {"services.dashboard.hub", "nicegui"} <= imports_of(source)
