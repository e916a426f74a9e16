"""The tooling's imports run one way: no module of workshop/ reaches itself again through
its imports (imports inside functions included, since they only hide a circle), and the
stack runner never imports test support (workshop/testing/ uses the runner, not the other
way round)."""

import ast
from pathlib import Path

from workshop import ROOT

PACKAGE = ROOT / "workshop"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def _owner(name: str) -> str | None:
    """The module of workshop/ that ``name`` (a module, or a name inside one) lives in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = f"{parent}.{base}" if base else parent
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
        for alias in node.names
    ]


def import_graph() -> dict[str, set[str]]:
    """Each module of workshop/ and the modules of workshop/ it imports, anywhere in it."""
    graph = {}
    for name, path in MODULES.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets.update(_owner(t) for t in _imported(node, package) if t.startswith("workshop"))
        graph[name] = targets - {name, None}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, as the path that closes it (depth-first, each found once)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_no_module_of_the_tooling_imports_itself_back():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_circle_of_three():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_the_stack_runner_imports_no_test_support():
    reversed_imports = {
        module: sorted(t for t in targets if t.startswith("workshop.testing"))
        for module, targets in import_graph().items()
        if module.startswith("workshop.stack")
    }

    assert {module: targets for module, targets in reversed_imports.items() if targets} == {}


def test_the_graph_sees_relative_imports_and_imports_inside_functions():
    graph = import_graph()

    assert "workshop.stack.stack" in graph["workshop.stack"]  # from .stack import Stack
    assert "workshop.stack.scaling" in graph["workshop.stack.stack"]
