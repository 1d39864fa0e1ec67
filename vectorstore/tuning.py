"""The collection-tuned embedder: MiniLM fine-tuned on questions about the reports' paragraphs.

The packaged all-MiniLM-L6-v2 learned its sense of "similar" from web text. The file
`data/tuning/questions.jsonl` holds 1,339 questions that the `local` model
(Qwen2.5-Coder-1.5B) wrote for the paragraphs, footnotes and summary items of the four
bundled reports, about five each; no evaluation question is among them. One pass of
contrastive training (each question must pick its own paragraph out of the 32 in its
batch) teaches the embedder how people ask about these paragraphs. Recall rose on all six
eval sets (evals/HISTORY.md, eighth round); it takes about 5 minutes on 2 cores.

Reports added later are embedded with the tuned model too; how much it helps on reports
it was not tuned on is not measured. The fixed seed and order make a run repeatable on
one machine; other CPUs may differ in the last digits.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.loader import load_document

TUNED_EMBEDDER = "r2p-minilm-tuned"
BASE_EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"
QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "tuning" / "questions.jsonl"
BATCH = 32
MIN_BATCH = 8  # a last batch smaller than this is dropped: too few negatives to learn from
LEARNING_RATE = 2e-5
SCALE = 20.0  # cosine similarities times this are the logits
SEED = 0
MIN_PAIRS = 100


def tuned_path(models_dir: Path) -> Path:
    """Where the tuned embedder is kept."""
    return models_dir / TUNED_EMBEDDER


def training_pairs(report_files: Iterable[Path], questions: Path = QUESTIONS) -> list[tuple[str, str]]:
    """(question, paragraph text) for each question whose paragraph is in `report_files`."""
    texts: dict[tuple[str, str], str] = {}
    for path in report_files:
        document = load_document(path)
        texts.update({(document.meta.doc_id, unit.label): unit.text for unit in document.units})
    pairs = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if text := texts.get((record["doc"], record["para"])):
            pairs += [(question, text) for question in record["questions"]]
    return pairs


def _batches(pairs: list[tuple[str, str]], rng: random.Random) -> list[list[tuple[str, str]]]:
    """Shuffled batches in which no paragraph appears twice (it would be its own negative)."""
    queue = list(pairs)
    rng.shuffle(queue)
    batches = []
    while queue:
        batch, seen, later = [], set(), []
        for question, text in queue:
            if len(batch) < BATCH and text not in seen:
                batch.append((question, text))
                seen.add(text)
            else:
                later.append((question, text))
        if len(batch) < MIN_BATCH:
            break
        batches.append(batch)
        queue = later
    return batches


def tune(pairs: list[tuple[str, str]], out_dir: Path, on_step: Callable[[int, int], None] | None = None) -> Path:
    """Fine-tune the packaged MiniLM on `pairs` and save it to `out_dir` (replaced whole)."""
    import torch

    from vectorstore.embedder import load_model

    torch.manual_seed(SEED)
    model = load_model(BASE_EMBEDDER)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    batches = _batches(pairs, random.Random(SEED))

    def encode(texts: list[str]):
        features = model.preprocess(texts)
        return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)

    model.train()
    for step, batch in enumerate(batches, 1):
        questions, paragraphs = encode([q for q, _ in batch]), encode([t for _, t in batch])
        loss = torch.nn.functional.cross_entropy(SCALE * questions @ paragraphs.T, torch.arange(len(batch)))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if on_step:
            on_step(step, len(batches))
    partial = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save(str(partial))
    shutil.rmtree(out_dir, ignore_errors=True)
    partial.rename(out_dir)
    return out_dir
