"""INTERIM (being replaced by the readers)."""
from pathlib import Path
from ..record import Document


class ReadError(Exception):
    pass


def read_text(text, published=None, source=None):
    return Document(text=text, published=published, source=source)


def read_path(path, published=None, errors=None):
    yield read_text(Path(path).read_text(encoding="utf-8"), published=published, source=str(path))
