"""Start and stop a real Home Assistant process on a loopback port with a copy of config/."""

from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

REPO = Path(__file__).resolve().parent.parent
# Log lines we fail on: anything iot_ml logs at warning or above, and blocking calls in its code.
_PROBLEM = re.compile(
    r"(WARNING|ERROR|CRITICAL) \([^)]*\) \[custom_components\.iot_ml[^\]]*\]"
    r"|Detected blocking call.*iot_ml"
    r"|Error (setting up|doing job).*iot_ml"
)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_config(target: Path, port: int, fresh: bool = True) -> Path:
    """Copy config/ to ``target`` (custom components resolved to this checkout) on ``port``."""
    target = target.resolve()  # hass runs with the config dir as its working directory
    if fresh and target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    source = REPO / "config"
    for item in ("configuration.yaml", "dashboards"):
        src = source / item
        if src.is_dir():
            shutil.copytree(src, target / item, dirs_exist_ok=True)
        else:
            shutil.copy2(src, target / item)
    components = target / "custom_components"
    components.mkdir(exist_ok=True)
    for name, path in (
        ("iot_ml", REPO / "custom_components" / "iot_ml"),
        ("virtual_home", source / "custom_components" / "virtual_home"),
    ):
        link = components / name
        if link.is_symlink() or link.exists():
            link.unlink() if link.is_symlink() else shutil.rmtree(link)
        link.symlink_to(path, target_is_directory=True)
    # HA 2026.11 moves the YAML http settings into .storage/http once and then ignores the YAML;
    # drop the stored copy so the port written below is the one used.
    (target / ".storage" / "http").unlink(missing_ok=True)
    config = (target / "configuration.yaml").read_text()
    config = re.sub(r"server_port: \d+", f"server_port: {port}", config)
    (target / "configuration.yaml").write_text(config)
    return target


class HassProcess:
    """A ``hass`` process; its log is kept for checks."""

    def __init__(self, config_dir: Path, port: int) -> None:
        self.config_dir = config_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = config_dir / "e2e-hass.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    def start(self) -> None:
        """Start Home Assistant (returns at once; wait with HaApi.wait_until_up)."""
        log = self.log_path.open("ab")
        self._log_offset = self.log_path.stat().st_size
        self._proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
            [sys.executable, "-m", "homeassistant", "-c", str(self.config_dir)],
            # Not the checkout: `import custom_components` must find the config's, not ours.
            cwd=self.config_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def stop(self, timeout: float = 60) -> int:
        """Stop it as Ctrl-C would; kill if it hangs. Returns the exit code."""
        if self._proc is None:
            return 0
        self._proc.send_signal(signal.SIGTERM)
        try:
            code = self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            code = self._proc.wait()
        self._proc = None
        return code

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def log(self) -> str:
        """Everything logged by this process so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def iot_ml_problems(self) -> list[str]:
        """Warnings and errors logged by iot_ml, blocking-call reports included."""
        return [line for line in self.log().splitlines() if _PROBLEM.search(line)]

    def wait_for_log(self, pattern: str, timeout: float = 120) -> bool:
        """Wait until a log line matches ``pattern``."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            if regex.search(self.log()):
                return True
            time.sleep(0.5)
        return False
