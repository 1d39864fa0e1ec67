"""Citation verification: every claim in an answer must stand in a paragraph it cites.

Markers `[n]` that point outside the sources are removed. A sentence is flagged when
it carries a number, a date, a quoted phrase or a name that none of its cited
paragraphs (footnotes included) contains, or when it carries such a claim and cites
nothing.
Flagged sentences are kept but marked (the UI shows them struck through with a
warning) rather than silently dropped: a diplomat should see what the model said and
that it is unsupported. An answer with no valid citation is not grounded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.markers import MARKER_GROUP, cited_numbers, group_numbers, marker
from assistant.numbers import number_pattern, numbers_in
from vectorstore.lexical import tokenize
from vectorstore.records import Passage

_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?:\s*\[[\d,;\s–-]+\])*(?=\s+[A-Z“\"(\-•*\d])")
_QUOTE = re.compile(r"[“\"]([^”\"]{12,}?)[”\"]")
_DECIMAL = re.compile(r"\d+\.\d+")
_FOOTNOTE_REF = re.compile(r"\b[Ff]ootnote (\d+)\b")  # a reference, checked against the cited footnotes
_COMMON_NAMES = {"UN", "SG", "R2P", "RtoP", "UNSC", "UNGA", "The", "This", "These", "However"}
_NO_BREAK = re.compile(r"^(?:paras?|e\.g|i\.e|No|Nos|Art|arts?|vol|pp?|cf|Mr|Ms|Mrs|Dr|St|[A-Z])\.$")
_NAME = re.compile(r"(?<=[a-z,;:’'\)] )(?:[A-Z][a-zA-Z’'-]{2,}|[A-Z]{2,})"
                   r"(?: (?:of |the |and |for )?(?:[A-Z][a-zA-Z’'-]+|[A-Z]{2,}))*")


@dataclass(frozen=True)
class Verification:
    """The answer with bad markers removed, cited source numbers, and flagged sentences."""

    text: str
    cited: tuple[int, ...]
    flagged: tuple[str, ...]
    removed_markers: tuple[int, ...]

    @property
    def grounded(self) -> bool:
        """At least one valid citation and no unsupported claim."""
        return bool(self.cited) and not self.flagged


def normalize(text: str) -> str:
    """Text as claims are matched: NFKC, one space, lower case, straight apostrophes."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower().replace("’", "'")


def split_answer_sentences(text: str) -> list[str]:
    """Sentences of an answer, each keeping the citation markers that follow it."""
    text = text.strip()
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[start : match.end()].strip()
        last_word = piece.rsplit(None, 1)[-1] if piece else ""
        if _NO_BREAK.search(last_word) or re.fullmatch(r"\d{1,2}\.", last_word):
            continue  # "para. 138", "e.g. the", or a list number "1." is not a sentence end
        sentences.append(piece)
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def join_sentences(sentences: list[str]) -> str:
    """Sentences back into an answer: a bulleted item ("- ...") on a line of its own.

    A sentence after a list starts a paragraph of its own; on the next line, Markdown would
    read it as part of the last item.
    """
    out = ""
    for before, sentence in zip(["", *sentences], sentences, strict=False):
        item = sentence.startswith("- ")
        out += ("\n" if item else "\n\n" if before.startswith("- ") else " ") + sentence
    return out.strip()


