"""Throughput of the full pipeline against raw spaCy, and peak memory of a streamed ingest.

    .venv/bin/python bench/throughput.py [--n 0] [--repeat 1] [--rounds 2] [--ingest-n 50]
                                         [--profile] [--skip-ingest] [--batch-size 32]

Corpus: the gold texts in ../shared/gold/dates/*.jsonl and ../shared/gold/geo/*.jsonl when
present (read here, at run time, never copied), otherwise the bundled samples in
src/newsgraph/samples/ repeated.  `--n` keeps the first N articles, `--repeat` repeats them.

Speed: raw spaCy is `newsgraph.nlp.load().pipe(texts)` — the same model, the same batch size
and the same line-break component, which is part of the loaded pipeline; full is
`newsgraph.pipeline.analyze_documents(...)`, every stage included.  The model and the
stages' data are warmed up first; then both run over the whole corpus `--rounds` times,
alternating chunk by chunk (`--chunk` articles: raw then full, then full then raw...), so
that both see the same load on a shared machine.  words/s is total words over total time,
both per CPU second of this process (`time.process_time`, robust when other processes
compete for the cores) and per wall-clock second.  Words are whitespace-separated.  The time
of each stage inside the full runs is measured too (the nlp share is the rest).

Memory: fresh subprocesses stream N and 10×N articles (the corpus cycled, each copy made
unique so the store keeps it) through analyze_documents into a temporary
`newsgraph.Store(path).ingest_many(records)` and report their RSS high-water mark (VmHWM;
`resource.getrusage` where /proc is missing) and their resident size along the way.  Flat memory means 10×N peaks about where N does.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import platform
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared" / "gold"
GOLD_AREAS = ("dates", "geo")
SAMPLES = ROOT / "src" / "newsgraph" / "samples"


# --- Corpus --------------------------------------------------------------------------------

def gold_documents():
    """(name, Documents) from the dates and geo gold, or None when the gold is absent."""
    from newsgraph.record import Document
    files = [f for area in GOLD_AREAS for f in sorted((GOLD / area).glob("*.jsonl"))]
    if not files:
        return None
    docs = []
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    sys.exit(f"{f}:{lineno}: not valid JSON ({err.msg})")
                if row.get("text"):
                    docs.append(Document(text=row["text"], published=row.get("published"),
                                         source=f"{f.name}:{row.get('id', lineno)}"))
    return f"gold {', '.join(f.parent.name + '/' + f.name for f in files)}", docs


def sample_documents():
    from newsgraph.read import read_path
    docs = []
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in (".txt", ".html", ".jsonl", ".xml", ".parquet") and path.name != "README.md":
            docs.extend(read_path(path, published="2025-01-01"))
    return f"bundled samples ({SAMPLES.relative_to(ROOT)})", docs


def corpus(n: int, repeat: int):
    found = gold_documents() or sample_documents()
    name, docs = found
    if not docs:
        sys.exit("no corpus: neither ../shared/gold nor src/newsgraph/samples holds articles")
    if n:
        docs = docs[:n]
    return name, docs * max(1, repeat)


def fresh(docs):
    """Copies, so that no run sees what another run added to a Document (e.g. warnings)."""
    from dataclasses import replace
    return [replace(d, warnings=list(d.warnings), sections=list(d.sections),
                    credits=list(d.credits), meta=dict(d.meta)) for d in docs]


def word_count(docs) -> int:
    return sum(len(d.text.split()) for d in docs)


# --- Speed ---------------------------------------------------------------------------------

def stage_names() -> list[str]:
    """The stage functions build_record calls: functions of other newsgraph modules."""
    import inspect
    import newsgraph.pipeline as pipeline
    names = []
    for name in pipeline.build_record.__code__.co_names:
        fn = getattr(pipeline, name, None)
        if inspect.isfunction(fn) and fn.__module__.startswith("newsgraph.") \
                and fn.__module__ != pipeline.__name__ and name not in names:
            names.append(name)
    return names


def time_stages():
    """Wrap the stage functions the pipeline calls so that their time is summed per stage."""
    import newsgraph.pipeline as pipeline
    totals = {name: 0.0 for name in stage_names()}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[name] += time.process_time() - t0
        return wrapper

    for name in totals:
        setattr(pipeline, name, timed(name, getattr(pipeline, name)))
    return totals


def run_raw(nlp, docs, batch_size):
    """(wall, cpu) seconds for raw spaCy over docs."""
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in nlp.pipe((d.text for d in docs), batch_size=batch_size):
        pass
    return time.perf_counter() - w0, time.process_time() - c0


def run_full(docs, batch_size):
    """(wall, cpu) seconds for the full pipeline over docs."""
    from newsgraph.pipeline import analyze_documents
    w0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for _ in analyze_documents(docs, batch_size=batch_size):
        n += 1
    assert n == len(docs)
    return time.perf_counter() - w0, time.process_time() - c0


def chunks(docs, size):
    return [docs[i:i + size] for i in range(0, len(docs), size)]


def bench_speed(args, docs):
    """Raw and full alternate chunk by chunk, so that both see the same machine load."""
    from newsgraph import nlp as _nlp
    nlp = _nlp.load(None)       # the very instance the pipeline's parse_many uses
    words = word_count(docs)
    warm = fresh(docs[: min(len(docs), 20)])
    run_raw(nlp, warm, args.batch_size)                 # model, vectors, caches
    run_full(fresh(warm), args.batch_size)              # gazetteer and word lists load here
    stage_time = time_stages()                          # only the measured runs are summed
    raw = [0.0, 0.0]
    full = [0.0, 0.0]
    k = 0
    for _ in range(args.rounds):
        for chunk in chunks(docs, args.chunk):
            order = ("raw", "full") if k % 2 == 0 else ("full", "raw")
            k += 1
            for which in order:
                if which == "raw":
                    t = run_raw(nlp, chunk, args.batch_size)
                    raw = [raw[0] + t[0], raw[1] + t[1]]
                else:
                    t = run_full(fresh(chunk), args.batch_size)
                    full = [full[0] + t[0], full[1] + t[1]]
    total = words * args.rounds
    print(f"{'':15} {'words/s (CPU)':>14} {'words/s (wall)':>15}   CPU s   wall s")
    for name, (wall, cpu) in (("raw spaCy", raw), ("full pipeline", full)):
        print(f"{name:15} {total / cpu:14,.0f} {total / wall:15,.0f}  {cpu:6.1f}  {wall:7.1f}")
    ratio_cpu, ratio_wall = raw[1] / full[1], raw[0] / full[0]
    print(f"{'ratio full/raw':15} {ratio_cpu:14.2f} {ratio_wall:15.2f}   (target >= 0.75; "
          f"{total:,} words per side)")
    stages_sum = sum(stage_time.values())
    print("\nCPU time inside the full runs, by stage:")
    print(f"  {'nlp + record building':24} {full[1] - stages_sum:8.2f} s  "
          f"{(full[1] - stages_sum) / full[1]:6.1%}")
    for name, t in stage_time.items():
        print(f"  {name:24} {t:8.2f} s  {t / full[1]:6.1%}   "
              f"(adds {t / raw[1]:5.1%} to raw spaCy's CPU time)")
    return ratio_cpu, ratio_wall


def profile_full(args, docs, top):
    """cProfile one full run; print the functions with the most own time outside spaCy."""
    prof = cProfile.Profile()
    prof.enable()
    run_full(fresh(docs), args.batch_size)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
    stats.print_stats(r"newsgraph", top)
    print("\ncProfile of one full run (own time, newsgraph functions):")
    print(out.getvalue().split("\n", 4)[-1] if out.getvalue() else "")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(r"newsgraph", top)
    print("cProfile of one full run (cumulative time, newsgraph functions):")
    print(out.getvalue().split("\n", 4)[-1])


# --- Memory --------------------------------------------------------------------------------

def _proc_status_mb(field: str) -> float:
    """A memory field of /proc/self/status in MB (Linux), or nan elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def maxrss_mb() -> float:
    """Peak resident memory of this process.

    VmHWM belongs to the address space created at exec, so a child does not inherit its
    parent's peak; getrusage's ru_maxrss does (it survives fork and exec), and is used only
    where /proc is missing.
    """
    hwm = _proc_status_mb("VmHWM")
    if hwm == hwm:
        return hwm
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def current_rss_mb() -> float:
    """Resident memory now (Linux /proc), or nan elsewhere."""
    return _proc_status_mb("VmRSS")


