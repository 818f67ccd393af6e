"""The documents are pure rendering: plain data in, text out. They import the rules core (for
its ``Payslip``) and Django's templates, never a model nor a sibling domain app, so that any
part of the platform can call them."""

import ast
from pathlib import Path

import unefois.documents

ALLOWED_PROJECT_IMPORTS = ("unefois.documents", "unefois.rules")
FORBIDDEN = ("django.db", "django.contrib.auth", "django.http")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                yield "unefois.documents"
            elif node.module:
                yield node.module


def test_documents_import_only_the_rules_core_and_templates():
    root = Path(unefois.documents.__file__).parent
    modules = list(root.rglob("*.py"))
    assert modules
    for path in modules:
        for name in _imports(path):
            if name.startswith("unefois"):
                assert name.startswith(ALLOWED_PROJECT_IMPORTS), (path.name, name)
            assert not name.startswith(FORBIDDEN), (path.name, name)


def test_the_app_has_no_models():
    root = Path(unefois.documents.__file__).parent
    assert not (root / "models.py").exists()
    assert not (root / "migrations").exists()
