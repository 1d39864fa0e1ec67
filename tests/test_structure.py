"""The structure parser on the real bundled reports and on small hand-made texts."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from assistant.settings import BUNDLED_REPORTS
from ingest.loader import load_document
from ingest.records import UnitKind
from ingest.structure import extract_markers, parse_units
from tests.conftest import REPO

FILES = {
    "A/66/874": "2012-A-66-874-timely-and-decisive-response.txt",
    "A/69/981": "2015-A-69-981-vital-and-enduring-commitment.txt",
    "A/70/999-summary": "2016-A-70-999-summary-mobilizing-collective-action.txt",
    "A/71/1016": "2017-A-71-1016-accountability-for-prevention.txt",
}


@pytest.fixture(scope="module")
def docs():
    return {doc_id: load_document(BUNDLED_REPORTS / name) for doc_id, name in FILES.items()}


@pytest.mark.parametrize(
    ("doc_id", "paragraphs", "footnotes"),
    [("A/66/874", 61, 4), ("A/69/981", 75, 23), ("A/71/1016", 47, 23), ("A/70/999-summary", 0, 0)],
)
def test_exact_counts_on_bundled_reports(docs, doc_id, paragraphs, footnotes):
    doc = docs[doc_id]
    numbers = [u.number for u in doc.units if u.kind is UnitKind.NUMBERED]
    assert numbers == list(range(1, paragraphs + 1))
    assert doc.count(UnitKind.FOOTNOTE) == footnotes
    assert [u.label for u in doc.units if u.kind is UnitKind.FOOTNOTE] == [f"fn{n}" for n in range(1, footnotes + 1)]


def test_metadata_comes_from_the_manifest(docs):
    meta = docs["A/69/981"].meta
    assert (meta.symbol, meta.date, meta.year) == ("A/69/981–S/2015/500", "2015-07-13", 2015)
    assert meta.title.startswith("A vital and enduring commitment")


@pytest.mark.parametrize(
    ("doc_id", "label", "start", "end"),
    [
        # interrupted by a page break and footnotes 1-3, resumes mid-sentence
        ("A/69/981", "5", "The importance of the responsibility to protect",
         "full implementation of the principle by the European Union."),
        ("A/69/981", "8", "Over the past 10 years", None),
        ("A/66/874", "2", "My first report, issued in 2009", None),
        ("A/71/1016", "4", "Beyond the United Nations", None),
        ("A/66/874", "20", "In terms of the overall strategy", None),
    ],
)
def test_paragraphs_are_stitched_across_page_breaks(docs, doc_id, label, start, end):
    unit = docs[doc_id].unit(label)
    assert unit.text.startswith(start)
    if end:
        assert unit.text.endswith(end)


def test_stitched_text_reads_continuously(docs):
    advisers = "Special Advisers on the Prevention of Genocide and the Responsibility to Protect has been expressed"
    assert advisers in docs["A/69/981"].unit("5").text
    pillars = "war crimes, ethnic cleansing and crimes against humanity.” The three pillars"
    assert pillars in docs["A/66/874"].unit("2").text
    assert "the Responsibility to Protect has been" not in docs["A/69/981"].unit("6").text
    # a bullet list inside paragraph 20, itself broken by a page, stays in paragraph 20
    para20 = docs["A/66/874"].unit("20").text
    assert "\n- Five." in para20 and para20.endswith("a critically important component of the implementation strategy.")


def test_footnotes_are_split_out_attached_and_markers_removed(docs):
    doc = docs["A/69/981"]
    assert doc.unit("5").footnotes == (4, 5, 6, 7)
    assert doc.unit("fn7").text == "Recommendation of the European Parliament of 18 April 2013 (P7_TA(2013)0180)."
    assert docs["A/66/874"].unit("25").footnotes == (2, 3, 4)
    for d in docs.values():
        for unit in d.units:
            assert "<sup>" not in unit.text and not re.search("[¹²³⁴⁵⁶⁷⁸⁹⁰]", unit.text), unit.label


def test_sections_are_kept_as_paths(docs):
    assert docs["A/69/981"].unit("19").section == (
        "III. Operationalizing the three pillars",
        "A. Pillar I: the protection responsibilities of the State",
        "Advancing participation in key legal instruments",
    )
    assert docs["A/66/874"].unit("21").section == ("III. Tools available for implementation",)


def test_unnumbered_text_becomes_small_labelled_blocks(docs):
    summary = [u.label for u in docs["A/69/981"].units if u.kind is UnitKind.BLOCK]
    assert summary == ["Summary, ¶1", "Summary, ¶2", "Summary, ¶3"]
    labels = [u.label for u in docs["A/70/999-summary"].units]
    assert "Section III, bullet 2" in labels and "Key points, bullet 6" in labels
    # the numbered priorities are list items, not report paragraphs, and the page
    # break inside priority 1 is stitched
    item1 = docs["A/70/999-summary"].unit("Section IV, item 1")
    assert item1.text.startswith("Effective and coordinated preventive strategies")
    assert "regional organizations and international institutions." in item1.text
    assert docs["A/70/999-summary"].unit("Section IV, list 2, item 5").text.startswith("Encourage regional")
    assert all(len(u.text) < 2000 for u in docs["A/70/999-summary"].units)


def test_every_dev_gold_quote_is_inside_its_gold_unit(docs):
    def norm(text):
        return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()

    for line in (REPO / "evals/data/dev.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for gold in case["gold"]:
            doc, quote = docs[gold["doc"]], norm(gold["quote"])
            if gold["para"] is None:
                assert any(quote in norm(u.text) for u in doc.units), case["id"]
            else:
                assert quote in norm(doc.unit(gold["para"]).text), (case["id"], gold["para"])


def test_three_footnote_styles():
    text = (
        "1. First paragraph cites a source.<sup>1</sup> And another.¹²\n\n"
        "2. Second paragraph, with a plain marker.13 It continues\n\n"
        "---\n\n<sup>1</sup> Tag style.\n\n¹² Superscript style.\n\n13 Plain style footnote text.\n\n"
        "after the footnotes.\n\n"
        "3. Third.\n\n4. Fourth.\n\n5. Fifth."
    )
    units = {u.label: u for u in parse_units(text)}
    assert units["1"].text == "First paragraph cites a source. And another."
    assert units["1"].footnotes == (1, 12)
    assert units["2"].text == "Second paragraph, with a plain marker. It continues after the footnotes."
    assert units["2"].footnotes == (13,)
    assert units["fn13"].text == "Plain style footnote text."
    assert units["fn12"].text == "Superscript style."
    assert {"3", "4", "5"} <= set(units)


def test_numbered_list_inside_a_paragraph_is_not_a_report_paragraph():
    text = "\n\n".join(
        ["1. Opening.", "2. States should:", "1. ratify treaties;", "2. appoint focal points.",
         "3. Third.", "4. Fourth.", "5. Fifth."]
    )
    units = parse_units(text)
    assert [u.label for u in units] == ["1", "2", "3", "4", "5"]
    assert "1. ratify treaties;" in units[1].text


def test_plain_markers_only_for_known_plain_footnotes():
    text, found = extract_markers("resolution 60/1 and protect.7 and S-15/1", frozenset({7}))
    assert (text, found) == ("resolution 60/1 and protect. and S-15/1", (7,))


def test_a_short_report_of_three_paragraphs_is_numbered_but_a_short_list_is_not():
    paragraphs = "\n\n".join(
        f"{n}. The Secretary-General {verb} the situation in the region and the obligations of all parties under "
        "international humanitarian law."
        for n, verb in ((1, "notes"), (2, "recalls"), (3, "reviews"))
    )
    assert [u.label for u in parse_units(paragraphs)] == ["1", "2", "3"]
    listed = "States should:\n\n" + paragraphs
    assert [u.label for u in parse_units(listed)][1:] == ["Introduction, item 1", "Introduction, item 2",
                                                         "Introduction, item 3"]
    assert [u.label for u in parse_units("Steps:\n\n1. Ratify.\n\n2. Report.")] == [
        "Introduction, ¶1", "Introduction, item 1", "Introduction, item 2"]


def test_a_masthead_written_as_back_to_back_bold_runs_is_not_the_first_paragraphs_section(docs):
    first = next(u for u in docs["A/71/1016"].units if u.label == "1")
    assert first.section == ("Summary",)  # not "General Assembly Security CouncilAdvanced copy"
    text = ("**General Assembly****Advance copy**\n\n**Report of the Secretary-General****Summary**\n\n"
            "1. There is a gap between commitment and reality.\n\nI. Introduction\n\n2. I prioritize prevention.")
    units = parse_units(text, numbered=True)
    assert [(u.label, u.section) for u in units] == [("1", ("Summary",)), ("2", ("I. Introduction",))]
