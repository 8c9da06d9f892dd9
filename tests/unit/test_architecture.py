"""Keep the lines of the house: who may import whom (see GUIDE.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"bot", "knowledge", "handlers", "storage", "web"}
FRAMEWORKS = {"telegram", "httpx", "aiohttp", "sqlmodel", "sqlalchemy", "alembic", "asyncpg", "aiosqlite",
              "openpyxl"}
WEB_FRAMEWORKS = {"starlette", "jinja2", "uvicorn", "fastapi"}

RULES = {
    "knowledge": {"forbidden": (PROJECT - {"knowledge"}) | FRAMEWORKS | WEB_FRAMEWORKS},
    "storage": {"forbidden": (PROJECT - {"storage"}) | WEB_FRAMEWORKS},
    "handlers": {"forbidden": {"bot", "storage", "web"} | FRAMEWORKS | WEB_FRAMEWORKS},
    # The dashboard is an adapter beside bot/: it reads the stores and handlers, never the chat platforms.
    "web": {"forbidden": {"bot", "telegram", "httpx", "aiohttp", "openpyxl"}},
}
# bot/ may import the dashboard only to serve it.
SERVES_WEB = {"bot/web_server.py"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_imports_respect_the_layers(package):
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        bad = imported_roots(path) & RULES[package]["forbidden"]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_bot_imports_the_dashboard_only_to_serve_it():
    importers = {str(path.relative_to(ROOT)) for path in (ROOT / "bot").rglob("*.py")
                 if {"web", "starlette", "uvicorn", "jinja2"} & imported_roots(path)}
    assert importers <= SERVES_WEB, sorted(importers - SERVES_WEB)


def test_the_rule_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("import telegram\nfrom storage.db import make_engine\nfrom web.app import create_app\n")
    assert imported_roots(bad) == {"telegram", "storage", "web"}
