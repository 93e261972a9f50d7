"""A learned layer beside the event rules (issue 5 part 9): a spaCy sentence classifier.

`train(gold, out)` trains a `textcat_multilabel` over the 16 PLOVER types on coded sentences
in the gold format (../shared/gold/events/README.md: one JSON record per sentence with its
`events`), for a monitoring team's own archive or the shared development files.  The
classifier is its own small spaCy pipeline (blank English tokenizer, a fresh 64-wide hash
embedding + CNN tok2vec ensembled with a bag-of-words layer): it trains on a CPU in minutes
and never touches the parser's model.  A sentence's label set is the non-null `plover` types
of its events; gold YIELD (`plover` null, CAMEO 08: CONCEDE or RETREAT, undecided) leaves
CONCEDE and RETREAT *missing* for that sentence (spaCy masks the loss of labels absent from
`cats`), and `events: []` makes every type negative.  No weights are shipped: the command is
the product.

`--holdout F` keeps a deterministic fraction of the records out of training, by a rule on
the text alone (like the gold's own split, with another salt so it is independent of it):

    key = only [a-z0-9] of casefold(NFKC(text))
    held out  <=>  int(sha256("newsgraph-holdout:" + key).hexdigest()[:8], 16) / 2**32 < F

and writes them, in the gold format, to MODEL/heldout/<file>.jsonl, so
`newsgraph eval events --gold MODEL/heldout --events-model MODEL` scores exactly the unseen
part.

`apply_events_model(doc, rec)` runs after `find_events` when a model is given
(`--events-model PATH` or NEWSGRAPH_EVENTS_MODEL).  The rules stay the explanation: every
rule event keeps its trigger, dictionary entry, actors and status.  Per sentence of the
parse, with p(t) the classifier's probability of type t:

* **add**: p(t) >= ADD_AT and no rule event of type t (of any status) in the sentence ->
  one event of type t, mode None, trigger = the sentence's root token (the main verb),
  source / target = the entities under the root's subject / object (agent / passive subject
  for a passive), status "asserted", confidence = CONFIDENCE_SCALE * p(t) (at most 0.4,
  below every rule event), so a user can filter model-only events out;
* **veto**: a rule event whose confidence <= VETO_CONFIDENCE (the weakest rule codes: a bare
  trigger without actors or cue), that is not the content of another event and has none
  pointing at it, is dropped when p(its type) < VETO_BELOW in its sentence: the classifier
  is confident the sentence does not report that type.
Thresholds are fixed here, chosen before looking at any test figure.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional

from ..record import Event, Record, Span

ENV = "NEWSGRAPH_EVENTS_MODEL"
PIPE = "textcat_multilabel"
ADD_AT = 0.5
CONFIDENCE_SCALE = 0.4
VETO_CONFIDENCE = 0.55
VETO_BELOW = 0.05
HOLDOUT_SALT = "newsgraph-holdout:"
SUBJ = ("nsubj", "csubj")
OBJ = ("dobj", "obj", "dative")

# A small CPU classifier: hash-embedding CNN tok2vec ensembled with a bag of words.
MODEL_CONFIG = {
    "@architectures": "spacy.TextCatEnsemble.v2",
    "nO": None,
    "linear_model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False,
                     "ngram_size": 2, "no_output_layer": False, "length": 262144},
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64,
                  "rows": [5000, 2500, 1000, 2500], "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                  "include_static_vectors": False},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64,
                   "window_size": 1, "maxout_pieces": 3, "depth": 2},
    },
}


class EventsModelError(ValueError):
    """A model folder or training file the user can fix."""


def plover_types() -> list[str]:
    """The 16 PLOVER types, from the coder's own data file."""
    from .events import lexicon
    return list(lexicon().types)


