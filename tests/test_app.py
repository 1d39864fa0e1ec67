"""The Streamlit app run headless with AppTest against a real store: what a user sees.

Each test starts `app.py` with R2P_DATA_DIR pointing at a real ingested store and the
extractive model, then types, clicks and reads the page as a diplomat would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.outputs.feedback import FeedbackStore

APP = Path(__file__).resolve().parents[1] / "app.py"
GUINEA = "Which commission of inquiry does the 2012 report give as an example of both pillar two and pillar three?"
FOCAL = "What does the 2015 report say about national R2P focal points?"
SCRIPT_REPORT = """General Assembly

A/72/884–S/2018/525

Distr.: General
1 June 2018

Responsibility to protect: from early warning to early action

Report of the Secretary-General

I. Early warning

1. The Special Adviser reviewed <script>alert(1)</script> early warning mechanisms of regional organizations.
2. Early warning requires <b>timely</b> analysis of risk factors for atrocity crimes by national authorities.
3. Member States shared $5 and $6 figures on prevention budgets with the Special Adviser in detail.
4. Regional organizations have strengthened their capacity for early warning and assessment of atrocity risk.
5. Civil society organizations contribute information to early warning systems in many regions of the world.
6. The Secretary-General encourages Member States to translate early warning into early preventive action.
"""


@pytest.fixture
def start(ingested, monkeypatch):
    """Start the app on a data dir (default: the bundled corpus) with a model (default: extractive)."""

    def run(data_dir: Path = ingested.data_dir, model: str = "extractive") -> AppTest:
        monkeypatch.setenv("R2P_DATA_DIR", str(data_dir))
        monkeypatch.setenv("R2P_MODEL", model)
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> list[str]:
    """All Markdown-rendered text on the page (markdown, captions, alerts, expander labels)."""
    return ([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
            + [e.value for e in at.error] + [x.label for x in at.expander])


def citation_labels(at: AppTest) -> list[str]:
    return [x.label for x in at.expander if ", para. " in x.label or ", footnote " in x.label]


def go(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, at.exception
    return at


def test_question_shows_paragraph_citation_that_opens_to_the_paragraph(start):
    at = ask(start(), GUINEA)
    assert any("(A/66/874, para. 12)" in m.value and "Guinea" in m.value for m in at.markdown)
    para = next(x for x in at.expander if x.label.startswith("A/66/874, para. 12"))
    body = " ".join(m.value for m in para.markdown)
    assert "Responsibility to protect: timely and decisive response (A/66/874–S/2012/578, 25 July 2012)" in body
    assert "*II. The implementation strategy*" in body and "pillar two" in body
    assert [t.label for t in para.tabs] == ["Paragraph", "With the paragraphs before and after"]
    around = " ".join(m.value for m in para.tabs[1].markdown)
    assert "**A/66/874, para. 11** (before)" in around and "**A/66/874, para. 13** (after)" in around
    assert around.index("para. 11**") < around.index("para. 12** (this paragraph)") < around.index("para. 13**")


def test_a_model_answer_shows_the_reports_own_sentences_first_then_checked_statements(start, monkeypatch):
    from tests.fake_openai_server import running_fake_server

    with running_fake_server() as server:
        monkeypatch.setenv("R2P_OPENAI_BASE_URL", server.openai_base_url)
        at = ask(start(model="openai:fake-model"), FOCAL)
    texts = [m.value for m in at.markdown]
    quotes = next(i for i, t in enumerate(texts) if t.startswith("**From the reports**"))
    answer = next(i for i, t in enumerate(texts) if t.startswith("**Answer**"))
    assert quotes < answer and "A/69/981, para." in texts[quotes]
    assert "openai:fake-model" in texts[answer]
    assert re.search(r"\(A/\d+/\d+, para\. \d+\)", texts[answer + 1])  # the statement, cited


def test_unanswerable_question_shows_the_abstention_with_related_paragraphs(start):
    at = ask(start(), "What new priorities did the Secretary-General's 2018 report on R2P set out?")
    assert any("do not address this" in i.value for i in at.info)
    assert "**Related paragraphs (closest, not an answer)**" in shown(at) and "**Sources**" not in shown(at)
    assert [x.label for x in at.expander if x.label.startswith("A/")]  # the related paragraphs open too


def test_a_weak_match_shows_a_caution_and_the_other_close_paragraphs_that_open(start):
    at = ask(start(), "Is it up to ordinary people to do anything, or is it all on governments?")
    assert any(w.value.startswith("**Check this citation:** few of the question") for w in at.warning)
    texts = shown(at)
    assert texts.index("**Sources**") < texts.index("**Other close paragraphs** (the answer may be in one of these)")
    assert any(label.startswith("A/71/1016, para. 47") for label in citation_labels(at))


def test_a_close_match_shows_no_caution(start):
    at = ask(start(), GUINEA)
    assert not [w for w in at.warning if "Check this citation" in w.value]
    assert not [t for t in shown(at) if t.startswith("**Other close paragraphs**")]


def test_follow_up_shows_the_standalone_question(start):
    at = ask(ask(start(), FOCAL), "What should the national strategies backing them contain?")
    answering = [c.value for c in at.caption if c.value.startswith("Answering:")]
    assert len(answering) == 1 and "2015 report" in answering[0]
    assert any(label.startswith("A/69/981, para. 69") for label in citation_labels(at))


@pytest.mark.parametrize(("widget", "value", "doc"),
                         [("docs", ["A/71/1016"], "A/71/1016"), ("years", [2015], "A/69/981")])
def test_sidebar_filters_restrict_citations(start, widget, value, doc):
    at = start()
    at.sidebar.multiselect(key=widget).set_value(value).run()
    ask(at, "What do the reports say about national focal points?")
    labels = citation_labels(at)
    assert labels and all(label.startswith(f"{doc}, ") for label in labels)
    assert any(c.value == f"Searching 1 report(s): {doc}" for c in at.caption)


def test_briefing_collects_edits_and_exports_markdown_with_references(start):
    at = ask(ask(start(), GUINEA), FOCAL)
    keys = [b.key for b in at.button if b.key and b.key.startswith("brief-")]
    at.button(key=keys[0]).click().run()
    at.button(key=keys[1]).click().run()
    assert at.button(key=keys[0]).disabled and at.button(key=keys[0]).label == "In briefing"
    go(at, "Briefing")
    preview = at.code[0].value
    assert preview.index("## Which commission of inquiry") < preview.index("## What does the 2015 report")
    assert "[^1]: A/66/874–S/2012/578 (25 July 2012), para. 12" in preview
    assert "A/69/981–S/2015/500 (13 July 2015), para." in preview
    second = [b.key for b in at.button if b.key and b.key.startswith("up-")][1]
    at.button(key=second).click().run()
    first_text = [t for t in at.text_area if t.key.startswith("bt-")][0]
    marker = re.search(r"\[\d+\]", first_text.value).group(0)  # one of this answer's own sources
    first_text.set_value(f"Focal points matter {marker}.").run()
    preview = at.code[0].value
    assert preview.index("## What does the 2015 report") < preview.index("## Which commission")
    assert "Focal points matter[^1]." in preview
    assert len(at.get("download_button")) == 2


def test_feedback_is_stored_and_exportable(start, ingested):
    store = FeedbackStore(ingested.feedback_file)
    before = len(store.entries())
    at = ask(start(), GUINEA)
    exchange = [b.key for b in at.button if b.key and b.key.startswith("down-")][0].removeprefix("down-")
    at.text_input(key=f"comment-{exchange}").set_value("should cite para. 13 too").run()
    at.button(key=f"down-{exchange}").click().run()
    assert any("Thanks: feedback saved (not helpful)" in c.value for c in at.caption)
    entries = store.entries()
    assert len(entries) == before + 1 and entries[-1].rating == "down"
    assert entries[-1].comment == "should cite para. 13 too" and entries[-1].paragraphs[0].doc == "A/66/874"
    assert any("eval cases" in d.proto.label for d in at.get("download_button"))


def test_compare_view_has_one_row_per_report(start):
    at = go(start(), "Compare reports")
    at.text_input(key="compare-question").set_value("What do the reports say about national focal points?").run()
    next(b for b in at.button if b.label == "Compare").click().run()
    table = next(m.value for m in at.markdown if m.value.startswith("| Year | Report |"))
    rows = [line for line in table.splitlines()[2:] if line.startswith("| ")]
    assert [line.split("|")[2].strip() for line in rows] == ["A/66/874", "A/69/981", "A/70/999-summary", "A/71/1016"]
    row_2015 = next(line for line in rows if line.startswith("| 2015 |"))
    assert "focal point" in row_2015.lower() and "para. " in row_2015.split("|")[4]
    assert rows[0].split("|")[3].strip().startswith("⚠")  # 2012 never speaks of focal points: a weak match
    assert table.splitlines()[-1].startswith("⚠ Weak match: few of the question's words")


def test_unavailable_model_says_why_and_extractive_mode_recovers(start):
    at = start(model="local-nonexistent.gguf")
    assert any("Model local-nonexistent.gguf unavailable" in s.label for s in at.sidebar.status)
    assert at.sidebar.error and at.chat_input[0].disabled
    assert any("chat model is unavailable" in w.value for w in at.warning)
    at.sidebar.selectbox(key="model").set_value("extractive").run()
    assert any(s.label == "Model: extractive · ready" for s in at.sidebar.status)
    assert not at.chat_input[0].disabled


def test_uploaded_report_with_markup_displays_as_text(start, tmp_path):
    at = start(data_dir=tmp_path)
    assert any("No reports are ingested yet" in i.value for i in at.info)
    go(at, "Corpus")
    at.file_uploader[0].set_value([("2018-early-warning.txt", SCRIPT_REPORT.encode(), "text/plain"),
                                   ("empty.txt", b"", "text/plain")]).run()
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("added: A/72/884, 6 units") for s in at.success)
    assert any("empty.txt: the file is empty" in e.value for e in at.error)
    assert (tmp_path / "uploads" / "2018-early-warning.txt").is_file()
    at.run()
    assert at.dataframe[0].value["Symbol"].tolist() == ["A/72/884–S/2018/525"]
    page = shown(at)
    assert any("\\<script\\>alert(1)\\</script\\>" in text for text in page)
    assert any("\\$5 and \\$6" in text for text in page) and any("\\<b\\>timely\\</b\\>" in text for text in page)
    go(at, "Chat")
    ask(at, "What did the Special Adviser review about early warning mechanisms of regional organizations?")
    page = shown(at)
    assert any("\\<script\\>alert(1)\\</script\\>" in text for text in page)
    assert not any("<script>" in text for text in page)
    assert not any(m.allow_html for m in at.markdown)


def test_filters_that_match_no_report_say_so(start):
    at = start()
    at.sidebar.multiselect(key="docs").set_value(["A/66/874"]).run()
    at.sidebar.multiselect(key="years").set_value([2015]).run()
    assert any("No report matches" in w.value for w in at.warning) and at.chat_input[0].disabled
