"""`newsgraph kb import yaml|csv`: a monitor's own actor list, which overrides every other source.

YAML files use the embedded KB's entry format (kb/data/*.yaml, checked by kb/schema.py): a
mapping with an optional `defaults` and an `entries` list. CSV files have the columns
title,type,country,sector,aliases,description (aliases separated by ";"; an optional
wikidata column). The whole file is checked before anything is written: each problem is one
line naming the file and the line. A file imported again replaces what it imported before
(entries it no longer lists are removed); an unchanged file changes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Optional

import yaml

from newsgraph.kb import store
from newsgraph.kb.dumps import ImportError_
from newsgraph.kb.embedded import KBError, read_entry_file
from newsgraph.kb.schema import check_entry

CSV_COLUMNS = ("title", "type", "country", "sector", "aliases", "description")


class ActorListError(ImportError_):
    """An actor list with invalid entries; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if len(problems) == 1 else
                         f"{len(problems)} problems, first: {problems[0]}")
        self.problems = problems


def _yaml_lines(path: Path, text: str) -> list[int]:
    """The line number of each item of the file's `entries` list."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for key, value in node.value if isinstance(node, yaml.MappingNode) else []:
        if key.value == "entries" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def read_yaml(path: Path) -> list[tuple[int, dict]]:
    try:
        text = path.read_text(encoding="utf-8")
        lines = _yaml_lines(path, text)
        entries = read_entry_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ActorListError([f"{path}: cannot read ({exc.__class__.__name__})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ActorListError([f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    except KBError as exc:
        raise ActorListError([str(exc)]) from None
    return list(zip(lines, entries))


def read_csv(path: Path) -> list[tuple[int, dict]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in ("title", "type", "sector", "description") if c not in header]
            if missing:
                raise ActorListError([f"{path}:1: missing column {', '.join(missing)} "
                                      f"(expected {','.join(CSV_COLUMNS)})"])
            rows = []
            for row in reader:
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
                entry = {k: row[k] for k in ("title", "type", "sector", "description") if row.get(k)}
                if row.get("country"):
                    entry["country"] = row["country"].upper()
                if row.get("wikidata"):
                    entry["wikidata"] = row["wikidata"]
                entry["names"] = [a.strip() for a in row.get("aliases", "").split(";") if a.strip()]
                rows.append((reader.line_num, entry))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ActorListError([f"{path}: cannot read CSV ({exc.__class__.__name__}: {exc})"]) from None
    return rows


def read_actor_list(path: Path) -> list[dict]:
    """The valid entries of a YAML or CSV actor list, or ActorListError with every problem."""
    path = Path(path)
    if not path.is_file():
        raise ActorListError([f"{path}: no such file"])
    rows = read_csv(path) if path.suffix.lower() in (".csv", ".tsv") else read_yaml(path)
    problems = [f"{path}:{line}: entry {entry.get('title')!r}: {'; '.join(errors)}"
                for line, entry in rows for errors in [check_entry(entry)] if errors]
    seen: dict[str, int] = {}
    for line, entry in rows:
        if entry.get("title") in seen:
            problems.append(f"{path}:{line}: duplicate title {entry['title']!r} "
                            f"(first on line {seen[entry['title']]})")
        seen.setdefault(entry.get("title"), line)
    if problems:
        raise ActorListError(problems)
    return [entry for _, entry in rows]


def import_actors(path: Path, kb_path: Optional[Path] = None) -> dict:
    """Import an actor list into the KB store in one transaction; returns the tallies."""
    path = Path(path)
    entries = read_actor_list(path)
    source = f"actors:{path.name}"
    tallies = {"read": len(entries), "kept": len(entries), "added": 0, "updated": 0,
               "unchanged": 0, "removed": 0}
    con = store.connect(kb_path)
    try:
        with con:
            for entry in entries:
                entry.pop("source", None)
                record = {**entry, "id": entry["title"]}
                if not record.get("in_office"):
                    record.pop("in_office", None)
                tallies[store.write_entry(con, record, "actors", source)] += 1
            titles = {e["title"] for e in entries}
            for (old,) in con.execute("SELECT id FROM entries WHERE origin = 'actors' AND source = ?",
                                      (source,)).fetchall():
                if old not in titles:
                    store.delete_entry(con, old, "actors")
                    tallies["removed"] += 1
    finally:
        con.close()
    return {**tallies, "status": "done", "store": str(kb_path or store.default_path())}