def text_key(text: str) -> str:
    """Only [a-z0-9] of casefold(NFKC(text)): the same sentence in any dataset."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKC", text).casefold())


def holdout_key(text: str) -> float:
    """Where a text falls in [0, 1) for the holdout rule (see the module docstring)."""
    key = text_key(text)
    return int(hashlib.sha256((HOLDOUT_SALT + key).encode("utf-8")).hexdigest()[:8], 16) / 2**32


def gold_cats(rec: dict, types: list[str]) -> dict[str, float]:
    """The sentence's label set as spaCy `cats`; CONCEDE/RETREAT left out under gold YIELD."""
    present, undecided = set(), False
    for ev in rec.get("events") or []:
        t = ev.get("plover")
        if t in types:
            present.add(t)
        elif t is None and str(ev.get("cameo") or "").startswith("08"):
            undecided = True
    return {t: float(t in present) for t in types
            if not (undecided and t in ("CONCEDE", "RETREAT") and t not in present)}


def _read(gold: Path) -> list[tuple[Path, list[dict]]]:
    from ..evaluate.common import gold_files, read_gold

    try:
        files = gold_files(gold)
    except FileNotFoundError as err:
        raise EventsModelError(str(err)) from None
    out = []
    for file in files:
        try:
            recs = list(read_gold(file))
        except (ValueError, UnicodeDecodeError) as err:
            raise EventsModelError(f"{file}: not JSON lines ({err})") from None
        for n, r in enumerate(recs, 1):
            if not isinstance(r, dict) or not isinstance(r.get("text"), str) \
                    or not isinstance(r.get("events"), list):
                raise EventsModelError(f"{file}:{n}: not events gold (needs text and events)")
        out.append((file, recs))
    return out


def train(gold: Path, out: Path, epochs: int = 10, holdout: float = 0.0,
          exclude: Optional[Path] = None, limit: Optional[int] = None, seed: int = 0,
          on_epoch: Optional[Callable[[int, float], None]] = None) -> dict:
    """Train the classifier on every gold file under `gold`, save it to `out`; a summary.

    Records whose text (by `text_key`) occurs in the gold under `exclude` are not trained on
    (keep a test set unseen when datasets share sentences, as zsp_plv and plover_gsr do)."""
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch

    if not 0.0 <= holdout < 1.0:
        raise EventsModelError(f"--holdout {holdout}: expected a fraction in [0, 1)")
    types = plover_types()
    banned = {text_key(r["text"]) for _, recs in (_read(Path(exclude)) if exclude else [])
              for r in recs}
    train_recs, held, excluded = [], {}, 0
    for file, recs in _read(Path(gold)):
        recs = recs[:limit] if limit else recs
        excluded += sum(1 for r in recs if text_key(r["text"]) in banned)
        recs = [r for r in recs if text_key(r["text"]) not in banned]
        held[file.name] = [r for r in recs if holdout and holdout_key(r["text"]) < holdout]
        train_recs += [r for r in recs if not (holdout and holdout_key(r["text"]) < holdout)]
    if not train_recs:
        raise EventsModelError(f"{gold}: no training records")
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(PIPE, config={"model": MODEL_CONFIG, "threshold": ADD_AT})
    for t in types:
        textcat.add_label(t)
    examples = [Example.from_dict(nlp.make_doc(r["text"]), {"cats": gold_cats(r, types)})
                for r in train_recs]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    losses: dict = {}
    for epoch in range(1, epochs + 1):
        rng.shuffle(examples)
        losses = {}
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        if on_epoch:
            on_epoch(epoch, round(losses.get(PIPE, 0.0), 4))
    summary = {"gold": str(gold), "train_records": len(train_recs), "epochs": epochs,
               "holdout": holdout, "heldout_records": sum(len(v) for v in held.values()),
               "excluded_records": excluded,
               "seed": seed, "loss": round(losses.get(PIPE, 0.0), 4),
               "label_support": {t: sum(1 for e in examples if e.reference.cats.get(t) == 1.0)
                                 for t in types}}
    nlp.meta["name"] = "newsgraph_events"
    nlp.meta["description"] = "newsgraph PLOVER sentence classifier (newsgraph train events)"
    nlp.meta["newsgraph"] = summary
    out = Path(out)
    try:
        nlp.to_disk(out)
        if holdout:
            (out / "heldout").mkdir(exist_ok=True)
            for name, recs in held.items():
                with open(out / "heldout" / name, "w", encoding="utf-8") as fh:
                    for r in recs:
                        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    except OSError as err:
        raise EventsModelError(f"{out}: cannot write the model ({err.strerror or err})") from None
    return summary


