"""Read a UN document's masthead: its symbol, date, title and kind, from the first page.

Pure functions over the first page's text (one line per block, as the readers give it).
UN documents print the symbol at the top right ("A/80/628", a joint "A/79/785–S/2025/94"
on one line or two), "Distr.: General" and the date beside or under it, then the agenda
item, the title, and the line saying what the document is ("Report of the
Secretary-General", "Letter dated ... addressed to the Secretary-General"). Only the
masthead is searched for the symbol: a symbol quoted in the text ("(S/1995/216)") is
never taken for the document's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(MONTHS)})\s+(\d{{4}})\b", re.I)
_ONE_SYMBOL = r"[ASE]/(?:(?:RES|HRC|PRST|AC\.\d+|C\.\d+|CN\.\d+)/)?\d{1,4}/[\w.]+(?:/(?:Add|Corr|Rev)\.\d+)*"
_SYMBOL = re.compile(rf"(?<![\w/])({_ONE_SYMBOL})(?:\s*[–—-]?\s*({_ONE_SYMBOL}))?(?![\w/])")
# Extraction may space out a symbol: "A /80/628", "S / 2025 / 389".
_SPACED_SLASH = re.compile(r"(?<=[A-Z0-9.])\s*/\s*(?=[A-Z0-9])")
_SPLIT_DAY = re.compile(rf"^(\d) (\d) (?=(?:{'|'.join(MONTHS)}) \d{{4}})")  # "1 3 February 2025"
_SPACED_HYPHEN = re.compile(r"(?<=\w) - (?=\w)")
_DISTR = re.compile(r"\bDistr\.?\s*:?\s*(?:General|GENERAL|Limited|LIMITED|Restricted|RESTRICTED)?")
_KIND = re.compile(
    r"^(?:(?P<report>(?:report|note) (?:of|by) the (?:Secretary[- ]General|Advisory Committee on Administrative "
    r"and Budgetary Questions|[A-Z][\w ,-]{3,80}?))(?P<rest>\b.*)?|(?P<letter>(?:identical )?letters? dated .*))$",
    re.I,
)
_NOT_TITLE = re.compile(
    r"^(?:agenda items?\b.*|.*\bsession\b.*|.*\byear$|original:.*|distr\..*|united nations|general assembly"
    r"|security council|economic and social council|english|\*.*\*)$",
    re.I,
)
_AGENDA_PREFIX = re.compile(r"^(?:provisional )?agenda items? [\d, ()a-z]+?(?:and \d+(?: \([a-z]\))?)?\s+(?=[A-Z])")
_MASTHEAD_LINES = 12  # the symbol block is within the first lines, or it is not there


@dataclass(frozen=True)
class Masthead:
    """What the first page says about the document; empty strings where it says nothing."""

    symbol: str = ""  # as printed, joint symbols joined by an en dash
    short_symbol: str = ""  # the first symbol: the document's id
    date: str = ""  # ISO yyyy-mm-dd
    title: str = ""
    kind: str = ""  # "report of the Secretary-General", "letter", ...


def normalise_symbols(text: str) -> str:
    """Close up spaces that extraction put around the slashes of symbols."""
    return _SPACED_SLASH.sub("/", text)


def _iso(match: re.Match[str]) -> str:
    day, month, year = match.groups()
    return f"{year}-{[m.lower() for m in MONTHS].index(month.lower()) + 1:02d}-{int(day):02d}"


def _symbol_block(lines: list[str]) -> list[str]:
    """The lines where the symbol and date are printed: up to a few lines after "Distr."."""
    distr = next((i for i, line in enumerate(lines[:_MASTHEAD_LINES * 2]) if _DISTR.search(line)), None)
    if distr is None:
        return lines[:_MASTHEAD_LINES]
    return lines[: distr + 4]


def _masthead_line(line: str) -> bool:
    """A short line of the symbol block, not a sentence of the text that quotes a symbol or date."""
    return len(line) <= 60 or line.lower().startswith("united nations") or bool(_DISTR.search(line))


def find_symbol(lines: list[str]) -> tuple[str, str]:
    """(symbol as printed, first symbol) from the masthead; ("", "") if it shows none."""
    block = _symbol_block(lines)
    for i, line in enumerate(block):
        match = _SYMBOL.search(line) if _masthead_line(line) else None
        if not match:
            continue
        first, second = match.group(1), match.group(2)
        if second is None and i + 1 < len(block):  # the second symbol of a joint document on the next line
            below = _SYMBOL.fullmatch(block[i + 1].strip())
            second = below.group(1) if below else None
        if second is not None and second[0] == first[0]:  # a joint document is of two organs (A and S)
            second = None
        return (f"{first}–{second}" if second else first), first
    return "", ""


def find_title(lines: list[str]) -> tuple[str, str]:
    """(title, kind): the line naming the kind of document, and the title printed before it."""
    for i, line in enumerate(lines[:40]):
        match = _KIND.match(line.strip(" .*#"))
        if not match:
            continue
        if match.group("letter"):
            return line.strip(" .*#"), "letter"
        kind = _kind(match.group("report"))
        if (match.group("rest") or "").strip():  # "Report of the Secretary-General on the situation in ..."
            return line.strip(" .*#"), kind
        title = _title_before(lines[:i])
        return title, kind
    return "", ""


def _kind(text: str) -> str:
    """The kind of report: of the Secretary-General, of the Advisory Committee, or just "report"."""
    words = text.split()
    if re.fullmatch(r"secretary[- ]general", words[-1], re.I):
        return f"{words[0].lower()} {words[1].lower()} the Secretary-General"
    if "advisory committee" in text.lower():
        return "report of the Advisory Committee on Administrative and Budgetary Questions"
    return words[0].lower()


def _title_before(lines: list[str]) -> str:
    for line in reversed(lines):
        text = _AGENDA_PREFIX.sub("", line.strip(" .*#"))
        if _NOT_TITLE.match(text) or _DATE.search(text) and len(text) < 40 or _SYMBOL.search(text):
            return ""
        if len(text) > 3:
            return text
    return ""


def _lines(text: str) -> list[str]:
    """The first lines, one per block: text with blank lines between paragraphs has its wraps joined."""
    head = text[:6000]
    if "\n\n" in head:
        chunks = [" ".join(chunk.split("\n")) for chunk in re.split(r"\n[ \t]*\n", head)]
    else:
        chunks = head.splitlines()
    return [chunk for chunk in chunks[:120] if chunk.strip(" #*\t-")]


def read_masthead(text: str) -> Masthead:
    """The masthead facts in the first lines of `text` (a first page, or a converted document)."""
    lines = [normalise_symbols(_SPLIT_DAY.sub(r"\1\2 ", ln.strip(" #*\t"))) for ln in _lines(text)]
    symbol, short = find_symbol(lines)
    block = _symbol_block(lines)
    date = next((_iso(m) for line in block if _masthead_line(line) and (m := _DATE.search(line))), "")
    title, kind = find_title(lines)
    title = _SPACED_HYPHEN.sub("-", title or _first_title_like(lines))  # "Secretary - General" as extracted
    return Masthead(symbol, short, date, title, kind)


def _first_title_like(lines: list[str]) -> str:
    """Without a "Report of ..." line: the first line that reads like a title (a heading, say)."""
    for line in lines[:20]:
        text = line.strip(" .*#")
        masthead = _NOT_TITLE.match(text) or _DISTR.search(text) or _SYMBOL.search(text) or _DATE.search(text)
        if 15 <= len(text) <= 200 and not masthead and not re.match(r"\d{1,3}\.\s", text):
            return text
    return ""


_FILE_SYMBOL = re.compile(r"^([ASE](?:_[A-Z]+)?_\d{1,4}_\d{1,4}(?:_(?:Add|Corr|Rev)\.\d+)*)(?:[-–]([ASE]_\d{4}_\d+))?")


def symbol_from_filename(stem: str) -> str:
    """A symbol spelt in a file name as the UN's systems save it: "A_80_604_Add.1" -> "A/80/604/Add.1"."""
    match = _FILE_SYMBOL.match(stem)
    if not match:
        return ""
    first = match.group(1).replace("_", "/")
    return f"{first}–{match.group(2).replace('_', '/')}" if match.group(2) else first
