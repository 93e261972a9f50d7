"""The shape of a knowledge-base entry, checked the same way for shipped files and user lists.

An entry is a plain mapping read from YAML. Keeping the check in one function lets the test,
the loader and `kb import yaml` reject the same mistakes with the same one-line messages.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
import yaml

DATA_DIR = Path(__file__).parent / "data"

REQUIRED = ("title", "type", "sector", "description")
RELATIONS = ("leader_of", "member_of", "part_of", "successor_of", "backed_by", "stands_for")
DATE_FIELDS = ("founded", "dissolved", "born", "died")
KNOWN_KEYS = set(REQUIRED) | set(RELATIONS) | set(DATE_FIELDS) | {
    "wikidata", "names", "country", "in_office", "designations", "region", "owner",
    "notes", "countries", "demonyms", "source", "sport",
}
# Codes that are not ISO 3166-1 but are used for states the standard leaves out.
EXTRA_COUNTRY_CODES = {"XK"}  # Kosovo (user-assigned code used by the EU and many registries)

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_QID = re.compile(r"^Q[1-9]\d*$")


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    """Types, sectors and offices from data/schema.yaml."""
    with open(DATA_DIR / "schema.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def as_date(value: Any) -> str | None:
    """A YAML date value as an ISO string of 4, 7 or 10 characters (YAML turns 2000-07-17 into a date)."""
    if value is None:
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def valid_date(value: Any) -> bool:
    text = as_date(value)
    if text is None or not _DATE.match(text):
        return False
    try:
        parts = [int(p) for p in text.split("-")] + [1, 1]
        _dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def valid_country(code: Any) -> bool:
    return isinstance(code, str) and (code in EXTRA_COUNTRY_CODES or
                                      pycountry.countries.get(alpha_2=code) is not None)


def check_entry(entry: Any) -> list[str]:
    """Every problem with one entry, as short messages (empty when the entry is valid)."""
    if not isinstance(entry, dict):
        return ["entry is not a mapping"]
    vocab = vocabulary()
    errors = [f"missing {key}" for key in REQUIRED if not entry.get(key)]
    errors += [f"unknown key {key}" for key in entry if key not in KNOWN_KEYS]
    if entry.get("type") and entry["type"] not in vocab["types"]:
        errors.append(f"unknown type {entry['type']}")
    if entry.get("sector") and entry["sector"] not in vocab["sectors"]:
        errors.append(f"unknown sector {entry['sector']}")
    if "wikidata" in entry and not (isinstance(entry["wikidata"], str) and _QID.match(entry["wikidata"])):
        errors.append(f"bad wikidata id {entry['wikidata']!r}")
    if "sport" in entry and entry["sport"] not in vocab.get("sports", []):
        errors.append(f"unknown sport {entry['sport']!r}")
    if "country" in entry and not valid_country(entry["country"]):
        errors.append(f"bad country code {entry['country']!r}")
    for code in entry.get("countries", []) or []:
        if not valid_country(code):
            errors.append(f"bad country code {code!r}")
    names = entry.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        errors.append("names must be a list of non-empty strings")
    for key in DATE_FIELDS:
        if key in entry and not valid_date(entry[key]):
            errors.append(f"bad date {key}={entry[key]!r}")
    for term in entry.get("in_office", []) or []:
        if not isinstance(term, dict) or "office" not in term or "from" not in term:
            errors.append(f"in_office term needs office and from: {term!r}")
            continue
        if term["office"] not in vocab["offices"]:
            errors.append(f"unknown office {term['office']!r}")
        for key in ("from", "to"):
            if term.get(key) is not None and not valid_date(term[key]):
                errors.append(f"bad date in_office.{key}={term[key]!r}")
        if term.get("country") is not None and not valid_country(term["country"]):
            errors.append(f"bad country code in_office {term['country']!r}")
        if term.get("to") is not None and valid_date(term["from"]) and valid_date(term["to"]) \
                and as_date(term["to"]) < as_date(term["from"]):
            errors.append(f"in_office ends before it starts: {term!r}")
    for key in RELATIONS:
        for target in entry.get(key, []) or []:
            title = target.get("title") if isinstance(target, dict) else target
            if not isinstance(title, str) or not title:
                errors.append(f"{key} target must be a title: {target!r}")
    return errors
