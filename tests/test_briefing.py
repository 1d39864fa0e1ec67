"""Briefing export, feedback-to-eval export, compare rows and the UI's pure helpers.

Real answers from the extractive assistant over the real bundled corpus; no Streamlit.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import docx
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.chain import Assistant
from assistant.condense import ContextCondenser
from assistant.factory import build_assistant
from assistant.outputs.briefing import Briefing, BriefingItem, Reference, briefing_markdown, item_from_answer
from assistant.outputs.briefing_docx import briefing_docx
from assistant.outputs.compare import NOT_ADDRESSED, WEAK_MATCH, compare, compare_markdown, comparison_item
from assistant.outputs.feedback import FeedbackStore, rate
from assistant.outputs.render import answer_display_markdown, markdown_escape, un_date
from assistant.records import Turn
from evals.cases import case_from_feedback, export_candidates
from evals.dataset import load_cases
from ingest.errors import IngestError
from ingest.uploads import save_upload
from ui.reading import document_blocks, neighbours_markdown, paragraph_markdown
from ui.state import ChatSession, docs_in_scope, make_filters, model_status

GUINEA = "Which commission of inquiry does the 2012 report give as an example of both pillar two and pillar three?"
FOCAL = "What does the 2015 report say about national R2P focal points?"
NETWORKS = "What does the 2015 report say about focal point networks and national strategies?"  # two paragraphs
UNANSWERABLE = "What new priorities did the Secretary-General's 2018 report on R2P set out?"
TODAY = date(2025, 9, 1)


@pytest.fixture(scope="module")
def extractive(ingested, embedder):
    return build_assistant(ingested, "extractive", embedder)


@pytest.fixture(scope="module")
def docs(extractive):
    return extractive.retriever.snapshot().docs


def test_briefing_markdown_turns_citations_into_un_style_footnotes(extractive, docs):
    briefing = Briefing()
    briefing.add(item_from_answer(extractive.ask(GUINEA), docs))
    md = briefing_markdown(briefing, TODAY)
    assert md.startswith("# Briefing note") and "1 September 2025" in md
    assert "## Which commission of inquiry" in md
    assert "Guinea" in md and "[^1]" in md and "[1]" not in md.replace("[^1]", "")
    assert "[^1]: A/66/874–S/2012/578 (25 July 2012), para. 12, “Responsibility to protect" in md
    assert "- A/66/874–S/2012/578, 25 July 2012: Responsibility to protect: timely and decisive response" in md


def test_briefing_items_reorder_edit_remove_and_repeat_as_ibid(extractive, docs):
    briefing = Briefing(title="R2P focal points")
    first, second = item_from_answer(extractive.ask(GUINEA), docs), item_from_answer(extractive.ask(NETWORKS), docs)
    briefing.add(first)
    briefing.add(second)
    briefing.move(second.id, -1)
    assert [i.id for i in briefing.items] == [second.id, first.id]
    briefing.move(second.id, -5)  # stays first
    briefing.edit(first.id, question="Guinea", text="A commission of inquiry [1]. Typed by hand [7]. Same [1].")
    md = briefing_markdown(briefing, TODAY)
    assert md.index("## What does the 2015 report") < md.index("## Guinea")
    assert "Typed by hand." in md and "[^7]" not in md  # a marker with no source is dropped
    assert md.rstrip().endswith("Ibid.")  # the same paragraph twice in a row
    assert "Ibid., para." in md  # the same report, another paragraph
    briefing.remove(second.id)
    assert [i.id for i in briefing.items] == [first.id]


def test_briefing_docx_has_real_footnotes_and_keeps_markup_as_text(docs):
    ref = Reference("A/66/874", "para. 12", "A/66/874–S/2012/578", "2012-07-25", "Responsibility to protect")
    briefing = Briefing()
    briefing.add(BriefingItem("Guinea <script>alert(1)</script>?", "In Guinea [1]. Costs $5 & more [1].", ((1, ref),)))
    briefing.add(BriefingItem("Budget?", "The reports in this collection do not address this.", abstained=True))
    data = briefing_docx(briefing, TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        footnotes = z.read("word/footnotes.xml").decode()
        body = z.read("word/document.xml").decode()
        assert "footnotes+xml" in z.read("[Content_Types].xml").decode()
        assert "relationships/footnotes" in z.read("word/_rels/document.xml.rels").decode()
        assert "<w:footnotePr>" in z.read("word/settings.xml").decode()
    assert 'w:footnote w:id="1"' in footnotes and "A/66/874–S/2012/578 (25 July 2012), para. 12" in footnotes
    assert 'w:id="2"' in footnotes and "Ibid." in footnotes
    assert body.count("<w:footnoteReference") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "$5 &amp; more" in body
    reopened = docx.Document(io.BytesIO(data))
    assert reopened.paragraphs[0].text.startswith("Briefing note")
    assert any(p.text == "Guinea <script>alert(1)</script>?" for p in reopened.paragraphs)


def test_markdown_escape_keeps_document_text_inert():
    text = "<script>alert(1)</script> costs $5 and $6; see [x](javascript:1) *bold* <sup>3</sup>"
    escaped = markdown_escape(text)
    assert "\\<script\\>" in escaped and "\\$5" in escaped and "\\[x\\]" in escaped and "\\*bold\\*" in escaped
    assert "sup" not in escaped  # footnote markup never shows
    lines = markdown_escape("12. A numbered line\n- a bullet\n# a heading")
    assert lines == "12\\. A numbered line\n\\- a bullet\n\\# a heading"
    assert un_date("2012-07-25") == "25 July 2012" and un_date("2016") == "2016"


def test_unverified_sentences_are_marked_in_the_chat_text(extractive):
    reply = ("Focal points have been appointed by many Member States [1]. "
             "Exactly 193 Member States appointed one by 2016 [1].")
    fake = Assistant(extractive.retriever, FakeListChatModel(responses=[reply]), "fake", ContextCondenser(), sources=4)
    answer = fake.ask("What does the 2015 report say about national focal points?")
    shown = answer_display_markdown(answer)
    assert answer.flagged and "**⚠ Not verified:** *Exactly 193 Member States" in shown
    assert "(A/69/981, para." in shown and "[1]" not in shown


def test_a_quoted_list_is_set_out_as_a_list_and_cited_once(extractive):
    answer = extractive.ask("Which five practical steps does the 2017 report say every Member State can take?")
    shown = answer_display_markdown(answer)
    assert shown.startswith("All Member States can:\n- Appoint a senior official")
    assert shown.count("\n- ") == 5 and shown.count("(A/71/1016, para. 45)") == 1
    assert shown.endswith("commitment to the responsibility to protect. (A/71/1016, para. 45)")


def test_feedback_becomes_candidate_eval_cases(extractive, tmp_path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    history = [Turn("user", FOCAL), Turn("assistant", "Focal points are promising (A/69/981, para. 24).")]
    store.add(rate(extractive.ask(GUINEA), "down", "  should also cite para. 13  "))
    store.add(rate(extractive.ask(UNANSWERABLE), "up"))
    follow = extractive.ask("What should the national strategies backing them contain?", history)
    store.add(rate(follow, "up", "", history))
    with store.path.open("a", encoding="utf-8") as out:
        out.write("{not json\n")  # a damaged line is skipped
    entries = store.entries()
    assert [e.rating for e in entries] == ["down", "up", "up"] and entries[0].comment == "should also cite para. 13"
    (tmp_path / "cases.jsonl").write_text(export_candidates(store.entries()), encoding="utf-8")
    down, abstained, follow_up = load_cases(tmp_path / "cases.jsonl")
    assert down.answerable and down.answer == "" and "should also cite para. 13" in json.loads(
        export_candidates(store.entries(), ["down"]))["review"]
    assert any(g.doc == "A/66/874" and g.para == "12" for g in down.gold)
    snapshot = extractive.retriever.snapshot()
    for gold in down.gold + follow_up.gold:
        unit = snapshot.by_label[(gold.doc, gold.para)]
        assert gold.quote in " ".join(unit.text.split()) and 8 <= len(gold.quote.split()) <= 25
    assert abstained.kind == "unanswerable" and not abstained.answerable and abstained.gold == []
    assert follow_up.kind == "followup" and [t.role for t in follow_up.history] == ["user", "assistant"]
    assert "(A/69/981, para." in follow_up.answer
    assert case_from_feedback(entries[0]).id == f"fb-{entries[0].id}"


def test_compare_says_which_reports_never_mention_a_name(extractive, docs):
    rows = compare(extractive.ask, "What do the reports say about Libya?", list(docs.values()))
    rows = {r.doc.doc_id: r for r in rows}
    assert not rows["A/66/874"].answer.abstained and not rows["A/69/981"].answer.abstained
    for doc_id in ("A/70/999-summary", "A/71/1016"):
        assert rows[doc_id].answer.abstained and rows[doc_id].answer.citations == ()
        assert "never mentions Libya; A/66/874 and A/69/981 do" in rows[doc_id].answer.reason


def test_compare_gives_one_row_per_report_citing_only_that_report(extractive, docs):
    rows = compare(extractive.ask, "What do the reports say about national focal points?", list(docs.values()))
    assert [r.doc.doc_id for r in rows] == ["A/66/874", "A/69/981", "A/70/999-summary", "A/71/1016"]
    for row in rows:
        assert all(c.passage.unit.doc_id == row.doc.doc_id for c in row.answer.citations)
        assert row.answer.abstained or row.references
    table = compare_markdown(rows)
    assert len([line for line in table.split("\n") if line.startswith("| 20")]) == len(rows)
    for year in ("2015", "2016", "2017"):  # the reports that speak of focal points answer with them
        row = next(line for line in table.split("\n") if line.startswith(f"| {year} |"))
        assert "focal point" in row.lower() and "⚠" not in row
    # The 2012 report never speaks of focal points: its closest paragraph is marked as a weak match.
    assert table.split("\n")[2].startswith("| 2012 | A/66/874 | ⚠ ")
    assert table.endswith(f"\n\n⚠ Weak match: {WEAK_MATCH}.")
    item = comparison_item("focal points?", rows, docs)
    first, *others = item.text.split("\n\n")
    assert first.startswith("A/66/874 (") and first.endswith(f"(Check before use, weak match: {WEAK_MATCH}.)")
    assert not [p for p in others if "Check before use" in p]
    markers = [m for m, _ in item.references]
    assert markers == list(range(1, len(markers) + 1))  # renumbered across the rows
    md = briefing_markdown(Briefing(items=[item]), TODAY)
    assert "A/71/1016 (10 August 2017):" in md and "A/71/1016–S/2017/556 (10 August 2017), para." in md
    # A topic no report speaks of: every row says so rather than quoting something else.
    unknown = compare(extractive.ask, "What do the reports say about Atlantis?", list(docs.values()))
    assert all(r.answer.abstained for r in unknown)
    assert compare_markdown(unknown).count(NOT_ADDRESSED) == len(unknown)


def test_chat_session_filters_and_paragraph_views(extractive):
    chat = ChatSession()
    first = chat.add(FOCAL, extractive.ask(FOCAL))
    follow = chat.add("What should they contain?", extractive.ask("What should they contain?", chat.history()))
    assert not first.rephrased
    assert follow.rephrased == "In the 2015 report, on national R2P focal points: what should they contain?"
    assert [t.role for t in chat.history()] == ["user", "assistant"] * 2
    docs = extractive.retriever.documents()
    assert [d.doc_id for d in docs_in_scope(docs, make_filters(years=[2017, 2015]))] == ["A/69/981", "A/71/1016"]
    snapshot = extractive.retriever.snapshot()
    unit = snapshot.by_label[("A/66/874", "4")]
    shown = paragraph_markdown(unit, snapshot)
    assert "**A/66/874, para. 4**" in shown and "25 July 2012" in shown
    assert "*I. Genesis of the responsibility to protect*" in shown
    assert "Footnote 1: The International Commission on Intervention and State Sovereignty" in shown
    around = neighbours_markdown(unit, snapshot)
    assert "A/66/874, para. 3** (before)" in around and "A/66/874, para. 5** (after)" in around
    blocks = document_blocks(snapshot, "A/66/874")
    assert blocks[0].startswith("#### I. Genesis") and any("*Footnote 1:*" in b for b in blocks)
    assert model_status("extractive").available
    assert "unknown model" in model_status("gpt-nonsense").error


def test_save_upload_stays_in_the_uploads_folder_and_rejects_unknown_types(tmp_path):
    path = save_upload("../../etc/report 2018.txt", b"text", tmp_path / "uploads", symbol="A/72/884–S/2018/525",
                       date="2018-06-01", title='The "2018" report')
    assert path == tmp_path / "uploads" / "report 2018.txt" and path.read_bytes() == b"text"
    sidecar = path.with_suffix(".toml").read_text(encoding="utf-8")
    assert 'id = "A/72/884"' in sidecar and 'title = "The \\"2018\\" report"' in sidecar
    with pytest.raises(IngestError, match="unsupported file type '.exe'"):
        save_upload("virus.exe", b"MZ", tmp_path / "uploads")


def test_a_cautioned_answer_keeps_its_caution_and_other_paragraphs_in_the_briefing(extractive, docs):
    answer = extractive.ask("Is it up to ordinary people to do anything, or is it all on governments?")
    item = item_from_answer(answer, docs)
    assert answer.caution and f"(Check before use: {answer.caution}. Other close paragraphs: " in item.text
    assert "A/71/1016, para. 47" in item.text.split("Other close paragraphs:")[1]
