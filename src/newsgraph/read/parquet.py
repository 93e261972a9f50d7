"""Parquet corpora through pyarrow: one article per row, columns `text`, `title`, `published`,
`url`, `source` (the same fields and fallbacks as JSONL). Rows are read in batches, so a big
corpus streams; the size limit applies to each row's text."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Optional, Union

from ..record import Document
from .common import ReadError, max_bytes, too_big
from .jsonl import DATE_KEYS, TEXT_KEYS, document_from_fields, finish_errors

OTHER_KEYS = ("title", "url", "source", "author")
UNNAMED = "<parquet>"


def read_parquet(data: Union[Path, bytes], published: Optional[str] = None,
                 errors: Optional[list] = None, source: Optional[str] = None) -> Iterator[Document]:
    """Documents of a Parquet file (a Path or its bytes); source of each is "NAME#row-N"."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = source or (str(data) if isinstance(data, Path) else UNNAMED)
    try:
        pf = pq.ParquetFile(pa.BufferReader(data) if isinstance(data, bytes) else str(data))
    except (OSError, pa.ArrowException) as e:
        raise ReadError(name, f"not a readable Parquet file ({str(e).splitlines()[0]})") from None
    columns = pf.schema_arrow.names
    wanted = [c for c in (*TEXT_KEYS, *DATE_KEYS, *OTHER_KEYS) if c in columns]
    if not any(c in columns for c in TEXT_KEYS):
        raise ReadError(name, f"no 'text' column (columns: {', '.join(columns)})")
    limit = max_bytes()
    found: list[ReadError] = []
    n = 0
    for batch in pf.iter_batches(columns=wanted, batch_size=256):
        for fields in batch.to_pylist():
            n += 1
            try:
                size = sum(len(v.encode("utf-8")) for v in fields.values() if isinstance(v, str))
                if size > limit:
                    raise ReadError(name, too_big(size, limit, "row"), n)
                yield document_from_fields(fields, f"{name}#row-{n}", name, n, published)
            except ReadError as e:
                found.append(ReadError(name, f"row {n}: {e.reason}"))
    finish_errors(found, errors)