@lru_cache(maxsize=2)
def load_model(path: str):
    """The trained classifier pipeline at `path` (loaded once per process)."""
    import spacy

    p = Path(path)
    if not (p / "config.cfg").is_file():
        raise EventsModelError(f"{path}: not an events model folder (no config.cfg; "
                               f"make one with `newsgraph train events`)")
    try:
        nlp = spacy.load(p)
    except Exception as err:   # spaCy raises many kinds on a damaged folder
        raise EventsModelError(f"{path}: cannot load the events model ({err})") from None
    if PIPE not in nlp.pipe_names:
        raise EventsModelError(f"{path}: not an events model (no {PIPE} component)")
    return nlp


def model_path(model: Optional[str] = None) -> Optional[str]:
    return model or os.environ.get(ENV) or None


def sentence_scores(texts: Iterable[str], model: Optional[str] = None) -> list[dict]:
    """The classifier's p(type) for each text."""
    nlp = load_model(model_path(model))
    return [dict(d.cats) for d in nlp.pipe(texts, batch_size=64)]


def _entity_under(rec: Record, token) -> Optional[str]:
    """The entity with a mention inside the phrase headed by `token` (its head word first)."""
    if token is None:
        return None
    lo, hi = token.left_edge.idx, token.right_edge.idx + len(token.right_edge)
    best = None
    for e in rec.entities:
        for m in e.mentions:
            if m.start <= token.idx < m.end:
                return e.id
            if best is None and lo <= m.start and m.end <= hi:
                best = e.id
    return best


def _arguments(root) -> tuple:
    """Subject and object heads of a clause; for a passive, agent and passive subject."""
    kids = list(root.children)
    passive = [c for c in kids if c.dep_ in ("nsubjpass", "nsubj:pass")]
    agent = [g for c in kids if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    if passive:
        return (agent[0] if agent else None), passive[0]
    subj = [c for c in kids if c.dep_ in SUBJ]
    obj = [c for c in kids if c.dep_ in OBJ]
    return (subj[0] if subj else None), (obj[0] if obj else None)


def apply_events_model(doc, rec: Record, model: Optional[str] = None) -> None:
    """Add and veto events of `rec` by the classifier (see the module docstring); no-op
    without a model."""
    path = model_path(model)
    if not path or not doc.text.strip():
        return
    sents = [s for s in doc.sents if s.text.strip()]
    if not sents:
        return
    scores = sentence_scores([s.text for s in sents], path)
    referenced = {e.part_of for e in rec.events if e.part_of}
    next_n = max([int(e.id[1:]) for e in rec.events if e.id[1:].isdigit()] + [0]) + 1
    kept, added = [], []
    by_start = {s.start_char: p for s, p in zip(sents, scores)}
    for ev in rec.events:
        p = by_start.get(ev.sentence.start)
        if (p is not None and ev.type in p and p[ev.type] < VETO_BELOW
                and ev.confidence <= VETO_CONFIDENCE and ev.part_of is None
                and ev.id not in referenced):
            continue
        kept.append(ev)
    for sent, p in zip(sents, scores):
        have = {e.type for e in kept if sent.start_char <= e.trigger.start < sent.end_char}
        for t, prob in sorted(p.items(), key=lambda x: -x[1]):
            if prob < ADD_AT or t in have:
                continue
            root = sent.root
            source, target = _arguments(root)
            added.append(Event(
                id=f"v{next_n}", type=t, mode=None,
                trigger=Span.of(rec.text, root.idx, root.idx + len(root)),
                sentence=Span.of(rec.text, sent.start_char, sent.end_char),
                source_actor=_entity_under(rec, source), target_actor=_entity_under(rec, target),
                status="asserted", confidence=round(CONFIDENCE_SCALE * prob, 2)))
            next_n += 1
    rec.events = kept + added
