"""Every public function, class and method of the engine has a caller in the integration.

The engine (``custom_components/iot_ml/engine``) is only there for the integration: a public
symbol that nothing in ``custom_components/iot_ml`` refers to is dead code (tests and benchmarks
do not count as callers). The check is by name, with the AST: a definition counts as used when
its name is read (``name``, ``obj.name``) somewhere in the package outside its own definition.
Imports and ``__all__`` lists are not uses, so a symbol only re-exported is caught too. Methods
are matched by name alone, whatever the class of the object (good enough to find dead code;
it cannot tell two methods of the same name apart).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "custom_components" / "iot_ml"
ENGINE = PACKAGE / "engine"

# Names called by something other than a name in the package (Python, Home Assistant, a
# protocol caller reached through ``getattr``), so no reference can be found. Keep it short;
# each entry says who calls it. None is needed today: dunder methods are left out anyway, and
# ``to_json``/``from_json`` hooks are called by name.
ALLOWED: dict[str, str] = {}
# Dead code found by this check and not removed yet, with the reason: the check fails when a
# new one appears and when one of these is gone (then drop it here).
KNOWN_UNUSED: set[str] = set()  # empty: every shipped engine symbol has a production caller


@dataclass(frozen=True, slots=True)
class Definition:
    """A public function, class or method of the engine, and where its body is."""

    name: str
    qualname: str
    path: Path
    first: int
    last: int


def definitions(path: Path) -> list[Definition]:
    """Public module-level functions and classes of ``path`` and the public methods of its
    public classes (dunder methods are called by Python itself and left out)."""
    tree = ast.parse(path.read_text(), str(path))
    out: list[Definition] = []

    def add(node: ast.AST, name: str, qualname: str) -> None:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        end = node.end_lineno or node.lineno
        out.append(Definition(name, qualname, path, node.lineno, end))

    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if node.name.startswith("_"):
            continue
        add(node, node.name, node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if item.name.startswith("_"):  # private and dunder methods: left out
                    continue
                add(item, item.name, f"{node.name}.{item.name}")
    return out


def references(path: Path) -> list[tuple[str, int]]:
    """Every name read in ``path`` (``name`` and ``obj.name``) with its line; imports and
    ``__all__`` lists left out."""
    tree = ast.parse(path.read_text(), str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skipped |= {id(n) for n in ast.walk(node.value)}
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Name):
            out.append((node.id, node.lineno))
        elif isinstance(node, ast.Attribute):
            out.append((node.attr, node.lineno))
    return out


def unused(package: Path, engine: Path) -> list[str]:
    """Qualified names (``module:Class.method``) of the engine's public symbols nobody refers to."""
    files = sorted(package.rglob("*.py"))
    refs = {path: references(path) for path in files}
    found = []
    for path in sorted(engine.rglob("*.py")):
        for d in definitions(path):
            if d.name in ALLOWED:
                continue
            used = any(
                name == d.name and not (other == d.path and d.first <= line <= d.last)
                for other, names in refs.items()
                for name, line in names
            )
            if not used:
                module = path.relative_to(package.parent).with_suffix("")
                found.append(f"{'.'.join(module.parts)}:{d.qualname}")
    return found


def test_every_engine_symbol_has_a_caller() -> None:
    """No public function, class or method of the engine is left without a caller."""
    assert set(unused(PACKAGE, ENGINE)) == KNOWN_UNUSED


def test_the_check_finds_an_unused_function(tmp_path: Path) -> None:
    """A function nobody calls, a method only called by itself and a class only re-exported are
    reported; used ones are not."""
    package = tmp_path / "pkg"
    engine = package / "engine"
    engine.mkdir(parents=True)
    (engine / "__init__.py").write_text(
        'from .core import Kept, Unused\n__all__ = ["Kept", "Unused"]\n'
    )
    (engine / "core.py").write_text(
        "class Kept:\n"
        "    def step(self, n):\n"
        "        return self.step(n - 1) if n else 0\n"
        "    def run(self):\n"
        "        return 1\n"
        "class Unused:\n"
        "    pass\n"
        "def helper():\n"
        "    return Kept().run()\n"
        "def dead():\n"
        "    return helper()\n"
    )
    (package / "glue.py").write_text("from .engine.core import helper\nhelper()\n")
    assert unused(package, engine) == [
        "pkg.engine.core:Kept.step",
        "pkg.engine.core:Unused",
        "pkg.engine.core:dead",
    ]
