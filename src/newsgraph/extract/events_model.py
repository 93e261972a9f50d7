"""A learned layer beside the event rules (issue 5 part 9): a spaCy sentence classifier,
stacked on the rules and gated per type by cross-fitted calibration.

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

**Stacked on the rules.**  The classifier reads the sentence followed by one token per type
the rules claim for it (`newsgraphrule<type>`, or `newsgraphrulenone`): the types of the
top-level rule events (`part_of` None) the rules assert, report, estimate, allege or plan —
what the sentence-coded gold scores.  So it learns where the rules err rather than
re-learning what they already get right.  Training runs the rules (the whole pipeline, the
learned layer off) on every training sentence; a model is tied to the rules it was trained
beside: retrain it when the rules change.

**Gated by calibration.**  A type's add / veto action is on only where it helps on data the
classifier did not train on.  The training records are cut into FOLDS folds by a hash of
their text (salt VALIDATION_SALT, independent of the holdout); a classifier trained on the
other folds scores each fold, so every training record gets an out-of-fold p(t).  For each
type, over the records where its label is known, every (add threshold in ADD_GRID or off,
veto threshold in VETO_GRID or off) is tried on those out-of-fold scores; the pair kept is
the one with the best F1 of that type among those that remove at least MIN_GAIN errors
(false positives + false negatives) net of the rules alone; none qualifying -> the type is
left to the rules.  The final classifier is then trained on all training records; the
thresholds are saved with it (`meta["newsgraph"]["thresholds"]`).  `folds=0` skips
calibration and uses the fixed ADD_AT / VETO_BELOW for every type (for a quick look on a
tiny set; not a measured gain).

`--holdout F` keeps a deterministic fraction of the records out of training (and out of
calibration), by a rule on the text alone (like the gold's own split, with another salt so
it is independent of it):

    key = only [a-z0-9] of casefold(NFKC(text))
    held out  <=>  int(sha256("newsgraph-holdout:" + key).hexdigest()[:8], 16) / 2**32 < F

and writes them, in the gold format, to MODEL/heldout/<file>.jsonl, so
`newsgraph eval events --gold MODEL/heldout --events-model MODEL` scores exactly the unseen
part.

`apply_events_model(doc, rec)` runs after `find_events` when a model is given
(`--events-model PATH` or NEWSGRAPH_EVENTS_MODEL).  The rules stay the explanation: every
rule event keeps its trigger, dictionary entry, actors and status.  Per sentence of the
parse, with p(t) the classifier's probability of type t given the sentence and the rules'
claimed types, and add(t) / veto(t) the type's calibrated thresholds:

* **add**: add(t) is on, p(t) >= add(t) and no rule event of type t (of any status) in the
  sentence -> one event of type t, mode None, trigger = the first verb or noun of the
  sentence the rules' dictionary lists under t, else the sentence's root token (the main
  verb), source / target = the entities under the trigger's subject / object (agent /
  passive subject for a passive), status "asserted", confidence = CONFIDENCE_SCALE * p(t) (at most
  0.4, below every rule event), so a user can filter model-only events out;
* **veto**: veto(t) is on and a claimed rule event of type t (counted status) with
  confidence <= VETO_CONFIDENCE (the weakest rule codes: a bare trigger without actors or
  cue), that is not the content of another event and has none pointing at it, has
  p(t) < veto(t) in its sentence: it is dropped, the classifier being confident the
  sentence does not report that type.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional

from ..evaluate.events import COUNTED_STATUS as CLAIMED_STATUS
from ..record import Event, Record, Span

ENV = "NEWSGRAPH_EVENTS_MODEL"
PIPE = "textcat_multilabel"
ADD_AT = 0.5              # uncalibrated (folds=0) add threshold
VETO_BELOW = 0.05         # uncalibrated (folds=0) veto threshold
CONFIDENCE_SCALE = 0.4
VETO_CONFIDENCE = 0.55
HOLDOUT_SALT = "newsgraph-holdout:"
VALIDATION_SALT = "newsgraph-validation:"
FOLDS = 4
# Errors a type's action must remove out of fold to be switched on.  About 50 (add, veto)
# pairs are tried per type, and the best of them removes one or two errors by chance on
# ~1,000 records: on zsp_plv (when this gate was designed), pairs picked at a gain of 1 or
# 2 did not carry over to held-out records, so 3 is the least that counts.
MIN_GAIN = 3
ADD_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
VETO_GRID = (0.02, 0.05, 0.1, 0.2, 0.3)
RULE_TOKEN = "newsgraphrule"
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


def _hash_share(salt: str, text: str) -> float:
    key = text_key(text)
    return int(hashlib.sha256((salt + key).encode("utf-8")).hexdigest()[:8], 16) / 2**32


def holdout_key(text: str) -> float:
    """Where a text falls in [0, 1) for the holdout rule (see the module docstring)."""
    return _hash_share(HOLDOUT_SALT, text)


def fold_of(text: str, folds: int) -> int:
    """The calibration fold of a training text (hash with its own salt)."""
    return int(_hash_share(VALIDATION_SALT, text) * folds)


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


def rule_view(events: list[Event], lo: int, hi: int) -> tuple[dict[str, bool], set[str]]:
    """What the rules say of the text [lo, hi): the types they claim (top-level events of a
    counted status), each with whether all its events there are vetoable (weak, not part of
    an event, none pointing at them); and every type they found there, of any status."""
    inside = [e for e in events if lo <= e.trigger.start < hi]
    referenced = {e.part_of for e in events if e.part_of}
    claimed: dict[str, bool] = {}
    for e in inside:
        if e.part_of is None and e.status in CLAIMED_STATUS:
            weak = e.confidence <= VETO_CONFIDENCE and e.id not in referenced
            claimed[e.type] = claimed.get(e.type, True) and weak
    return claimed, {e.type for e in inside}


def features(text: str, claimed: Iterable[str]) -> str:
    """The classifier's input: the sentence, then one token per type the rules claim."""
    tags = sorted(claimed)
    return text + " " + " ".join(RULE_TOKEN + t.lower() for t in tags) if tags \
        else text + " " + RULE_TOKEN + "none"


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


