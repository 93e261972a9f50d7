"""A record (or search hits, or evaluation figures) for people: Rich tables or Markdown.

Everything here takes plain dicts (a record's `to_dict()`, a stored record, an eval result),
so `analyze`, `show`, `search` and `eval` render the same way.
"""
from __future__ import annotations

from typing import Iterable, Optional

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

EXCERPT = 70   # characters of a section or snippet shown in a table cell


def _excerpt(text: str, width: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _geo(geo: Optional[dict]) -> str:
    if not geo:
        return ""
    where = ", ".join(x for x in (geo.get("admin1"), geo.get("country")) if x)
    return f"{geo['lat']:.4f}, {geo['lon']:.4f} · {geo.get('precision')}" + (
        f" · {where}" if where else "")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _approx(count: dict) -> str:
    return count.get("qualifier") or ("approx." if count.get("approx") else "")


def _event_time(ev: dict) -> str:
    t = ev.get("time") or {}
    if not t.get("start"):
        return ""
    span = " – ".join(dict.fromkeys(x for x in (t.get("start"), t.get("end")) if x))
    return f"{span} ({t.get('precision')})" + (f" “{t['span']['text']}”" if t.get("span") else "")


def event_rows(d: dict) -> list[list[str]]:
    """One row per event: who did what to whom, where, when, how many, how sure, said by whom."""
    names = {e["id"]: e["name"] for e in d.get("entities") or []}

    def name(eid):
        return names.get(eid, eid) if eid else ""

    rows = []
    for ev in d.get("events") or []:
        who = name(ev.get("source_actor")) or "?"
        if ev.get("target_actor"):
            who += " → " + name(ev["target_actor"])
        counts = "; ".join(c["span"]["text"] + (f" ({c['effect']})" if c.get("effect") else "")
                           for c in ev.get("counts") or [])
        status = ev.get("status") or ""
        if ev.get("confidence") is not None:
            status += f" ({ev['confidence']:.2f})"
        rows.append([ev["type"], _cell(ev.get("mode")), who, name(ev.get("location")),
                     _event_time(ev), counts, status, name(ev.get("attributed_to")),
                     f"{ev['trigger']['text']} @{ev['trigger']['start']}",
                     ", ".join(ev.get("context") or [])])
    return rows


def record_rows(d: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """The record as titled tables: (title, header, rows). Shared by table and Markdown."""
    text = d.get("text") or ""
    meta = [["id", d.get("id")], ["published", d.get("published")], ["title", d.get("title")],
            ["source", d.get("source")], ["url", d.get("url")], ["language", d.get("language")],
            ["schema", d.get("schema_version")], ["characters", len(text)],
            ["entities", len(d.get("entities") or [])], ["dates", len(d.get("dates") or [])],
            ["counts", len(d.get("counts") or [])], ["events", len(d.get("events") or [])]]
    tables = [("Article", ["field", "value"],
               [[k, _cell(v)] for k, v in meta if v not in (None, "")])]
    sections = [[s["kind"], str(s["start"]), str(s["end"]), _excerpt(text[s["start"]:s["end"]])]
                for s in d.get("sections") or []]
    tables.append(("Sections", ["kind", "start", "end", "text"], sections))
    credits = [[_cell(c.get("author")), _cell(c.get("license")), _cell(c.get("license_url")),
                _excerpt(c["span"]["text"])] for c in d.get("credits") or []]
    tables.append(("Credits", ["author", "licence", "licence URL", "text"], credits))
    entities = sorted(d.get("entities") or [],
                      key=lambda e: (-len(e["mentions"]), e["mentions"][0]["start"]
                                     if e["mentions"] else 0))
    tables.append(("Entities", ["name", "type", "country", "sector", "geo", "mentions", "aliases"],
                   [[e["name"], _cell(e.get("type")), _cell(e.get("country")),
                     _cell(e.get("sector")), _geo(e.get("geo")), str(len(e["mentions"])),
                     ", ".join(e.get("aliases") or [])] for e in entities]))
    tables.append(("Dates", ["text", "value", "start", "end", "precision"],
                   [[x["span"]["text"], _cell(x.get("value")), _cell(x.get("start")),
                     _cell(x.get("end")), _cell(x.get("precision"))]
                    for x in d.get("dates") or []]))
    tables.append(("Counts", ["text", "value", "approx", "lower", "what"],
                   [[c["span"]["text"], _cell(c.get("value")), _approx(c), _cell(c.get("lower")),
                     _cell(c.get("what"))] for c in d.get("counts") or []]))
    tables.append(("Events", ["type", "mode", "source → target", "place", "time", "counts",
                              "status", "attributed to", "trigger", "context"], event_rows(d)))
    tables.append(("Details", ["entity", "background", "source", "licence"],
                   [[x.get("kb_id") or x["entity"], x["text"], _cell(x.get("source")),
                     _cell(x.get("licence"))] for x in d.get("details") or []]))
    tables.append(("Warnings", ["warning"], [[w] for w in d.get("warnings") or []]))
    return [(title, header, rows) for title, header, rows in tables
            if rows or title in ("Article", "Entities")]


def _table(title: str, header: list[str], rows: Iterable[list[str]]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    for name in header:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(c)) for c in row))   # Text: no Rich markup in user data
    return table


