"""The layout's promises, checked: pure modules stay pure, packages do not import in a circle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE = ROOT / "service"


def test_pure_modules_import_without_flask_or_sqlalchemy():
    probe = (
        "import sys; import service.spam.scoring, service.moderation.sanitise, "
        "service.http.hosts; "
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'celery', 'sklearn') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _package_imports() -> dict[str, set[str]]:
    """Which packages of service/ each package imports, at any depth of its modules."""
    edges: dict[str, set[str]] = {}
    for path in SERVICE.rglob("*.py"):
        parts = path.relative_to(SERVICE).parts
        if len(parts) == 1:
            continue  # top-level modules (config, extensions, create_app) are the floor
        source = parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("service."):
                target = node.module.split(".")[1]
            elif isinstance(node, ast.ImportFrom) and node.module == "service":
                target = None
                for alias in node.names:
                    if (SERVICE / alias.name).is_dir() and alias.name != source:
                        edges.setdefault(source, set()).add(alias.name)
            else:
                continue
            if target and target != source and (SERVICE / target).is_dir():
                edges.setdefault(source, set()).add(target)
    return edges


def test_no_import_cycle_between_packages():
    edges = _package_imports()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for step in edges.get(start, ()):
            if step == goal or (step not in seen and reaches(step, goal, seen | {step})):
                return True
        return False

    cycles = sorted(package for package in edges if reaches(package, package, {package}))
    assert cycles == [], f"packages in an import cycle: {cycles}"


def test_moderation_does_not_import_the_domains_that_react_to_it():
    assert not {"notifications", "spam"} & _package_imports().get("comments", set())
    assert "notifications" not in _package_imports().get("moderation", set())


def test_no_view_module_imports_another_view_module():
    for path in SERVICE.rglob("views.py"):
        tree = ast.parse(path.read_text())
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not {m for m in imported if m.endswith(".views")}, path


def test_modules_and_functions_stay_small():
    for path in SERVICE.rglob("*.py"):
        source = path.read_text()
        assert len(source.splitlines()) <= 400, path
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 60, f"{path}:{node.lineno} {node.name} has {length} lines"


def test_every_table_lives_in_a_models_module():
    import service.models  # noqa: F401 - registers every table
    from service.extensions import db

    for mapper in db.Model.registry.mappers:
        module = mapper.class_.__module__
        assert module.endswith(".models"), f"{mapper.class_.__name__} is defined in {module}"
