"""scripts/bench's --out/--data handling and benchmarks' own data check: nothing is lost silently."""

from pathlib import Path
import subprocess

import pytest

from benchmarks.common import require_data

ROOT = Path(__file__).resolve().parent.parent


def _bench_paths(
    cwd: Path, *args: str, mode: str = "chroot", cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run scripts/_env.sh's bench_paths on ``args`` from ``cwd``; stdout lists BENCH_ARGS, a
    ``--`` line, then CHROOT_BINDS."""
    script = (
        'source "$0"; PY_MODE="$1"; shift; bench_paths "$@"; '
        'printf "%s\\n" ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"} -- '
        '${CHROOT_BINDS[@]+"${CHROOT_BINDS[@]}"}'
    )
    env = {"PATH": "/usr/bin:/bin", "IOT_ML_CACHE": str(cache or cwd / "cache")}
    return subprocess.run(
        ["bash", "-c", script, str(ROOT / "scripts" / "_env.sh"), mode, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _split(out: str) -> tuple[list[str], list[str]]:
    lines = out.splitlines()
    cut = lines.index("--")
    return lines[:cut], lines[cut + 1 :]


def test_outside_directories_are_resolved_created_and_bound(tmp_path: Path) -> None:
    """A relative --out is the caller's, created and bound read-write; an outside --data is
    bound read-only; other arguments pass unchanged."""
    data = tmp_path / "datasets"
    data.mkdir()
    result = _bench_paths(tmp_path, "occupancy", "--out", "results", f"--data={data}", "--quick")
    assert result.returncode == 0, result.stderr
    args, binds = _split(result.stdout)
    out = (tmp_path / "results").resolve()
    assert out.is_dir()
    assert args == ["occupancy", "--out", str(out), "--data", str(data.resolve()), "--quick"]
    assert binds == [f"rw:{out}", f"ro:{data.resolve()}"]


def test_the_checkout_needs_no_bind(tmp_path: Path) -> None:
    """The root sees the checkout already: a directory inside it is passed, not bound."""
    result = _bench_paths(ROOT, "thermal", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert _split(result.stdout) == (["thermal", "--out", str((ROOT / "out").resolve())], [])


def test_native_runs_bind_nothing(tmp_path: Path) -> None:
    """Without the root (a native Python), paths are only made absolute."""
    result = _bench_paths(tmp_path, "ingest", "--out", "results", mode="native")
    assert result.returncode == 0, result.stderr
    assert _split(result.stdout) == (["ingest", "--out", str((tmp_path / "results").resolve())], [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "nowhere"], "--data nowhere: no such directory"),
        (["--out", "/usr/share/results"], "/usr/share/results is one of its system directories"),
        (["--out", "/"], "the root directory itself"),
        (["--out"], "--out needs a directory"),
        (["--data="], "--data needs a directory"),
    ],
)
def test_unusable_directories_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    """A directory that does not exist, or would hide the root's own files, stops the run with
    a message rather than benchmarking into a place nobody sees."""
    result = _bench_paths(tmp_path, "anomaly", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_the_cache_holding_the_root_is_refused(tmp_path: Path) -> None:
    """Binding the cache (which holds the root) into the root is refused."""
    cache = tmp_path / "cache"
    result = _bench_paths(tmp_path, "anomaly", "--out", str(cache / "x"), cache=cache)
    assert result.returncode == 2
    assert "inside the iot_ml cache" in result.stderr


def test_require_data_fails_when_nothing_is_there(tmp_path: Path) -> None:
    """A benchmark that finds none of its data stops with where it looked and what for."""
    with pytest.raises(SystemExit) as stop:
        require_data(tmp_path / "missing", ["nab", "skab"], "anomaly")
    message = str(stop.value)
    assert "anomaly: none of its data" in message
    assert f"{tmp_path / 'missing'} (no such directory)" in message
    assert "nab, skab" in message
    with pytest.raises(SystemExit, match="none of its data"):
        require_data(tmp_path, ["nab"], "anomaly")


def test_require_data_returns_what_exists(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Found datasets come back by name; the missing ones are named on stderr."""
    (tmp_path / "nab").mkdir()
    (tmp_path / "uci").mkdir()
    (tmp_path / "uci" / "datatraining.txt").write_text("x")
    found = require_data(tmp_path, ["nab", "uci/datatraining.txt", "skab"], "bench")
    assert found == {
        "nab": tmp_path / "nab",
        "uci/datatraining.txt": tmp_path / "uci/datatraining.txt",
    }
    err = capsys.readouterr().err
    assert "bench: skipping what" in err
    assert err.rstrip().endswith("skab")
