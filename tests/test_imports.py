"""The import direction screens -> desk <- storage, checked on the source and at run time."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "desk": {"textual", "tinydb", "storage", "screens", "launch", "deskweb", "aiohttp", "textual_serve"},
    "storage": {"textual", "screens", "launch", "deskweb"},
    "screens": {"tinydb", "storage", "launch", "deskweb"},
    # The web server relays terminals: it knows the domain's words, never the UI or the files.
    "deskweb": {"textual", "tinydb", "storage", "screens", "launch"},
}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_source_imports_point_one_way(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_the_domain_loads_no_ui_and_no_database():
    code = (
        "import sys, desk.services, desk.cli, desk.demo, desk.lookup, desk.matters;"
        "print(sorted(m for m in ('textual', 'tinydb', 'storage', 'screens', 'aiohttp', 'deskweb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
