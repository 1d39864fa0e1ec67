"""Reports as users have them: UN-style PDFs and Word files read to the same paragraphs.

The fixtures are built here from the bundled 2015 report (tests/fixtures_render.py):
a PDF laid out like a UN document (running headers, job number, page counters,
barcode, footnotes at the page foot, paragraphs broken across pages, hyphenated line
ends), the same PDF drawn the way Word exports it, and a DOCX with automatic numbering
and real footnotes. Each must give what the text version gives.
"""

from __future__ import annotations

import re
import shutil

import pytest
from pypdf import PdfReader as PypdfReader

from assistant.factory import build_indexer, build_retriever, build_store
from assistant.settings import BUNDLED_REPORTS, Settings
from ingest.docx_reader import DocxReader
from ingest.errors import IngestError
from ingest.loader import load_document
from ingest.page_cleaning import WordStats, is_furniture, join_broken_lines, keep_hyphen
from ingest.pdf_layout import Span, group_lines
from ingest.pdf_reader import PageLines, layout_text
from ingest.readers import READERS, read_file
from ingest.records import UnitKind
from ingest.structure import parse_units
from tests.conftest import r2p
from tests.fixtures_docx import DocxBuilder
from tests.fixtures_pdf import encrypt_pdf, render_ocr_pdf, render_pdf, render_scanned_pdf
from tests.fixtures_render import outline, render_docx, render_text, up_to

