"""The bundled sample corpus: original articles written for newsgraph (see README.md).

    from newsgraph.samples import SAMPLES_DIR, sample_paths
"""
from __future__ import annotations

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent


def sample_paths() -> list[Path]:
    """Every sample article file, sorted (the same files `newsgraph ingest` finds in the folder)."""
    from ..read import expand_paths
    return list(expand_paths([str(SAMPLES_DIR)]))
