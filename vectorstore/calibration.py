"""What the code must know about one embedder's similarity scale, in one record per embedder.

Cosine similarities are not comparable across embedders: the collection-tuned MiniLM
spreads them lower than the packaged MiniLM (its weakest answerable dev question scores
0.22, MiniLM's 0.34), and it earns more trust where a question is worded otherwise than its
paragraph. Each value below was measured on the eval sets (evals/HISTORY.md, the round named); an
embedder nobody measured gets MiniLM's values.
"""

from __future__ import annotations

from dataclasses import dataclass

from vectorstore.tuning import BASE_EMBEDDER, TUNED_EMBEDDER


@dataclass(frozen=True)
class Calibration:
    """One embedder's figures for the store, the fusion and the abstention decision."""

    # Vector size, known without loading the model (None: ask the loaded model).
    dim: int | None = None
    # Appended to the collection prefix, so that stores of different embedders live side by side.
    collection_suffix: str = ""
    # Below this best window similarity, no paragraph is close to the question: abstain.
    dense_floor: float = 0.30
    # Dense similarity's weight in the fusion when BM25 finds under `WEAK_LEXICAL` of the
    # question's words (a paraphrase; 0.6 otherwise).
    paraphrase_dense_weight: float = 0.8
    # Below this best window similarity, an answer whose cited paragraphs hold few of the
    # question's words carries a caution (`assistant.abstain.caution`): twice the floor.
    caution_similarity: float = 0.60


MINILM = Calibration(dim=384)  # first round; MiniLM lost at 0.9 (tenth round); caution: sixteenth round
CALIBRATIONS = {
    BASE_EMBEDDER: MINILM,
    "all-MiniLM-L6-v2": MINILM,
    # Floor: eighth round. Paraphrase weight: tenth round (1.0 lost a probe3 list). Caution: sixteenth round.
    TUNED_EMBEDDER: Calibration(dim=384, collection_suffix="_tuned", dense_floor=0.20, paraphrase_dense_weight=0.9,
                                caution_similarity=0.40),
}


def calibration(model_name: str) -> Calibration:
    """The calibration of the embedder `model_name`; MiniLM's figures for one nobody measured."""
    return CALIBRATIONS.get(model_name, Calibration())
