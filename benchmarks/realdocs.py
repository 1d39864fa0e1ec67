"""Measure ingestion on the real UN files in tests/fixtures/realdocs/ (see its README).

Run: `python -m benchmarks.realdocs`. One row per file: the symbol, date and title found
against those printed on the document's first page, numbered paragraphs and footnotes
against the README, units that carry page furniture (running headers, job numbers), and
for a PDF with its Word original beside it, the share of its paragraphs and footnotes
identical to the Word text after whitespace normalisation and within 2% edit distance.
`tests/test_realdocs.py` asserts the same numbers.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError
from ingest.loader import load_document
from ingest.records import Document, UnitKind

REALDOCS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "realdocs"


@dataclass(frozen=True)
class Expected:
    """What the document itself prints (first page) and the README's counts."""

    symbol: str
    date: str
    title: str  # as printed, compared without regard to case or spacing
    paragraphs: int
    footnotes: int
    refused: bool = False


_SOMALIA = ("Budget performance for the period from 1 July 2024 to 30 June 2025 and budget for the period from "
            "1 July 2026 to 30 June 2027 for the United Nations Support Office in Somalia")
_UNDOF = ("Budget performance for the period from 1 July 2024 to 30 June 2025 and budget for the period from "
          "1 July 2026 to 30 June 2027 for the United Nations Disengagement Observer Force")
_UNPROFOR = "Report of the Secretary-General pursuant to Security Council resolutions 982 (1995) and 987 (1995)"
EXPECTED: dict[str, Expected] = {
    "A_80_628.pdf": Expected("A/80/628", "2026-02-09", _SOMALIA, 100, 7),
    "A_80_628.docx": Expected("A/80/628", "2026-02-09", _SOMALIA, 100, 7),
    "A_80_604_Add.1.pdf": Expected("A/80/604/Add.1", "2026-04-07", _UNDOF, 44, 2),
    "A_80_604_Add.1.docx": Expected("A/80/604/Add.1", "2026-04-07", _UNDOF, 44, 2),
    "S_2013_72.pdf": Expected(
        "S/2013/72", "2013-02-04",
        "Report of the Secretary-General on the United Nations Interim Administration Mission in Kosovo", 70, 0),
    "S_1995_444.pdf": Expected("S/1995/444", "1995-05-30", _UNPROFOR, 82, 0),
    "S_1995_444.docling-style-conversion.md": Expected("S/1995/444", "1995-05-30", _UNPROFOR, 82, 0),
    "A_79_785-S_2025_94.pdf": Expected(
        "A/79/785–S/2025/94", "2025-02-13",
        "Letter dated 13 February 2025 from the Permanent Representative of Armenia to the United Nations "
        "addressed to the Secretary-General", 0, 0),
    "A_45_696_Add.1_scan-no-text-layer.pdf": Expected("A/45/696/Add.1", "", "", 0, 0, refused=True),
}

# Page furniture that must never reach a unit: job numbers, "English Page 2", a symbol
# with a page counter, the recycle note, barcode text.
FURNITURE_IN_TEXT = re.compile(
    r"\b\d{2}-\d{5}\s*\([A-Z]\)|\bEnglish\s+Page\s+\d+|\b[AS]/\d+/\d+(?:/Add\.\d+)?\s+\d{1,3}/\d{1,3}\b"
    r"|\b\d{1,3}/\d{1,3}\s+\d{2}-\d{5}\b|Please\s+recycle|\*\d{7}\*"
)


def normalise(text: str) -> str:
    """Whitespace collapsed: the only difference the comparison forgives."""
    return " ".join(text.split())


