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
    relative imports resolved; `from a import b` names both a and a.b (b may be a module or a name in a)."""
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
            names.append(base)
            names.extend(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


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


def test_no_feature_imports_mail():
    """Features announce (festival.core.events) and mail listens: only mail itself and the entry points
    import festival.mail."""
    offenders = [
        f"{module} imports {name}"
        for module, names in import_graph().items()
        if not is_within(module, "festival.mail") and module not in ENTRY_POINTS
        for name in names
        if is_within(name, "festival.mail")
    ]
    assert offenders == []
