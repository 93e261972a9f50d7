"""The output contract as JSON Schema (draft 2020-12), shipped with the package.

    from newsgraph.schema import validate
    validate(record.to_dict())     # raises jsonschema.ValidationError when it breaks the contract
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..record import SCHEMA_VERSION

SCHEMA_FILE = f"record-v{SCHEMA_VERSION}.json"


@lru_cache(maxsize=1)
def load() -> dict:
    """The record schema of the current schema_version."""
    return json.loads(resources.files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator
    schema = load()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(record: dict) -> list[str]:
    """Every way a record dict breaks the contract, one line each ("at entities/3/type: ...")."""
    out = []
    for err in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(record)"
        out.append(f"at {where}: {err.message}")
    return out


def validate(record: dict) -> None:
    """Raise jsonschema.ValidationError (the most relevant one) if a record breaks the contract."""
    from jsonschema.exceptions import best_match
    err = best_match(_validator().iter_errors(record))
    if err is not None:
        raise err
