"""The floors of the house, read from the imports of every module under festival/ (their AST, so an
import placed inside a function counts as much as one at the top)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "festival"
# Entry points stand above every feature: they build the app and may import any package.
ENTRY_POINTS = {"festival.app", "festival.cli", "festival.worker", "festival.demo"}


def module_name(path: Path) -> str:
    """festival/mail/notify.py → festival.mail.notify; a package's __init__.py is the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[str]:
    """The modules the source of `module` imports, anywhere in it (top level or inside a function),
    relative imports resolved; `from a import b` names a.b when b is a module, else a."""
    package = module if is_package else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = [f"{base}.{alias.name}" for alias in node.names if is_module(f"{base}.{alias.name}")]
            # `from a import b` runs a's __init__ only for names that are not modules of their own
            if len(submodules) < len(node.names):
                names.append(base)
            names.extend(submodules)
    return names


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph() -> dict[str, list[str]]:
    """Every module under festival/ → the modules it imports."""
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        graph[name] = imported_modules(path.read_text(encoding="utf-8"), name, is_package=path.name == "__init__.py")
    return graph


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_walker_sees_imports_inside_functions_and_resolves_relative_ones():
    source = "from . import services\n\ndef f():\n    from ..mail import notify\n    import festival.util.qr\n"
    found = imported_modules(source, "festival.exhibits.probe")
    assert {"festival.exhibits.services", "festival.mail.notify", "festival.util.qr"} <= set(found)
    assert "festival.auth.views" in imported_modules("from . import views\n", "festival.auth", is_package=True)


def steps_up(importer, imported) -> list[str]:
    """Every "module imports name" where the module matches `importer` and the name `imported` (predicates)."""
    return [
        f"{module} imports {name}"
        for module, names in import_graph().items()
        if importer(module)
        for name in names
        if imported(name)
    ]


def within(*packages: str):
    return lambda name: any(is_within(name, package) for package in packages)


FEATURES = (
    "admin",
    "auth",
    "badges",
    "booths",
    "certificates",
    "checkin",
    "exhibits",
    "intake",
    "judging",
    "mail",
    "privacy",
    "public",
    "tallies",
    "voting",
)
WEB_AND_DATABASE = {"flask", "flask_babel", "flask_login", "sqlalchemy", "werkzeug"}


def test_no_feature_imports_mail():
    """Features announce (festival.core.events) and mail listens: only mail itself and the entry points
    import festival.mail."""
    outside_mail = lambda module: not is_within(module, "festival.mail") and module not in ENTRY_POINTS  # noqa: E731
    assert steps_up(outside_mail, within("festival.mail")) == []


def test_core_and_util_know_no_feature():
    """festival/core/ and festival/util/ are the floors features stand on: they import none of them."""
    assert steps_up(within("festival.core", "festival.util"), within(*(f"festival.{f}" for f in FEATURES))) == []


def test_util_knows_no_model():
    assert steps_up(within("festival.util"), within("festival.models", "festival.core")) == []


def test_judging_math_is_plain_python():
    """Assignment, designs, effects and calibration take plain data and return plain data."""
    outside_math = lambda name: (  # noqa: E731
        name.split(".")[0] in WEB_AND_DATABASE
        or (is_within(name, "festival") and not is_within(name, "festival.judging.math"))
    )
    assert steps_up(within("festival.judging.math"), outside_math) == []


def import_edges() -> dict[str, set[str]]:
    """Module → the festival modules importing it runs: each imported module and, as Python does, every
    package above it that the importer is not itself inside (`from festival.auth import x` runs
    festival/auth/__init__.py first)."""
    graph = import_graph()
    edges = {}
    for module, names in graph.items():
        targets = set()
        for name in names:
            if name not in graph:
                continue
            parts = name.split(".")
            targets.update(
                package
                for package in (".".join(parts[:end]) for end in range(1, len(parts) + 1))
                if package in graph and not is_within(module, package)
            )
        edges[module] = targets - {module}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or round a circle (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(edges[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_circle_through_a_package():
    edges = {"a": {"b.x"}, "b": {"b.y"}, "b.x": set(), "b.y": {"a"}, "c": set()}
    # importing b.x runs b's __init__, which imports b.y, which imports a
    edges["a"].add("b")
    assert cycles(edges) == [["a", "b", "b.y"]]


def test_no_import_cycle_between_modules():
    assert cycles(import_edges()) == []


def test_no_festival_module_is_imported_inside_a_function():
    """An import inside a function hides a cycle; only third-party libraries slow to load are imported on first
    use (WeasyPrint, pypdf, pdfium, zxcvbn's lists, coloraide), each with a comment saying so."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("festival")):
                    offenders.append(f"{path.name}:{node.lineno}")
                elif isinstance(node, ast.Import) and any(a.name.startswith("festival") for a in node.names):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
