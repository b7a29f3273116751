"""Learned state on disk: versioned JSON through HA's Store, arrays in an npz beside it."""

import asyncio
from dataclasses import dataclass
import io
import os
from pathlib import Path
from typing import Any
import zipfile

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
import numpy as np

from .const import DOMAIN, LOGGER
from .engine.core import FloatArray

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1


class StorageCorruptError(Exception):
    """Stored state exists but cannot be read back."""


@dataclass(slots=True)
class StoredState:
    """What was saved, per zone key: JSON metadata and the named arrays it refers to."""

    zones: dict[str, tuple[dict[str, Any], dict[str, FloatArray]]]

    def flat(self) -> tuple[dict[str, dict[str, Any]], dict[str, FloatArray]]:
        """The JSON per zone, and all arrays in one namespace (``<zone key>:<name>``)."""
        learners = {key: meta for key, (meta, _) in self.zones.items()}
        arrays = {
            f"{key}:{name}": arr
            for key, (_, zone_arrays) in self.zones.items()
            for name, arr in zone_arrays.items()
        }
        return learners, arrays

    @classmethod
    def unflat(
        cls, learners: dict[str, dict[str, Any]], arrays: dict[str, FloatArray]
    ) -> StoredState:
        """Inverse of ``flat``."""
        zones: dict[str, tuple[dict[str, Any], dict[str, FloatArray]]] = {
            key: (meta, {}) for key, meta in learners.items()
        }
        for name, arr in arrays.items():
            key, _, rest = name.partition(":")
            if key in zones and rest:
                zones[key][1][rest] = arr
        return cls(zones)


class _MigratingStore(Store[dict[str, Any]]):
    """Store whose older layouts are upgraded here when versions change."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        # Version 1 is the first layout; a newer file (downgrade) cannot be read.
        if old_major_version > STORAGE_VERSION:
            raise StorageCorruptError(f"storage version {old_major_version} is newer than ours")
        return old_data


class LearnedStateStore:
    """Saves and loads one config entry's learned state, off the event loop."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the files for ``entry_id`` (nothing is read yet)."""
        self._hass = hass
        self._store = _MigratingStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}",
            minor_version=STORAGE_MINOR_VERSION,
            private=True,
            atomic_writes=True,
            serialize_in_event_loop=False,
        )
        self.arrays_path = Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.npz"))
        self._save_lock = (
            asyncio.Lock()
        )  # saves from training, the hourly timer and stop may overlap

    async def async_load(self) -> StoredState | None:
        """The saved state, None when there is none; ``StorageCorruptError`` when unreadable."""
        try:
            meta = await self._store.async_load()
        except StorageCorruptError:
            raise
        except (HomeAssistantError, ValueError, OSError) as err:
            raise StorageCorruptError(str(err)) from err
        if meta is None:
            return None
        learners = meta.get("learners")
        if not isinstance(learners, dict):
            raise StorageCorruptError("learners must be a mapping")
        try:
            arrays = await self._hass.async_add_executor_job(_read_npz, self.arrays_path)
        except (ValueError, OSError, zipfile.BadZipFile) as err:
            raise StorageCorruptError(str(err)) from err
        return StoredState.unflat(learners, arrays)

    async def async_save(self, state: StoredState) -> None:
        """Write arrays first, then the JSON that refers to them."""
        async with self._save_lock:
            learners, arrays = state.flat()
            await self._hass.async_add_executor_job(_write_npz, self.arrays_path, arrays)
            await self._store.async_save({"learners": learners})

    async def async_remove(self) -> None:
        """Delete everything saved for the entry."""
        await self._store.async_remove()
        await self._hass.async_add_executor_job(self.arrays_path.unlink, True)


def _read_npz(path: Path) -> dict[str, FloatArray]:
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        return {name: np.asarray(data[name]) for name in data.files}


def _write_npz(path: Path, arrays: dict[str, FloatArray]) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    tmp = path.with_suffix(".npz.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Durable before it replaces the old file: a power cut leaves the old arrays or the new
    # ones, never a 0-byte file.
    with tmp.open("wb") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself
    finally:
        os.close(directory)
    LOGGER.debug("Saved %d arrays to %s", len(arrays), path)