def ingest_child(count: int, args) -> None:
    """Child process: stream `count` articles into a fresh store, print peak RSS as JSON."""
    import newsgraph
    from newsgraph.pipeline import analyze_documents
    from newsgraph.record import Document
    from newsgraph import nlp as _nlp
    _, docs = corpus(args.n, 1)
    random.Random(0).shuffle(docs)      # N and 10×N both see a mix of short and long articles
    _nlp.load(None)                                     # the instance the pipeline uses
    model_mb = maxrss_mb()
    next(analyze_documents(fresh(docs[:1])))            # model and stage data loaded
    baseline = maxrss_mb()

    def stream():
        for k, d in enumerate(itertools.islice(itertools.cycle(docs), count)):
            # Each copy differs by its last line, so the store keeps every one of them.
            yield Document(text=f"{d.text}\n\n(copy {k})", published=d.published,
                           source=f"{d.source}#{k}")

    sampled = []                    # resident memory after each article is stored

    def sample(status, record):
        sampled.append(current_rss_mb())

    with tempfile.TemporaryDirectory() as tmp:
        store = newsgraph.Store(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        summary = store.ingest_many(analyze_documents(stream(), batch_size=args.batch_size),
                                    on_progress=sample)
        elapsed = time.perf_counter() - t0
        store.close()
        db_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    print(json.dumps({"articles": count, "summary": summary, "model_mb": model_mb,
                      "baseline_mb": baseline, "peak_mb": maxrss_mb(), "end_mb": current_rss_mb(),
                      "ingest_max_mb": max(sampled, default=float("nan")),
                      "quarters_mb": [sampled[max(0, len(sampled) * q // 4 - 1)]
                                      for q in (1, 2, 3, 4)] if sampled else [],
                      "seconds": elapsed, "db_mb": db_mb}))


def bench_memory(args) -> None:
    print(f"\nstreamed ingest into a temporary store (fresh process each; peak = VmHWM, the RSS high-water mark):")
    results = []
    for count in (args.ingest_n, 10 * args.ingest_n):
        cmd = [sys.executable, __file__, "--ingest-child", str(count), "--n", str(args.n),
               "--batch-size", str(args.batch_size)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            print(f"  {count:6} articles: failed: {tail}")
            return
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"  {count:6} articles: peak {r['peak_mb']:6.0f} MB; during the ingest at most "
              f"{r['ingest_max_mb']:.0f} MB, at the end {r['end_mb']:.0f} MB  (after loading the "
              f"model {r['model_mb']:.0f} MB, after warm-up {r['baseline_mb']:.0f} MB; "
              f"{r['seconds']:.0f} s; store {r['db_mb']:.1f} MB; {r['summary']})")
        print(f"  {'':6}           resident after 25/50/75/100 % of the articles: "
              + " / ".join(f"{x:.0f}" for x in r["quarters_mb"]) + " MB")
    small, big = results
    growth = (big["peak_mb"] - big["baseline_mb"]) - (small["peak_mb"] - small["baseline_mb"])
    print(f"  10×N over N: {big['peak_mb'] / small['peak_mb']:.2f}× peak, "
          f"{big['ingest_max_mb'] / small['ingest_max_mb']:.2f}× sampled maximum "
          f"({growth:+.0f} MB more peak growth for 10× the articles)")


# --- Main ----------------------------------------------------------------------------------

def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=0, help="keep the first N articles (0: all)")
    ap.add_argument("--repeat", type=int, default=1, help="repeat the corpus this many times")
    ap.add_argument("--rounds", type=int, default=2, help="alternating raw/full passes")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--chunk", type=int, default=64,
                    help="articles per alternation step (raw, full, full, raw, ...)")
    ap.add_argument("--ingest-n", type=int, default=50, help="N for the N / 10×N ingest")
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--profile", action="store_true", help="cProfile one more full run")
    ap.add_argument("--ingest-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    if args.ingest_child:
        ingest_child(args.ingest_child, args)
        return

    from newsgraph import nlp as _nlp
    name, docs = corpus(args.n, args.repeat)
    nlp = _nlp.load(None)
    print(f"corpus: {name}: {len(docs)} articles, {word_count(docs):,} words")
    print(f"model: {_nlp.model_name()} {nlp.meta.get('version', '')}, pipes {nlp.pipe_names}, "
          f"batch size {args.batch_size}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, spaCy {__import__('spacy').__version__}\n")
    bench_speed(args, docs)
    if args.profile:
        profile_full(args, docs, 25)
    if not args.skip_ingest:
        bench_memory(args)


if __name__ == "__main__":
    main()
