"""Reading gold: any folder of JSONL files, or one JSONL file, in an area's format."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Optional

SHARED_GOLD = Path(__file__).resolve().parents[3].parent / "shared" / "gold"


def default_gold(area: str) -> Path:
    """../shared/gold/<area> beside the checkout, the folder the project is scored on."""
    return SHARED_GOLD / area


def gold_files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such gold file or folder")
    files = sorted(p for p in path.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"{path}: no .jsonl gold files in this folder")
    return files


def read_gold(file: Path, limit: Optional[int] = None) -> Iterator[dict]:
    """Records of one gold file, the first `limit` of them when a limit is given.

    A line that is not a JSON object is a ValueError naming the file and line, so every
    `eval` command reports bad gold the same way."""
    with open(file, encoding="utf-8") as fh:
        n = 0
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            if limit is not None and n >= limit:
                return
            n += 1
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{file}:{number}: not JSONL gold ({exc})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{file}:{number}: not JSONL gold (a line is not a JSON object)")
            yield record


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": round(p, 4), "R": round(r, 4), "F1": round(f, 4), "tp": tp,
            "pred": n_pred, "gold": n_gold}