REPORT = BUNDLED_REPORTS / "2015-A-69-981-vital-and-enduring-commitment.txt"
FORMATS = ["pdf", "pdf-word-export", "docx"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rendered")
    report = outline(REPORT)
    return {
        "pdf": render_pdf(report, folder / "A-69-981.pdf"),
        "pdf-word-export": render_pdf(report, folder / "A-69-981-word.pdf", word_style=True),
        "docx": render_docx(report, folder / "A-69-981.docx"),
    }


@pytest.fixture(scope="module")
def text_doc():
    return load_document(REPORT)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _units(doc):
    """What a user sees of each unit; footnotes' section paths depend on page layout."""
    return {
        u.label: (u.kind, _norm(u.text), u.footnotes, u.section if u.kind is not UnitKind.FOOTNOTE else ())
        for u in doc.units
    }


def test_pdf_and_docx_are_supported_suffixes():
    assert {".pdf", ".docx"} <= set(READERS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_paragraphs_footnotes_and_blocks_as_the_text_version(rendered, text_doc, fmt):
    doc = load_document(rendered[fmt])
    assert [u.number for u in doc.units if u.kind is UnitKind.NUMBERED] == list(range(1, 76))
    assert doc.count(UnitKind.FOOTNOTE) == 23
    assert _units(doc) == _units(text_doc)
    assert doc.unit("5").footnotes == (4, 5, 6, 7)
    assert doc.warnings == ()


@pytest.mark.parametrize("fmt", ["pdf", "pdf-word-export"])
def test_pdf_paragraphs_know_the_page_they_start_on(rendered, fmt):
    doc = load_document(rendered[fmt])
    pages = [u.page for u in doc.units if u.kind is UnitKind.NUMBERED]
    assert pages[0] == 1 and pages == sorted(pages)
    assert pages[-1] == len(PypdfReader(rendered[fmt]).pages)
    # paragraph 1 starts on page 1 and ends on page 2, across page 1's footnote
    assert doc.unit("1").page == 1
    assert doc.unit("1").text.endswith("particular threat to religious and ethnic minorities.")
    assert doc.unit("5").page == 2 == doc.unit("fn7").page


def test_page_furniture_is_gone_from_the_text(rendered):
    raw = read_file(rendered["pdf"])
    for furniture in ("15-11846", "140715", "Please recycle", "*1511846*", "S/2015/500", "United Nations A/69/981"):
        assert furniture not in raw.text
    assert not re.search(r"(?m)^\d{1,2}/\d{2}$", raw.text)  # page counters such as 3/14
    assert len(raw.page_starts) == len(PypdfReader(rendered["pdf"]).pages)


def test_words_broken_at_line_ends_are_repaired(rendered, text_doc):
    # the layout breaks words at line ends, at soft hyphens ("implemen-tation") and at
    # real ones ("non-State"); the texts above match the text version, so check the
    # PDF really had such breaks
    lines = PypdfReader(rendered["pdf"]).pages[1].extract_text().splitlines()
    assert any(line.endswith("-") for line in lines)
    stats = WordStats(["implementation of the non-State and well-being of the population", "follow-up"])
    assert join_broken_lines(["the implemen-", "tation of"], stats) == ["the implementation of"]
    assert join_broken_lines(["armed non-", "State actors"], stats) == ["armed non-State actors"]
    assert join_broken_lines(["their well-", "being"], WordStats(["well", "being"])) == ["their well-being"]
    assert not keep_hyphen("follow-", "up", WordStats(["followup followup"]))
    assert keep_hyphen("follow-", "up", stats)
    assert keep_hyphen("troop-", "contributing", WordStats(["troop contributing"]))
    assert not keep_hyphen("protec-", "tion", WordStats([]))
    assert join_broken_lines(["(A/67/929-", "S/2013/399)"], stats) == ["(A/67/929-S/2013/399)"]


@pytest.mark.parametrize(
    ("line", "furniture"),
    [("A/69/981", True), ("A/69/981 S/2015/500", True), ("15-11846 (E) 140715", True),
     ("3/21 15-11846", True), ("15-11846 3/21", True), ("*1511846*", True), ("Please recycle", True),
     ("United Nations A/69/981–S/2015/500", True), ("\ue000\ue001\ue002\ue003\ue004\ue005", True),
     ("(A/63/677).", False), ("12 resolutions were adopted", False)],
)
def test_furniture_lines(line, furniture):
    assert is_furniture(line) is furniture


def _page(runs: list[tuple[str, float, float, float]]) -> PageLines:
    return PageLines(group_lines([Span(text, x, y, size) for text, x, y, size in runs]), 0.0, 842.0)


def test_footnote_continued_on_the_next_page_and_running_title_removed():
    title = ("Implementing the responsibility to protect", 72, 806, 8)
    pages = [
        _page([title, ("1.", 100, 700, 10), ("Opening paragraph of the report.", 128, 700, 10),
               ("2.", 100, 682, 10), ("It cites a source", 128, 682, 10), ("1", 205, 685, 6.5),
               ("1", 95, 101, 5.5), ("A long footnote that", 100, 98, 8)]),
        _page([title, ("continues here, after the footnote.", 100, 760, 10), ("3.", 100, 742, 10),
               ("Third.", 128, 742, 10), ("goes on over the page.", 100, 98, 8), ("2/3", 72, 40, 8)]),
        _page([title, ("4.", 100, 760, 10), ("Fourth.", 128, 760, 10), ("5.", 100, 742, 10),
               ("Fifth.", 128, 742, 10), ("3/3", 500, 40, 8)]),
    ]
    raw = layout_text(pages)
    assert "Implementing" not in raw.text and "/3" not in raw.text
    units = {u.label: u for u in parse_units(raw.text, page_starts=raw.page_starts)}
    assert list(units) == ["1", "2", "fn1", "3", "4", "5"]
    assert units["2"].text == "It cites a source continues here, after the footnote." and units["2"].footnotes == (1,)
    assert units["fn1"].text == "A long footnote that goes on over the page."
    assert [units[label].page for label in units] == [1, 1, 1, 2, 3, 3]


@pytest.mark.parametrize("fmt", FORMATS)
def test_metadata_is_detected_from_the_first_page(rendered, fmt):
    meta = load_document(rendered[fmt]).meta
    assert (meta.doc_id, meta.symbol, meta.date) == ("A/69/981", "A/69/981–S/2015/500", "2015-07-13")
    assert meta.source == "detected"
    assert meta.title == "A vital and enduring commitment: implementing the responsibility to protect"
    assert meta.kind == "report of the Secretary-General"


def test_sidecar_toml_overrides_what_is_detected(rendered, tmp_path):
    pdf = shutil.copy(rendered["pdf"], tmp_path / "vital.pdf")
    (tmp_path / "vital.toml").write_text('id = "A/69/981-pdf"\nauthor = "Ban Ki-moon"\n', encoding="utf-8")
    meta = load_document(pdf).meta
    assert (meta.doc_id, meta.short_symbol, meta.symbol, meta.source) == (
        "A/69/981-pdf", "A/69/981", "A/69/981–S/2015/500", "sidecar")
    assert (meta.date, meta.author) == ("2015-07-13", "Ban Ki-moon")


def test_docx_automatic_numbering_levels_restarts_and_footnote_order(tmp_path):
    b = DocxBuilder()
    first, second = b.add_footnote("First note."), b.add_footnote("Second note.")
    for text, num, note in [
        ("Opening.", (b.PARAGRAPHS, 0), None), ("States should:", (b.PARAGRAPHS, 0), second),
        ("ratify treaties;", (b.PARAGRAPHS, 1), None), ("appoint focal points.", (b.PARAGRAPHS, 1), None),
        ("Third.", (b.PARAGRAPHS, 0), first), ("alpha", (b.LETTERS, 0), None), ("beta", (b.LETTERS, 0), None),
        ("again", (b.LETTERS_RESTART, 0), None), ("Fourth.", (b.PARAGRAPHS, 0), None),
        ("deeper again", (b.PARAGRAPHS, 1), None), ("Fifth.", (b.PARAGRAPHS, 0), None), ("point", (b.BULLETS, 0), None),
    ]:
        para = b.paragraph(num=num)
        b.run(para, text)
        if note is not None:
            b.footnote_reference(para, note)
    raw = DocxReader().read(b.save(tmp_path / "lists.docx"))
    assert raw.text.split("\n\n") == [
        "1. Opening.", "2. States should:¹", "(a) ratify treaties;", "(b) appoint focal points.", "3. Third.²",
        "(a) alpha", "(b) beta", "(a) again", "4. Fourth.", "(a) deeper again", "5. Fifth.", "- point",
        "---", "¹ Second note.", "² First note.\n",
    ]
    units = {u.label: u for u in parse_units(raw.text)}
    assert [label for label in units if not label.startswith("fn")] == ["1", "2", "3", "4", "5"]
    assert units["2"].footnotes == (1,) and units["fn1"].text == "Second note."


def test_unreadable_files_are_rejected_with_one_clear_line(rendered, tmp_path):
    scanned = render_scanned_pdf(tmp_path / "scanned.pdf")
    encrypted = encrypt_pdf(rendered["pdf"], tmp_path / "locked.pdf")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(rendered["pdf"].read_bytes()[:20000])
    error_page = tmp_path / "error-page.pdf"
    error_page.write_bytes(b"<html><body>Document not found</body></html>")
    old_word = tmp_path / "old.docx"
    old_word.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))  # an OLE2 .doc renamed
    expected = {
        scanned: "has no text layer (a scanned PDF?); OCR is not supported: ",
        encrypted: "is encrypted (password-protected)",
        truncated: "cannot be read as a PDF (damaged or incomplete file?)",
        error_page: "is not a PDF",
        old_word: "is not a DOCX file",
    }
    for path, reason in expected.items():
        with pytest.raises(IngestError) as caught:
            load_document(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: {reason}") and "\n" not in message, message


def test_pdf_locked_only_against_editing_still_reads(rendered, tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=rendered["pdf"])
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    writer.write(tmp_path / "owner-locked.pdf")
    assert load_document(tmp_path / "owner-locked.pdf").count(UnitKind.NUMBERED) == 75


def test_cli_reports_bad_files_in_one_line_and_ingests_the_good_one(rendered, tmp_path, embedder):
    good = render_docx(up_to(outline(REPORT), 5, footnotes=False), tmp_path / "short.docx")
    bad = [render_scanned_pdf(tmp_path / "scanned.pdf"), encrypt_pdf(rendered["pdf"], tmp_path / "locked.pdf")]
    result = r2p("ingest", "-q", *map(str, bad), str(good), data_dir=tmp_path / "data")
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "Traceback" not in result.stderr
    assert "scanned.pdf: has no text layer (a scanned PDF?); OCR is not supported" in errors[0]
    assert "locked.pdf: is encrypted" in errors[1]
    assert "3 file(s): 1 added, 2 failed" in result.stdout
    stored = build_store(Settings(data_dir=tmp_path / "data"), embedder).document_records().values()
    assert [(info.doc_id, info.numbered_paragraphs) for info, _ in stored] == [("A/69/981", 5)]


def test_retrieval_finds_the_same_paragraph_in_all_three_formats(tmp_path, embedder):
    report = up_to(outline(REPORT), 10, footnotes=False)
    folder = tmp_path / "reports"
    folder.mkdir()
    files = [render_text(report, folder / "vital-txt.txt"), render_pdf(report, folder / "vital-pdf.pdf"),
             render_docx(report, folder / "vital-docx.docx")]
    ids = ["A/69/981-txt", "A/69/981-pdf", "A/69/981-docx"]
    for path, doc_id in zip(files, ids, strict=True):
        path.with_suffix(".toml").write_text(f'id = "{doc_id}"\n', encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", model="extractive")
    ingest = build_indexer(settings, embedder).ingest_files(files)
    assert not ingest.failed, ingest.failed
    assert len({f.units for f in ingest.files}) == 1  # the same number of units from each format
    retriever = build_retriever(settings, embedder)
    result = retriever.retrieve("Which intervention authorized by the Security Council raised concerns about misuse "
                                "of the principle and debates about when force should be used?", k=3)
    assert {(p.unit.doc_id, p.unit.label) for p in result.passages} == {(doc_id, "9") for doc_id in ids}
    pages = {p.unit.doc_id: p.unit.page for p in result.passages}
    assert pages["A/69/981-txt"] is None and pages["A/69/981-docx"] is None and pages["A/69/981-pdf"] >= 2


def test_annex_footnotes_restart_their_numbering_and_none_is_lost():
    def page(spans):
        return PageLines(group_lines([Span(*s) for s in spans]), 0.0, 842.0)

    body = [(f"{n}.", 100, 760 - 18 * n, 10) for n in range(1, 6)]
    body += [(f"Paragraph {n} of the report.", 128, 760 - 18 * n, 10) for n in range(1, 6)]
    pages = [
        page([*body, ("1", 260, 745, 6.5), ("1", 95, 101, 5.5), ("First note of the report.", 100, 98, 8),
              ("2", 260, 691, 6.5), ("2", 95, 88, 5.5), ("Second note of the report.", 100, 85, 8)]),
        page([("Annex", 100, 760, 12, True), ("The forum discussed the matter.", 100, 730, 10),
              ("1", 260, 733, 6.5), ("It agreed on next steps.", 100, 712, 10), ("2", 230, 715, 6.5),
              ("1", 95, 101, 5.5), ("Annex note one.", 100, 98, 8),
              ("2", 95, 88, 5.5), ("Annex note two.", 100, 85, 8)]),
    ]
    units = {u.label: u for u in parse_units(layout_text(pages).text)}
    notes = [label for label, u in units.items() if u.kind is UnitKind.FOOTNOTE]
    assert notes == ["fn1", "fn2", "fn1 (annex)", "fn2 (annex)"]
    assert units["fn1"].text == "First note of the report." and units["fn1 (annex)"].text == "Annex note one."


OCR_PAGE = [
    "UNITED NATIONS", "General Assembly", "Distr. GENERAL", "A/47/435", "22 September 1992", "ORIGINAL: ENGLISH",
    "Report of the Secretary-General", "",
    "1. In its resolution 46/456 the Assembly requested a report on the matter, which is now submitted.",
    "2. The Secretary-General has received replies from Member States, summarized in the present report.",
]


@pytest.mark.parametrize("invisible", [True, False])
def test_a_scan_with_an_ocr_layer_is_read_with_a_visible_warning(tmp_path, invisible):
    doc = load_document(render_ocr_pdf(tmp_path / "scan.pdf", OCR_PAGE, invisible))
    assert (doc.meta.symbol, doc.meta.date) == ("A/47/435", "1992-09-22")
    assert any("OCR layer" in w for w in doc.warnings)
    assert any("was read by OCR: check it" in w for w in doc.warnings)
    named = load_document(render_ocr_pdf(tmp_path / "A_47_453.pdf", OCR_PAGE))  # the file name disagrees
    assert any("the file name says A/47/453" in w for w in named.warnings)


def test_a_small_type_table_above_the_footnotes_is_neither_footnote_nor_paragraph():
    body = [(f"{n}.", 100, 760 - 18 * n, 10) for n in range(1, 6)]
    body += [(f"Paragraph {n} of the report.", 128, 760 - 18 * n, 10) for n in range(1, 6)]
    rows = [("Category", 100, 300, 7), ("2024/25", 300, 300, 7), ("2025/26", 400, 300, 7),
            ("Civilian personnel", 100, 288, 8.5), ("15 528.8", 300, 288, 8.5), ("16 504.8", 400, 288, 8.5)]
    page = PageLines(group_lines([Span(*s) for s in [*body, ("1", 250, 673, 6.5), *rows, ("1", 95, 101, 5.5),
                                                     ("A note under the table.", 100, 98, 8)]]), 0.0, 842.0)
    units = {u.label: u for u in parse_units(layout_text([page]).text)}
    assert units["fn1"].text == "A note under the table." and units["5"].text == "Paragraph 5 of the report."
    assert "Civilian personnel" in units["Introduction, table 1"].text
