"""The engine is pure Python + numpy: no Home Assistant, no scikit-learn, nothing else."""

import ast
from pathlib import Path
import sys

ENGINE = Path(__file__).resolve().parents[2] / "custom_components" / "iot_ml" / "engine"
ALLOWED_THIRD_PARTY = {"numpy"}


def _imports(path: Path) -> list[tuple[str, int]]:
    """(top-level module or '.'-relative marker, level) for every import in a file."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(((node.module or "").split(".")[0], node.level))
    return found


def test_engine_imports_only_stdlib_and_numpy() -> None:
    """Walk every engine module's imports; anything else fails with the file named."""
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 5
    bad = []
    for path in files:
        for module, level in _imports(path):
            if level > 0:
                # Relative imports must stay inside the engine package.
                depth = len(path.relative_to(ENGINE).parts) - 1
                if level > depth + 1:
                    bad.append(f"{path.name}: relative import leaves the engine")
                continue
            if module not in sys.stdlib_module_names and module not in ALLOWED_THIRD_PARTY:
                bad.append(f"{path.name}: imports {module}")
    assert bad == []


def test_checker_catches_forbidden_imports(tmp_path: Path) -> None:
    """The check itself works: a homeassistant import is seen."""
    sample = tmp_path / "bad.py"
    sample.write_text("from homeassistant.core import State\nimport sklearn.linear_model\n")
    modules = {m for m, _ in _imports(sample)}
    assert {"homeassistant", "sklearn"} <= modules
    assert not modules & (set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY)