def record_table(d: dict) -> Group:
    return Group(*(_table(*t) for t in record_rows(d)))


def _md_cell(value) -> str:
    return _cell(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_table(header: list[str], rows: Iterable[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def record_markdown(d: dict) -> str:
    title = d.get("title") or d.get("id")
    parts = [f"# {_md_cell(title)}"]
    for name, header, rows in record_rows(d):
        if name == "Details":   # background reads as paragraphs, each with its source line
            from .details import details_markdown
            parts.append(details_markdown(d["details"], d.get("entities")).rstrip("\n"))
            continue
        parts.append(f"## {name}\n\n" + markdown_table(header, rows))
    return "\n\n".join(parts) + "\n"


def _snippet(snippet: str, marks: tuple[str, str]) -> Text:
    """A search snippet with its highlight markers turned into bold text."""
    out, rest = Text(), snippet
    while marks[0] in rest:
        before, _, after = rest.partition(marks[0])
        hit, _, rest = after.partition(marks[1])
        out.append(before)
        out.append(hit, style="bold yellow")
    out.append(rest)
    return out


def hits_table(hits: list, marks: tuple[str, str]) -> Table:
    """One row per hit: id, date, score, and the title above its highlighted snippet."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("published", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("article", overflow="fold")
    for h in hits:
        article = Text(_cell(h.title or h.source), style="bold")
        article.append("\n")
        article.append_text(_snippet(h.snippet, marks))
        table.add_row(Text(h.id), Text(_cell(h.published)),
                      Text("" if h.score is None else f"{h.score:.2f}"), article)
    return table


def _scalars(d: dict) -> dict:
    return {k: v for k, v in d.items() if not isinstance(v, (dict, list))}


def _fits(header: list[str], rows: list[list[str]], width: int) -> bool:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    return sum(w + 3 for w in widths) <= width


def eval_tables(area: str, result: dict, width: int = 80) -> Group:
    """Overall figures, then one table per breakdown: `by_file` and `by_label` (one row per
    file or label; turned sideways when too wide for `width`), and smaller groups of figures."""
    def fmt(v):
        return f"{v:.4f}" if isinstance(v, float) else _cell(v)

    parts = [_table(f"eval {area}", ["figure", "value"],
                    [[k, fmt(v)] for k, v in _scalars(result).items()])]
    for key, value in result.items():
        if not isinstance(value, dict) or not value:
            continue
        if all(isinstance(v, dict) for v in value.values()):
            columns: list[str] = []
            for v in value.values():
                columns += [c for c in _scalars(v) if c not in columns]
            header = [key.removeprefix("by_"), *columns]
            rows = [[name, *(fmt(v.get(c)) for c in columns)] for name, v in value.items()]
            if not _fits(header, rows, width):
                header = ["figure", *value]
                rows = [[c, *(fmt(v.get(c)) for v in value.values())] for c in columns]
            parts.append(_table(key, header, rows))
        elif _scalars(value):
            parts.append(_table(key, ["figure", "value"],
                                [[k, fmt(v)] for k, v in _scalars(value).items()]))
    return Group(*parts)


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)
