"""Streaming, resumable imports of dump files into the KB store, shared by every importer.

A dump is read one line (or one XML element) at a time from gz, bz2, zip or plain files, so
memory stays flat whatever its size. An importer is a generator of units (a line, a document):
each unit yields an item to write or None; the units an earlier run consumed are skipped
without yielding. Every `BATCH` units the written rows and the number
of units consumed are committed in one transaction, so an interrupted import resumes after the
last commit (the first units are skipped unparsed), and writing an unchanged entry is a no-op.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

from newsgraph.kb import store

BATCH = 2000


class ImportError_(ValueError):
    """A dump that cannot be imported; the message names the file and the reason (one line)."""


@dataclass
class Dump:
    """An opened dump: its binary stream, its size and how far reading has got (in bytes)."""
    path: Path
    stream: io.BufferedIOBase
    total: int
    position: Callable[[], int]
    closers: list = field(default_factory=list)

    def lines(self) -> Iterator[bytes]:
        return iter(self.stream)

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer.close()


def open_dump(path: Path, member_suffix: str = ".txt") -> Dump:
    """Open a gz, bz2, zip (its data member) or plain dump for streaming."""
    path = Path(path)
    if not path.is_file():
        raise ImportError_(f"{path}: no such file")
    try:
        raw = open(path, "rb")
        size = os.path.getsize(path)
        magic = raw.read(4)
        raw.seek(0)
        if magic[:2] == b"\x1f\x8b":
            stream = gzip.GzipFile(fileobj=raw)
            return Dump(path, io.BufferedReader(stream, 1 << 20), size, raw.tell, [raw, stream])
        if magic[:3] == b"BZh":
            stream = bz2.BZ2File(raw)
            return Dump(path, stream, size, raw.tell, [raw, stream])
        if magic == b"PK\x03\x04":
            archive = zipfile.ZipFile(raw)
            members = [i for i in archive.infolist() if i.filename.endswith(member_suffix)
                       and "readme" not in i.filename.lower()]
            if not members:
                raise ImportError_(f"{path}: zip archive holds no {member_suffix} file")
            wanted = [i for i in members if Path(i.filename).stem == path.stem] or members
            info = max(wanted, key=lambda i: i.file_size)
            stream = archive.open(info)
            return Dump(path, stream, info.file_size, stream.tell, [raw, archive, stream])
        return Dump(path, raw, size, raw.tell, [raw])
    except (OSError, zipfile.BadZipFile) as exc:
        raise ImportError_(f"{path}: cannot open dump ({exc.__class__.__name__}: {exc})") from None


def dump_date(path: Path) -> Optional[str]:
    """The dump date written in a dump's file name (enwiki-20250601-abstract.xml.gz), or None."""
    match = re.search(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)", Path(path).name)
    return f"{match[1]}-{match[2]}-{match[3]}" if match else None


def import_key(kind: str, path: Path, options: dict) -> str:
    """Identifies one import: the file (path, size, mtime) and the options that filter it."""
    stat = Path(path).stat()
    text = f"{kind}|{Path(path).resolve()}|{stat.st_size}|{int(stat.st_mtime)}|{sorted(options.items())}"
    return f"{kind}:{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def run(kind: str, path: Path, units: Callable[[Dump, int], Iterator[Optional[object]]],
        write: Callable[[object, object], str], kb_path: Optional[Path] = None,
        options: Optional[dict] = None, limit: Optional[int] = None, restart: bool = False,
        show_progress: bool = False, finish: Optional[Callable[[object], None]] = None,
        member_suffix: str = ".txt") -> dict:
    """Import one dump. `units(dump, skip)` yields one item or None per unit, skipping the first
    `skip` without yielding them; `write(con, item)` stores an item and says "added", "updated" or
    "unchanged"; `finish(con)` runs once the whole dump is read. `limit` stops after that many
    units (a later run resumes). Returns the tallies, with `status` and `position`."""
    path = Path(path)
    dump = open_dump(path, member_suffix)
    con = store.connect(kb_path)
    try:
        key = import_key(kind, path, options or {})
        state = None if restart else store.checkpoint(con, key)
        if state is not None and state[1]:
            return {**state[2], "status": "already imported", "position": state[0],
                    "store": str(kb_path or store.default_path())}
        start, _, tallies = state if state is not None else (0, False, {})
        con.isolation_level = None          # transactions are begun and committed here
        for name in ("read", "kept", "added", "updated", "unchanged"):
            tallies.setdefault(name, 0)
        position = start
        stopped = False
        progress = _progress(show_progress, kind, path, dump.total)
        try:
            con.execute("BEGIN")
            for item in units(dump, start):
                position += 1
                if item is not None:
                    status = write(con, item)
                    tallies[status] = tallies.get(status, 0) + 1
                    tallies["kept"] += status != "noted"
                tallies["read"] = position
                if position % BATCH == 0:
                    store.save_checkpoint(con, key, kind, str(path), position, False, tallies)
                    con.execute("COMMIT")
                    con.execute("BEGIN")
                    progress.update(dump.position(), tallies)
                if limit is not None and position - start >= limit:
                    stopped = True
                    break
            if not stopped and finish is not None:
                finish(con)
            store.save_checkpoint(con, key, kind, str(path), position, not stopped, tallies)
            con.execute("COMMIT")
            progress.update(dump.total if not stopped else dump.position(), tallies)
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            progress.close()
        return {**tallies, "status": "stopped" if stopped else ("resumed" if start else "done"),
                "position": position, "store": str(kb_path or store.default_path())}
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ImportError_(f"{path}: cannot read dump ({exc.__class__.__name__}: {exc})") from None
    finally:
        con.close()
        dump.close()


class _progress:
    """A Rich progress bar over the bytes of the dump, on stderr; silent when not shown."""

    def __init__(self, show: bool, kind: str, path: Path, total: int):
        self.bar = None
        if not show:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        self.bar = Progress(TextColumn(f"[bold]{kind}[/] {path.name}"), BarColumn(),
                            DownloadColumn(), TextColumn("{task.fields[kept]:,} kept"),
                            TimeElapsedColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=False)
        self.task = self.bar.add_task(kind, total=total, kept=0)
        self.bar.start()

    def update(self, done: int, tallies: dict) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, kept=tallies.get("kept", 0))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
