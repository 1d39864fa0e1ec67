"""Real UN files, as the UN publishes them (tests/fixtures/realdocs/README.md says what each is).

Expected values come from the documents themselves: the symbol, date and title printed on
the first page, and the paragraph and footnote counts in the README. For the two PDFs
that have the UN's Word original beside them, each numbered paragraph and footnote read
from the PDF is compared with the same one read from the Word file.
"""

from __future__ import annotations

import pytest

from benchmarks.realdocs import EXPECTED, REALDOCS, compare, furniture_leaks, normalise
from ingest.errors import IngestError
from ingest.loader import load_document
from ingest.masthead import read_masthead
from ingest.records import UnitKind

READABLE = [name for name, expected in EXPECTED.items() if not expected.refused]
PAIRS = ["A_80_628", "A_80_604_Add.1"]


@pytest.fixture(scope="module")
def docs():
    return {name: load_document(REALDOCS / name) for name in READABLE}


@pytest.mark.parametrize("name", READABLE)
def test_symbol_date_and_title_are_those_printed_on_the_first_page(docs, name):
    meta, expected = docs[name].meta, EXPECTED[name]
    assert (meta.symbol, meta.date) == (expected.symbol, expected.date)
    assert meta.doc_id == expected.symbol.split("–")[0]
    assert normalise(meta.title).casefold() == normalise(expected.title).casefold()
    assert meta.source == "detected"


@pytest.mark.parametrize("name", READABLE)
def test_numbered_paragraphs_and_footnotes_are_exact(docs, name):
    doc, expected = docs[name], EXPECTED[name]
    assert [u.number for u in doc.units if u.kind is UnitKind.NUMBERED] == list(range(1, expected.paragraphs + 1))
    labels = [u.label for u in doc.units if u.kind is UnitKind.FOOTNOTE]
    assert labels == [f"fn{n}" for n in range(1, expected.footnotes + 1)]


@pytest.mark.parametrize("name", READABLE)
def test_no_running_header_or_job_number_in_any_unit(docs, name):
    assert furniture_leaks(docs[name]) == []


@pytest.mark.parametrize("pair", PAIRS)
def test_pdf_paragraphs_are_the_word_originals_text(docs, pair):
    identical, close, differ = compare(docs[f"{pair}.pdf"], docs[f"{pair}.docx"])
    assert identical >= 0.95, differ
    assert close >= 0.99, differ


def test_the_scan_without_text_is_refused_with_its_reason():
    with pytest.raises(IngestError) as caught:
        load_document(REALDOCS / "A_45_696_Add.1_scan-no-text-layer.pdf")
    assert "has no text layer (a scanned PDF?)" in caught.value.reason


def test_tables_are_blocks_of_their_own_not_paragraph_endings(docs):
    doc = docs["A_80_604_Add.1.pdf"]
    # a table printed between the two halves of paragraph 19 stays out of it
    assert doc.unit("19").text.endswith("acknowledges the continued non-budgeted contributions to UNDOF.")
    assert doc.unit("23").text.endswith("proposals of the Secretary-General for military and police personnel.")
    tables = [u for u in doc.units if u.kind is UnitKind.BLOCK and ", table " in u.label]
    assert tables and any("Military contingent personnel" in u.text for u in tables)
    # lettered table notes are neither footnotes nor paragraph text
    kosovo = docs["S_2013_72.pdf"]
    assert kosovo.count(UnitKind.FOOTNOTE) == 0


def test_bold_recommendations_stay_inside_their_paragraph(docs):
    text = docs["A_80_604_Add.1.pdf"].unit("6").text
    assert text.endswith("The Advisory Committee trusts that the recommendations will be implemented in a timely "
                         "manner.")


def test_markdown_conversion_with_list_item_paragraphs(docs):
    md, pdf = docs["S_1995_444.docling-style-conversion.md"], docs["S_1995_444.pdf"]
    assert md.unit("1").text.startswith("In paragraph 11 of its resolution 982 (1995) of 31 March 1995")
    # paragraph 75 is broken by the page furniture the converter kept ("S/1995/444", "English", "Page 22")
    assert "mission impossible" in md.unit("75").text and "English" not in md.unit("75").text
    assert normalise(pdf.unit("75").text) == normalise(md.unit("75").text)


def test_a_letter_is_prose_blocks_with_its_joint_symbol(docs):
    doc = docs["A_79_785-S_2025_94.pdf"]
    assert doc.meta.kind == "letter" and doc.count(UnitKind.NUMBERED) == 0
    assert any(u.text.startswith("I am transmitting herewith the summary report") for u in doc.units)


@pytest.mark.parametrize(
    ("first_page", "expected"),
    [
        # extraction spacing as a run-based reader gives it
        ("United Nations A /79/785 - S /2025/94\nGeneral Assembly Distr.: General\n1 3 February 2025\n"
         "Letter dated 13 February 2025 from the Permanent Representative of Armenia addressed to the Secretary - "
         "General", ("A/79/785–S/2025/94", "2025-02-13", "letter",
                     "Letter dated 13 February 2025 from the Permanent Representative of Armenia addressed to the "
                     "Secretary-General")),
        # joint symbol on two lines; a symbol and a date quoted in the text are not the document's
        ("United Nations\nA/69/981\nS/2015/500\nGeneral Assembly Security Council Distr.: General\n13 July 2015\n"
         "A vital and enduring commitment\nReport of the Secretary-General\n"
         "1. In its letter of 22 March 1995 (S/1995/216) the Council asked for a report on the situation.",
         ("A/69/981–S/2015/500", "2015-07-13", "report of the Secretary-General", "A vital and enduring commitment")),
        # a Word file: its page header lines, then paragraphs with their wraps
        ("A/80/628\nA/80/628 26-01563\n\nGeneral Assembly\n\nDistr.: General\n9 February 2026\n\n"
         "Budget performance for the period\nfrom 1 July 2024\n\nReport of the Secretary-General",
         ("A/80/628", "2026-02-09", "report of the Secretary-General",
          "Budget performance for the period from 1 July 2024")),
        # no masthead symbol at all: none is made up from the text
        ("Children and armed conflict\n\n1. The present report, submitted pursuant to resolution 2427 (2018) "
         "(see S/2024/384), covers the period.", ("", "", "", "Children and armed conflict")),
    ],
)
def test_masthead_reading_is_robust_to_extraction_and_layout(first_page, expected):
    head = read_masthead(first_page)
    assert (head.symbol, head.date, head.kind, head.title) == expected


@pytest.mark.parametrize("name", ["A_80_628.pdf", "A_80_628.docx"])
def test_the_summary_box_on_the_first_page_is_read_as_the_summary(docs, name):
    summary = docs[name].unit("Summary, ¶1")
    assert summary is not None and summary.text.startswith("The present report contains the budget performance")
