"""Clean what a PDF's pages add to a report: running headers and footers, hyphenation.

Pure functions over strings. UN documents repeat on every page the document symbol (one
line or two: "A/69/981" over "S/2015/500"), the job number with its language and date
stamp ("15-11846 (E)    140715"), a page counter ("3/21"), "Please recycle" and a
barcode ("*1511846*", or a row of glyphs from a barcode font). A line made only of
such tokens, at the top or bottom of a page, is page furniture, not report text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_SYMBOL = r"[ASE]/(?:[A-Z]+/)*\d+(?:/[\w.]+)*"  # A/69/981, S/2015/500, A/HRC/30/L.1
_TOKENS = [
    _SYMBOL,
    r"\d{2}-\d{5}(?:\s*\([A-Z]\))?",  # job number 15-11846 (E)
    r"\d{6}",  # date stamp 140715
    r"\d{1,3}\s*/\s*\d{1,3}",  # page counter 3/21
    r"\d{1,3}",  # bare page number
    r"Please\s+recycle\s*\W?",
    r"\*[\dA-Z]{5,12}\*",  # Code 39 barcode text *1511846*
    r"United\s+Nations",
    r"/\s*\.\.\.",  # "continued" mark of old layouts
    r"English",  # old layouts: "S/1995/444" / "English" / "Page 2"
    r"Page\s+\d{1,3}",
]
_FURNITURE = re.compile(rf"^(?:(?:{'|'.join(_TOKENS)})[\s–—-]*)+$")
_HARD_BREAK = re.compile(r"[\w)\]”’]$")


def is_barcode(text: str) -> bool:
    """A row of glyphs from a barcode font: long, spaceless, mostly not letters or digits."""
    compact = "".join(text.split())
    if len(compact) < 6 or len(text.split()) > 3:
        return False
    odd = sum(1 for ch in compact if not ch.isascii() or not ch.isalnum())
    private = any(0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd" for ch in compact)
    return private or odd / len(compact) > 0.5


def is_furniture(text: str) -> bool:
    """True for a line holding only symbols, job number, page counter, recycle note or barcode.

    "United Nations" alone counts too: it is the masthead, repeated in some layouts. Only
    call this on lines in a page's top or bottom margin: "3/21" inside a paragraph is text.
    """
    text = " ".join(text.split())
    return bool(text) and (bool(_FURNITURE.match(text)) or is_barcode(text))


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


def repeated_margin_lines(pages: Sequence[Sequence[tuple[str, float]]], min_share: float = 0.4) -> set[tuple[str, int]]:
    """Margin lines (text, baseline) that recur at the same height on many pages: a running title.

    Lines are compared by shape (digits as #), so "Page 3" and "Page 4" match; the height
    must match too, so a short footnote that recurs ("Ibid.") is not taken for a header.
    """
    if len(pages) < 3:
        return set()
    counts = Counter(key for page in pages for key in {(_shape(text), round(y)) for text, y in page})
    floor = max(3, int(min_share * len(pages) + 0.999))
    return {key for key, n in counts.items() if n >= floor and len(key[0]) > 2}


def is_repeated(text: str, y: float, repeated: set[tuple[str, int]]) -> bool:
    """Whether the line `text` at baseline `y` is one of the recurring margin lines."""
    return (_shape(text), round(y)) in repeated


_WORD = re.compile(r"[A-Za-z]+(?:[-'’][A-Za-z]+)*")
_TAIL = re.compile(r"([A-Za-z]+)-$")
_HEAD = re.compile(r"^([A-Za-z]+)")
# Prefixes that keep their hyphen even when the document gives no other evidence.
HYPHEN_PREFIXES = frozenset({"non", "self", "well", "ex", "cross", "anti", "semi", "quasi", "half", "all"})


class WordStats:
    """How often the document uses each word and hyphenated compound (lower case).

    Built from whole lines only: the two halves of a word broken at a line end are left
    out, so they do not vouch for themselves.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self.counts: Counter[str] = Counter()
        previous_broken = False
        lines = list(lines)
        for line in lines:
            words = _WORD.findall(line)
            if previous_broken and words:
                words = words[1:]
            previous_broken = line.rstrip().endswith("-")
            if previous_broken and words:
                words = words[:-1]
            for word in words:
                lower = word.lower()
                self.counts[lower] += 1
                if "-" in lower:
                    self.counts.update(lower.split("-"))
        self.hyphenates = self._hyphenates(lines)

    def _hyphenates(self, lines: list[str]) -> bool:
        """Does the document break words with soft hyphens at all (Word does not, by default)?

        Yes if a word broken at a line end is found whole elsewhere, or if there are too
        few broken lines to tell; no if many are broken and none is a word the document uses.
        """
        breaks = [
            (tail.group(1), head.group(1))
            for line, following in zip(lines, lines[1:], strict=False)
            if (tail := _TAIL.search(line.rstrip())) and (head := _HEAD.match(following.strip()))
            and head.group(1)[:1].islower()
        ]
        soft = sum(1 for left, right in breaks if self[left + right] > self[f"{left}-{right}"])
        return soft > 0 or len(breaks) < 3

    def __getitem__(self, word: str) -> int:
        return self.counts[word.lower()]


def keep_hyphen(prefix: str, suffix: str, stats: WordStats) -> bool:
    """Was the hyphen in "prefix-" + "suffix" (broken at a line end) a real one?

    Joined ("implemen-"/"tation") unless the document says otherwise: the continuation
    is capitalised or not a letter ("non-State", "2014-2015"), the hyphenated form is
    the more frequent one elsewhere, or both halves are words of the document and the
    joined form never occurs ("well-being", "troop-contributing").
    """
    tail, head = _TAIL.search(prefix), _HEAD.match(suffix)
    if not tail or not head or not suffix[:1].islower():
        return True
    left, right = tail.group(1), head.group(1)
    joined, hyphenated = stats[left + right], stats[f"{left}-{right}"]
    if hyphenated or joined:
        return hyphenated > joined
    if not stats.hyphenates:
        return True
    if left.lower() in HYPHEN_PREFIXES:
        return True
    return len(left) > 1 and stats[left] > 0 and stats[right] > 0


def join_broken_lines(lines: Sequence[str], stats: WordStats) -> list[str]:
    """Repair words broken at line ends; other line breaks are kept for the parser.

    A line ending in a hyphen or dash glued to a word is joined to the next line without
    a space (the hyphen dropped for a soft break); so is a URL broken after a slash.
    """
    out: list[str] = []
    for line in lines:
        line = line.strip()
        if not out or not line:
            out.append(line)
            continue
        last = out[-1]
        if last.endswith("-") and _HARD_BREAK.search(last[:-1]):
            out[-1] = (last if keep_hyphen(last, line, stats) else last[:-1]) + line
        elif last.endswith("–") and _HARD_BREAK.search(last[:-1]):
            out[-1] = last + line
        elif last.endswith("/") and re.search(r"(?:www\.|https?:|\.\w+/)\S*$", last):
            out[-1] = last + line
        else:
            out.append(line)
    return out


# Furniture of old layouts as converters keep it, each line a block of its own.
_MASTHEAD_WORDS = re.compile(r"^(?:Distr\.?|GENERAL|General|ORIGINAL:?|Original:?|ENGLISH)$")
_DATE_ONLY = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$")


def drop_text_furniture(text: str) -> str:
    """Remove page furniture that a converter left in the text as blocks of their own.

    A block (lines between blank lines) that is only symbols, job number, page counter,
    "English" / "Page 2", or a "Distr." / "GENERAL" masthead word is dropped; so is a
    lone date right after such a block (the date of the masthead repeated on a page).
    """
    out: list[str] = []
    previous_dropped = False
    for block in re.split(r"(\n[ \t]*\n)", text):
        stripped = " ".join(block.split())
        if not stripped or block.startswith("\n"):
            out.append(block)
            continue
        lines = [" ".join(line.split()) for line in block.strip().splitlines()]
        dropped = all(
            is_furniture(line) or bool(_MASTHEAD_WORDS.match(line))
            or ((previous_dropped or i > 0) and bool(_DATE_ONLY.match(line)))
            for i, line in enumerate(lines)
        )
        if not dropped:
            out.append(block)
        previous_dropped = dropped
    return "".join(out)
