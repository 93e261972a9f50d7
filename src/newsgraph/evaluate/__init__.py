"""Scoring newsgraph on gold that others annotated (../shared/gold/<area>/).

Each area module has `evaluate(gold: Path, limit: int | None = None, model: str | None = None)
-> dict` whose top-level keys are the overall figures, with `by_file` (and `by_label` where it
applies) nested under them.
"""