def within_edit_distance(a: str, b: str, share: float = 0.02) -> bool:
    """Is the Levenshtein distance of `a` and `b` at most `share` of the longer one (banded DP)?"""
    limit = int(share * max(len(a), len(b)))
    if abs(len(a) - len(b)) > limit:
        return False
    big = limit + 1
    previous = {j: j for j in range(min(len(b), limit) + 1)}
    for i in range(1, len(a) + 1):
        current = {}
        for j in range(max(0, i - limit), min(len(b), i + limit) + 1):
            if j == 0:
                current[j] = i
                continue
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous.get(j, big) + 1, current.get(j - 1, big) + 1, previous.get(j - 1, big) + cost)
        if min(current.values()) > limit:
            return False
        previous = current
    return previous.get(len(b), big) <= limit


def compared_units(document: Document) -> dict[str, str]:
    """Numbered paragraphs and footnotes by label: the units a PDF and its Word file share."""
    kinds = (UnitKind.NUMBERED, UnitKind.FOOTNOTE)
    return {u.label: normalise(u.text) for u in document.units if u.kind in kinds}


def compare(pdf: Document, word: Document) -> tuple[float, float, list[str]]:
    """(share identical, share within 2% edit distance, labels that differ) over the Word units."""
    ours, theirs = compared_units(pdf), compared_units(word)
    identical = [label for label, text in theirs.items() if ours.get(label) == text]
    close = [label for label, text in theirs.items() if within_edit_distance(ours.get(label, ""), text)]
    differ = [label for label in theirs if label not in identical]
    return len(identical) / max(1, len(theirs)), len(close) / max(1, len(theirs)), differ


def furniture_leaks(document: Document) -> list[str]:
    """Labels of units whose text carries page furniture."""
    return [u.label for u in document.units if FURNITURE_IN_TEXT.search(u.text)]


def _same_title(found: str, expected: str) -> bool:
    return normalise(found).casefold() == normalise(expected).casefold()


def row(name: str) -> dict[str, object]:
    """Measurements for one file of the realdocs folder."""
    expected = EXPECTED[name]
    start = time.perf_counter()
    try:
        doc = load_document(REALDOCS / name)
    except IngestError as exc:
        return {"file": name, "refused": exc.reason[:60], "ok": expected.refused}
    seconds = time.perf_counter() - start
    meta = doc.meta
    numbers = [u.number for u in doc.units if u.kind is UnitKind.NUMBERED]
    out: dict[str, object] = {
        "file": name, "seconds": seconds, "symbol": meta.symbol, "symbol_ok": meta.symbol == expected.symbol,
        "date_ok": meta.date == expected.date, "title_ok": _same_title(meta.title, expected.title),
        "paras": len(numbers), "paras_ok": numbers == list(range(1, expected.paragraphs + 1)),
        "footnotes": doc.count(UnitKind.FOOTNOTE), "leaks": len(furniture_leaks(doc)),
    }
    word = REALDOCS / name.replace(".pdf", ".docx")
    if name.endswith(".pdf") and word.exists():
        out["identical"], out["close"], _ = compare(doc, load_document(word))
    return out


def main() -> None:
    """Print the per-file table."""
    head = f"{'file':40} {'symbol':20} {'sym':3} {'date':4} {'title':5} {'paras':>5} {'fns':>3} {'leak':>4} "
    print(head + f"{'ident':>6} {'<=2%':>6} {'sec':>5}")
    for name in EXPECTED:
        r = row(name)
        if "refused" in r:
            print(f"{name:40} refused: {r['refused']}")
            continue
        mark = {True: "ok", False: "NO"}
        same = f"{r['identical']:6.1%} {r['close']:6.1%}" if "identical" in r else f"{'-':>6} {'-':>6}"
        print(f"{name:40} {r['symbol']!s:20} {mark[r['symbol_ok']]:3} {mark[r['date_ok']]:4} {mark[r['title_ok']]:5} "
              f"{r['paras']!s:>5}{'' if r['paras_ok'] else '!'} {r['footnotes']!s:>3} {r['leaks']!s:>4} {same} "
              f"{r['seconds']:5.1f}")


if __name__ == "__main__":
    main()
