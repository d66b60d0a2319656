"""The query and chart packages: every public name of a group module is on the package, where
pages (`queries.<name>`, `charts.<name>`) and `ui.query` (a query function by its name) look."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

from dashboards import charts, queries

REPO = Path(__file__).resolve().parents[2]


def _own_public_names(package: ModuleType) -> dict[str, object]:
    """Public names each module of `package` defines at top level (not the ones it imports)."""
    names: dict[str, object] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                targets = [node.name]
            elif isinstance(node, ast.Assign):
                targets = [target.id for target in node.targets if isinstance(target, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                targets = [node.target.id]
            else:
                continue
            for name in targets:
                if not name.startswith("_"):
                    names[name] = getattr(module, name)
    return names


@pytest.mark.parametrize("package", [queries, charts], ids=["queries", "charts"])
def test_every_public_name_of_a_group_module_is_on_the_package(package: ModuleType) -> None:
    own = _own_public_names(package)

    assert sorted(own) == sorted(package.__all__)
    for name, value in own.items():
        assert getattr(package, name) is value, name


def test_statements_are_read_from_dashboards_sql() -> None:
    assert queries.SQL_DIR.resolve() == REPO / "dashboards" / "sql"
    assert queries.sql_text("case_timeline").strip()


def test_a_statement_reads_a_shared_one_as_its_first_relation() -> None:
    """`-- with: ended_stays` puts `ended_stays.sql` first in the statement's `with` clause, so
    its 8 parameters come before the statement's own (stage_time: 3 more)."""
    composed = queries.sql_text("stage_time")
    shared = queries.sql_text("ended_stays")
    assert f"with ended_stays as (\n{shared}),\ncompleted as (" in composed
    assert composed.count("?") == shared.count("?") + 3 == 11
