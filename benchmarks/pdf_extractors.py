"""Compare PDF text-extraction libraries on the real UN PDFs that have their Word original.

Run: `python -m benchmarks.pdf_extractors`. For each library and PDF/DOCX pair it prints
the time, the share of the Word paragraphs' words that the PDF text reproduces as whole
words ("recall"), and the share of the PDF text's words that are words of the Word file
("precision": split words such as "So uth" or "conflict - related" lower it). Line-end
hyphens are undone the same way for every library (joined when the joined word is in
the Word vocabulary), so the numbers measure the extraction, not our cleaning.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "realdocs"
PAIRS = ["A_80_628", "A_80_604_Add.1"]
_WORD = re.compile(r"[\w’'-]+|[^\w\s]")


def _docx_words(path: Path) -> Counter[str]:
    import docx

    document = docx.Document(str(path))
    words: Counter[str] = Counter()
    for p in document.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        text = "".join(t.text or "" for t in p.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
        words.update(_WORD.findall(text))
    return words


def _pypdf(path: Path) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def _pypdf_layout(path: Path) -> str:
    import pypdf

    return "\n".join(page.extract_text(extraction_mode="layout") for page in pypdf.PdfReader(path).pages)


def _pdfium(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    return "\n".join(pdf[i].get_textpage().get_text_range().replace("\ufffe", "-") for i in range(len(pdf)))


def _pdfplumber(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


LIBRARIES: dict[str, Callable[[Path], str]] = {
    "pypdf 7 (plain)": _pypdf,
    "pypdf 7 (layout)": _pypdf_layout,
    "pypdfium2": _pdfium,
    "pdfplumber": _pdfplumber,
}


def _pdf_words(text: str, vocabulary: Counter[str]) -> Counter[str]:
    lines = [line.strip() for line in text.splitlines()]
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1].endswith("-"):
            head, _, rest = line.partition(" ")
            tail = joined[-1].rsplit(" ", 1)[-1]
            if (tail[:-1] + head) in vocabulary:
                joined[-1] = joined[-1][:-1] + line
                continue
            joined[-1] += line
            continue
        joined.append(line)
    return Counter(_WORD.findall(" ".join(joined)))


def measure(pair: str, name: str) -> tuple[float, float, float]:
    """(seconds, recall, precision) of one library on one pair."""
    reference = _docx_words(ROOT / f"{pair}.docx")
    start = time.perf_counter()
    text = LIBRARIES[name](ROOT / f"{pair}.pdf")
    seconds = time.perf_counter() - start
    words = _pdf_words(text, reference)
    common = sum((words & reference).values())
    return seconds, common / sum(reference.values()), common / max(1, sum(words.values()))


def main() -> None:
    """Print one row per library and file."""
    print(f"{'library':18} {'file':16} {'seconds':>8} {'recall':>7} {'precision':>9}")
    for name in LIBRARIES:
        for pair in PAIRS:
            try:
                seconds, recall, precision = measure(pair, name)
            except ImportError as exc:  # pdfplumber is not a dependency: `pip install pdfplumber` to compare
                print(f"{name:18} {pair:16} not installed ({exc.name})")
                continue
            print(f"{name:18} {pair:16} {seconds:8.2f} {recall:7.1%} {precision:9.1%}")


if __name__ == "__main__":
    main()
