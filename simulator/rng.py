"""Seeded random streams: one per purpose, so extra draws in one place never shift another."""

import zlib

import numpy as np

_MASK = 2**64 - 1


def stream(seed: int, *keys: int | str) -> np.random.Generator:
    """An independent generator for (seed, *keys); strings are hashed stably (not with hash())."""
    words = [seed & _MASK]
    words += [zlib.crc32(k.encode()) if isinstance(k, str) else k & _MASK for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))
