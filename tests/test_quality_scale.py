"""What quality_scale.yaml claims, checked against the code where a check is mechanical."""

import ast
from pathlib import Path

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / "iot_ml"


def _annotations(tree: ast.AST) -> list[ast.expr]:
    """Every parameter, return and variable annotation in ``tree``."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            every = (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
            found.extend(a.annotation for a in every if a is not None and a.annotation is not None)
            if node.returns is not None:
                found.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
    return found


def test_entries_are_typed_with_their_runtime_data() -> None:
    """strict-typing with runtime-data: an entry of ours is an ``IotMlConfigEntry`` everywhere,
    never a bare ``ConfigEntry`` (whose ``runtime_data`` is ``Any``)."""
    bare = []
    for path in sorted(INTEGRATION.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for annotation in _annotations(tree):
            for node in ast.walk(annotation):
                name = node.id if isinstance(node, ast.Name) else None
                if isinstance(node, ast.Attribute):
                    name = node.attr
                if name == "ConfigEntry":
                    bare.append(f"{path.relative_to(INTEGRATION)}:{annotation.lineno}")
    assert not bare, f"typed as plain ConfigEntry: {bare}"
