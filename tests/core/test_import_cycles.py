"""No import cycle between volunteer's feature packages (``volunteer.<pkg>`` with an
``__init__.py``): each module's imports are read with ``ast``, every import counts (inside a
function too: an import moved into a function to dodge a cycle is still one), except those under
``if TYPE_CHECKING:``. ``core`` may be imported by every feature and imports none."""

import ast
from pathlib import Path

import volunteer

ROOT = Path(volunteer.__file__).resolve().parent
FEATURES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    return skipped


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == "volunteer":  # from volunteer import tasks
            return [f"volunteer.{alias.name}" for alias in node.names]
        return [node.module]
    return []


def feature_graph() -> dict[str, dict[str, str]]:
    """{package: {imported package: "path:line" of one such import}}."""
    graph: dict[str, dict[str, str]] = {name: {} for name in FEATURES}
    for package in FEATURES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skipped = _type_checking_nodes(tree)
            for node in ast.walk(tree):
                if id(node) in skipped:
                    continue
                for name in _imported(node):
                    parts = name.split(".")
                    if parts[0] == "volunteer" and len(parts) > 1 and parts[1] in FEATURES \
                            and parts[1] != package:
                        where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                        graph[package].setdefault(parts[1], where)
    return graph


def find_cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return cycles


def test_core_imports_no_feature():
    assert feature_graph()["core"] == {}


def test_no_import_cycle_between_feature_packages():
    graph = feature_graph()
    problems = []
    for component in find_cycles(graph):
        edges = [f"{a} -> {b} ({graph[a][b]})" for a in component for b in sorted(graph[a])
                 if b in component]
        problems.append(" / ".join(component) + ":\n    " + "\n    ".join(edges))
    assert not problems, "import cycles between feature packages:\n" + "\n".join(problems)


def test_the_check_sees_a_cycle():
    assert find_cycles({"a": {"b": "x"}, "b": {"a": "y"}, "c": {"a": "z"}}) == [["a", "b"]]
