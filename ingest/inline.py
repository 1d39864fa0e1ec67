"""Inline markup of report text: Markdown links and escapes, emphasis, footnote markers.

Pure functions used by the structure parser on each unit's text.
"""

from __future__ import annotations

import re

from ingest.elements import SUPERSCRIPT_DIGITS, strip_emphasis

_SUP_TAG = re.compile(r"\s?<sup>\s*(\d{1,3})\s*</sup>")
_SUPERSCRIPT = re.compile(rf"([{SUPERSCRIPT_DIGITS}]{{1,3}})")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^()]*\))*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def clean_inline(text: str) -> str:
    """Markdown links, autolinks and escapes to plain text; emphasis removed."""
    text = _MD_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return re.sub(r"[ \t]+", " ", strip_emphasis(text))


def extract_markers(text: str, plain_numbers: frozenset[int] = frozenset()) -> tuple[str, tuple[int, ...]]:
    """Remove footnote markers from `text`; return the clean text and the footnote numbers.

    Plain markers ("protect.12") are only recognised for numbers in `plain_numbers`, the
    footnotes the document prints in plain style, and only glued to a word or punctuation.
    """
    found: list[int] = []

    def take(match: re.Match[str]) -> str:
        found.append(int(match.group(1).translate(str.maketrans(SUPERSCRIPT_DIGITS, "0123456789"))))
        return ""

    text = _SUP_TAG.sub(take, text)
    text = _SUPERSCRIPT.sub(take, text)
    if plain_numbers:
        plain = re.compile(r"(?<=[A-Za-z.,;:”’\")\]])(\d{1,3})(?=[\s,.;:)]|$)")

        def take_plain(match: re.Match[str]) -> str:
            if int(match.group(1)) in plain_numbers:
                return take(match)
            return match.group(0)

        text = plain.sub(take_plain, text)
    return text, tuple(dict.fromkeys(found))
