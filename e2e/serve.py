"""Serve Home Assistant with the virtual home and iot_ml set up, until interrupted.

Used by scripts/develop (the demo) and by the browser stage of the end-to-end tests:
prepares the config, starts hass, completes onboarding, sets up iot_ml with a zone per area,
prints "READY <url>" and waits; Ctrl-C (SIGINT) or SIGTERM stops Home Assistant cleanly.
"""

import argparse
import asyncio
import contextlib
from pathlib import Path
import signal
import time

from .ha_api import DEV_PASSWORD, DEV_USER, HaApi
from .hass_process import HassProcess, prepare_config
from .provision import setup_iot_ml, wait_for_entities


async def serve(config_dir: Path, port: int, fresh: bool) -> int:
    """Run until a stop signal; returns hass's exit code."""
    started = time.monotonic()
    config = prepare_config(config_dir, port, fresh=fresh)
    process = HassProcess(config, port)
    process.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with HaApi(process.url) as api:
            await api.wait_until_up()
            up = time.monotonic() - started
            await api.onboard_or_login()
            await api.confirm_http_config()
            await setup_iot_ml(api)
            await wait_for_entities(api, ("sensor.living_room_learning_status",))
        print(
            f"READY {process.url} (login {DEV_USER} / {DEV_PASSWORD}; serving after {up:.0f} s,"
            f" iot_ml set up after {time.monotonic() - started:.0f} s)",
            flush=True,
        )
        while not stop.is_set() and process.running:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1)
    finally:
        code = process.stop()
        print(f"Home Assistant stopped (exit code {code})", flush=True)
    return code


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--fresh", action="store_true", help="start from an empty config copy")
    args = parser.parse_args()
    raise SystemExit(0 if asyncio.run(serve(args.config, args.port, args.fresh)) in (0, 100) else 1)


if __name__ == "__main__":
    main()