@contextmanager
def _rules_only():
    """Run the pipeline without any learned layer (the user's environment may name one)."""
    saved = os.environ.pop(ENV, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[ENV] = saved


def rule_views(texts: list[str]) -> list[tuple[dict[str, bool], set[str]]]:
    """The rules' view of each whole text (the full pipeline, learned layer off)."""
    from .. import nlp
    from ..pipeline import build_record
    from ..record import Document

    out = []
    with _rules_only():
        for text, doc in zip(texts, nlp.parse_many(texts)):
            rec = build_record(Document(text=text), doc)
            out.append(rule_view(rec.events, 0, len(text)))
    return out


def _fit(texts: list[str], cats: list[dict], types: list[str], epochs: int, seed: int,
         on_epoch: Optional[Callable[[int, float], None]] = None):
    """A fresh classifier trained on (input text, cats) pairs."""
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch

    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(PIPE, config={"model": MODEL_CONFIG, "threshold": ADD_AT})
    for t in types:
        textcat.add_label(t)
    examples = [Example.from_dict(nlp.make_doc(x), {"cats": c}) for x, c in zip(texts, cats)]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    loss = 0.0
    for epoch in range(1, epochs + 1):
        rng.shuffle(examples)
        losses: dict = {}
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        loss = round(losses.get(PIPE, 0.0), 4)
        if on_epoch:
            on_epoch(epoch, loss)
    return nlp, loss


def decide(t: str, claimed: dict[str, bool], present: set[str], p: float,
           add: Optional[float], veto: Optional[float]) -> bool:
    """Whether type t is reported after the layer: the rules' claim, vetoed or added."""
    if t in claimed:
        return not (veto is not None and claimed[t] and p < veto)
    return add is not None and t not in present and p >= add


def calibrate(types: list[str], cats: list[dict], views: list, probs: list[dict],
              min_gain: int = MIN_GAIN) -> dict:
    """Per type, the (add, veto) thresholds that best improve its F1 on out-of-fold scores
    while removing at least `min_gain` errors; both None (rules alone) when none does."""
    out = {}
    for t in types:
        rows = [(c[t] == 1.0, v[0], v[1], p[t]) for c, v, p in zip(cats, views, probs) if t in c]

        def counts(add, veto):
            tp = fp = fn = 0
            for gold, claimed, present, p in rows:
                pred = decide(t, claimed, present, p, add, veto)
                tp += gold and pred
                fp += pred and not gold
                fn += gold and not pred
            return tp, fp, fn

        def f1(tp, fp, fn):
            return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

        base = counts(None, None)
        best = {"add": None, "veto": None, "gain": 0, "f1": round(f1(*base), 4),
                "rules_f1": round(f1(*base), 4), "support": sum(r[0] for r in rows),
                "most_errors_removed": 0}
        for add in (None, *ADD_GRID):
            for veto in (None, *VETO_GRID):
                c = counts(add, veto)
                gain = (base[1] + base[2]) - (c[1] + c[2])
                best["most_errors_removed"] = max(best["most_errors_removed"], gain)
                if gain >= min_gain and (f1(*c), gain) > (best["f1"], best["gain"]):
                    best.update(add=add, veto=veto, gain=gain, f1=round(f1(*c), 4))
        out[t] = best
    return out


def train(gold: Path, out: Path, epochs: int = 10, holdout: float = 0.0,
          exclude: Optional[Path] = None, limit: Optional[int] = None, seed: int = 0,
          folds: int = FOLDS, on_epoch: Optional[Callable[[int, float], None]] = None,
          on_step: Optional[Callable[[str], None]] = None) -> dict:
    """Train the classifier on every gold file under `gold`, calibrate its per-type gates,
    save it to `out`; a summary.

    Records whose text (by `text_key`) occurs in the gold under `exclude` are not trained on
    (keep a test set unseen when datasets share sentences, as zsp_plv and plover_gsr do)."""
    if not 0.0 <= holdout < 1.0:
        raise EventsModelError(f"--holdout {holdout}: expected a fraction in [0, 1)")
    if folds == 1 or folds < 0:
        raise EventsModelError(f"--folds {folds}: expected 0 (no calibration) or at least 2")
    step = on_step or (lambda msg: None)
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
    texts = [r["text"] for r in train_recs]
    cats = [gold_cats(r, types) for r in train_recs]
    step(f"running the rules on {len(texts)} training records")
    views = rule_views(texts)
    inputs = [features(x, v[0]) for x, v in zip(texts, views)]
    calibration: dict = {"folds": folds, "min_gain": MIN_GAIN if folds else None}
    if folds:
        fold = [fold_of(x, folds) for x in texts]
        probs: list = [None] * len(texts)
        for k in range(folds):
            inside = [i for i in range(len(texts)) if fold[i] != k]
            outside = [i for i in range(len(texts)) if fold[i] == k]
            if not outside or not inside:
                continue
            step(f"calibration fold {k + 1}/{folds}: training on {len(inside)} records")
            nlp, _ = _fit([inputs[i] for i in inside], [cats[i] for i in inside], types,
                          epochs, seed)
            for i, d in zip(outside, nlp.pipe([inputs[i] for i in outside], batch_size=64)):
                probs[i] = dict(d.cats)
        scored = [i for i, p in enumerate(probs) if p is not None]
        gates = calibrate(types, [cats[i] for i in scored], [views[i] for i in scored],
                          [probs[i] for i in scored])
        calibration["records"] = len(scored)
    else:
        gates = {t: {"add": ADD_AT, "veto": VETO_BELOW} for t in types}
    thresholds = {t: {"add": g["add"], "veto": g["veto"]} for t, g in gates.items()}
    calibration["per_type"] = gates
    step(f"training the final classifier on {len(texts)} records")
    nlp, loss = _fit(inputs, cats, types, epochs, seed, on_epoch)
    summary = {"gold": str(gold), "train_records": len(train_recs), "epochs": epochs,
               "holdout": holdout, "heldout_records": sum(len(v) for v in held.values()),
               "excluded_records": excluded, "seed": seed, "loss": loss,
               "rule_features": True, "thresholds": thresholds, "calibration": calibration,
               "label_support": {t: sum(1 for c in cats if c.get(t) == 1.0) for t in types}}
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
    if "thresholds" not in nlp.meta.get("newsgraph", {}):
        raise EventsModelError(f"{path}: an events model from an older newsgraph (no "
                               f"calibrated thresholds); retrain it with `newsgraph train events`")
    return nlp


def model_path(model: Optional[str] = None) -> Optional[str]:
    return model or os.environ.get(ENV) or None


def thresholds(model: Optional[str] = None) -> dict[str, dict]:
    """Each type's calibrated {"add", "veto"} thresholds (None: that action is off)."""
    saved = load_model(model_path(model)).meta["newsgraph"]["thresholds"]
    return {t: {k: (None if v is None else round(v, 4)) for k, v in g.items()}   # JSON floats
            for t, g in saved.items()}


def sentence_scores(texts: Iterable[str], model: Optional[str] = None) -> list[dict]:
    """The classifier's p(type) for each input (a sentence passed through `features`)."""
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


def _trigger_for(sent, t: str):
    """The word an added event of type t hangs on: the first verb or noun of the sentence
    that the rules' dictionary lists under t (the rules passed it over for lack of actors,
    context or a pattern), else the sentence's root (its main verb)."""
    from .events import lexicon

    lex = lexicon()
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.pos_ == "VERB":
            entries = lex.verbs.get(lemma, {}).values()
        elif tok.pos_ == "NOUN":
            entries = [lex.nouns[lemma]] if lemma in lex.nouns else []
        else:
            continue
        if any(e.type == t for e in entries):
            return tok
    return sent.root


def apply_events_model(doc, rec: Record, model: Optional[str] = None) -> None:
    """Add and veto events of `rec` by the classifier, within its calibrated per-type gates
    (see the module docstring); no-op without a model."""
    path = model_path(model)
    if not path or not doc.text.strip():
        return
    sents = [s for s in doc.sents if s.text.strip()]
    if not sents:
        return
    gates = thresholds(path)
    views = [rule_view(rec.events, s.start_char, s.end_char) for s in sents]
    scores = sentence_scores([features(s.text, v[0]) for s, v in zip(sents, views)], path)
    referenced = {e.part_of for e in rec.events if e.part_of}
    next_n = max([int(e.id[1:]) for e in rec.events if e.id[1:].isdigit()] + [0]) + 1
    kept, added = [], []
    for ev in rec.events:
        i = next((k for k, s in enumerate(sents)
                  if s.start_char <= ev.trigger.start < s.end_char), None)
        veto = gates.get(ev.type, {}).get("veto")
        if (i is not None and veto is not None and scores[i].get(ev.type, 1.0) < veto
                and ev.confidence <= VETO_CONFIDENCE and ev.part_of is None
                and ev.status in CLAIMED_STATUS and ev.id not in referenced):
            continue
        kept.append(ev)
    for sent, (_, present), p in zip(sents, views, scores):
        for t, prob in sorted(p.items(), key=lambda x: -x[1]):
            add = gates.get(t, {}).get("add")
            if add is None or prob < add or t in present:
                continue
            trigger = _trigger_for(sent, t)
            source, target = _arguments(trigger)
            added.append(Event(
                id=f"v{next_n}", type=t, mode=None,
                trigger=Span.of(rec.text, trigger.idx, trigger.idx + len(trigger)),
                sentence=Span.of(rec.text, sent.start_char, sent.end_char),
                source_actor=_entity_under(rec, source), target_actor=_entity_under(rec, target),
                status="asserted", confidence=round(CONFIDENCE_SCALE * prob, 2)))
            next_n += 1
    rec.events = kept + added
