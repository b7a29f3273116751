"""The engine is pure Python + numpy: no Home Assistant, no scikit-learn, nothing else."""

import ast
from pathlib import Path
import sys

ENGINE = Path(__file__).resolve().parents[2] / "custom_components" / "iot_ml" / "engine"
ALLOWED_THIRD_PARTY = {"numpy"}


def _violations(path: Path, root: Path) -> list[str]:
    """Every import in ``path`` that leaves the stdlib + numpy, or climbs out of ``root``."""
    depth = len(path.relative_to(root).parts) - 1  # packages between root and the file
    bad: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules = [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [(node.module or "", node.level)]
        else:
            continue
        for module, level in modules:
            if level > depth + 1:
                bad.append(f"{path.name}:{node.lineno}: relative import leaves the engine")
            elif level == 0:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY:
                    bad.append(f"{path.name}:{node.lineno}: imports {module}")
    return bad


def test_engine_imports_only_stdlib_and_numpy() -> None:
    """Walk every engine module's imports; anything else fails with the file and line named."""
    files = sorted(ENGINE.rglob("*.py"))
    names = {path.name for path in files}
    assert {"grid.py", "resample.py", "buffer.py", "timebase.py"} <= names
    assert {"learner.py", "types.py", "__init__.py"} <= names
    assert [v for path in files for v in _violations(path, ENGINE)] == []


def test_engine_uses_numpy_and_relative_imports() -> None:
    """The walk really sees imports (numpy, and the engine's own modules)."""
    source = (ENGINE / "household" / "learner.py").read_text()
    tree = ast.parse(source)
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 2]
    absolute = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {n.module for n in relative} >= {"core.buffer", "core.grid", "core.types"}
    assert "numpy" in absolute


def test_checker_catches_forbidden_imports(tmp_path: Path) -> None:
    """Home Assistant, scikit-learn, other packages and escaping relative imports are all seen."""
    root = tmp_path / "engine"
    (root / "sub").mkdir(parents=True)
    bad = root / "bad.py"
    bad.write_text(
        "import json\n"
        "import numpy.typing as npt\n"
        "from homeassistant.core import State\n"
        "import os, sklearn.linear_model\n"
        "from scipy import stats\n"
        "from .. import const\n"
        "from . import grid\n"
        "\n"
        "def lazy():\n"
        "    import homeassistant.util.dt\n"
    )
    assert _violations(bad, root) == [
        "bad.py:3: imports homeassistant.core",
        "bad.py:4: imports sklearn.linear_model",
        "bad.py:5: imports scipy",
        "bad.py:6: relative import leaves the engine",
        "bad.py:10: imports homeassistant.util.dt",
    ]
    nested = root / "sub" / "deep.py"
    nested.write_text("from .. import grid\nfrom ... import const\n")
    assert _violations(nested, root) == ["deep.py:2: relative import leaves the engine"]