def claims(sentence: str) -> list[tuple[str, re.Pattern[str]]]:
    """Checkable claims of a sentence, which a cited paragraph must contain.

    Numbers (digits or words), quoted phrases, and capitalised names (not at the sentence start).
    """
    bare = MARKER_GROUP.sub("", sentence)
    found: list[tuple[str, re.Pattern[str]]] = []
    for decimal in _DECIMAL.findall(bare):  # "7.6 million" is checked as written
        found.append((decimal, re.compile(rf"(?<![\d.]){re.escape(decimal)}(?![\d])")))
    bare_numbers = _DECIMAL.sub(" ", bare)
    for start, end, value in numbers_in(bare_numbers.lower()):
        if value < 2 and not bare_numbers[start:end].isdigit():
            continue  # "one of the..." is not a figure
        found.append((bare_numbers[start:end], re.compile(number_pattern(value))))
    for quote in _QUOTE.findall(bare):
        found.append((f"“{quote}”", re.compile(re.escape(normalize(quote)))))
    for name in _NAME.findall(bare):  # names: "the Treaty of Versailles" must be in the source
        for word in re.findall(r"[A-Z][a-zA-Z’'-]{2,}|[A-Z]{2,}", name):
            if word in _COMMON_NAMES:
                continue
            stem = re.sub(r"[’']s$", "", word).lower()
            found.append((word, re.compile(rf"\b{re.escape(stem[: max(4, len(stem) - 2)])}")))
    return found


def footnote_numbers(passage: Passage) -> set[int]:
    """The footnotes a passage carries, or is ("fn3")."""
    label = passage.unit.label
    own = {int(label[2:])} if label.startswith("fn") and label[2:].isdigit() else set()
    return own | {n for n, _ in passage.footnote_texts}


def source_text(passage: Passage) -> str:
    """A passage's text, footnotes, reference and year, normalised for matching claims."""
    # The report's own year and reference count as support ("the 2015 report says ...").
    unit = passage.unit
    meta = [unit.citation, str(unit.year or ""), unit.label]
    return normalize(" ".join([unit.text, *(t for _, t in passage.footnote_texts), *meta]))


ATTRIBUTION_MIN_OVERLAP = 0.5  # share of a sentence's content words found in the source


def attribute(answer: str, sources: list[Passage] | tuple[Passage, ...]) -> str:
    """Add a marker to each uncited sentence whose words come mostly from one source.

    Small local models often answer from the sources without writing `[n]`; the
    pipeline then supplies the citation, but only where a source clearly carries the
    sentence (the claims are still verified against it afterwards).
    """
    source_tokens = [set(tokenize(source_text(p))) for p in sources]
    out = []
    for sentence in split_answer_sentences(answer):
        words = set(tokenize(MARKER_GROUP.sub("", sentence)))
        if MARKER_GROUP.search(sentence) or len(words) < 3:
            out.append(sentence)
            continue
        overlaps = [len(words & tokens) / len(words) for tokens in source_tokens]
        best = max(range(len(overlaps)), key=overlaps.__getitem__, default=None)
        if best is not None and overlaps[best] >= ATTRIBUTION_MIN_OVERLAP:
            sentence = f"{sentence} [{best + 1}]"
        out.append(sentence)
    return join_sentences(out)


def verify(answer: str, sources: list[Passage] | tuple[Passage, ...]) -> Verification:
    """Check markers and claims of `answer` against the numbered `sources` (1-based)."""
    valid = range(1, len(sources) + 1)
    removed: list[int] = []

    def keep_valid(match: re.Match[str]) -> str:
        numbers = group_numbers(match.group(1))
        good = [n for n in numbers if n in valid]
        removed.extend(n for n in numbers if n not in valid)
        return "".join(marker(n) for n in dict.fromkeys(good))

    text = MARKER_GROUP.sub(keep_valid, answer).strip()
    texts = [source_text(p) for p in sources]
    notes = [footnote_numbers(p) for p in sources]
    cited: list[int] = []
    flagged: list[str] = []
    for sentence in split_answer_sentences(text):
        markers = cited_numbers(sentence)
        cited.extend(markers)
        support = " ".join(texts[n - 1] for n in markers)
        # "Footnote 20" must be a footnote of a cited paragraph, not a figure found in its text.
        refs = {int(n) for n in _FOOTNOTE_REF.findall(sentence)} - {f for n in markers for f in notes[n - 1]}
        if refs or any(not pattern.search(support) for _, pattern in claims(_FOOTNOTE_REF.sub("footnote", sentence))):
            flagged.append(sentence)
    return Verification(text, tuple(dict.fromkeys(cited)), tuple(flagged), tuple(dict.fromkeys(removed)))
