"""Structured answers: numbered sentences, statements checked against what they cite, key sentences first."""

from __future__ import annotations

import json
import re

import pytest
from langchain_core.language_models.chat_models import BaseChatModel

from assistant.chain import Assistant
from assistant.condense import ContextCondenser
from assistant.events import AnswerEvent, KeySentencesEvent, SourcesEvent, TokenEvent
from assistant.models.reply import ReplyChatModel
from assistant.structured import (
    PROMPT_TOKENS_BUDGET,
    complete_statements,
    estimate_tokens,
    number_sentences,
    parse_reply,
    reply_schema,
)
from assistant.support import check

FOCAL = "What does the 2015 report say about national focal points?"
PROMISING = ("Member State focal points that integrate an atrocity crime perspective into national policy "
             "are a promising development of the past decade.")  # nearly the report's own sentence
REPORT_SAYS = ("The establishment of Member State focal points to integrate an atrocity crime perspective into "
               "national policy is a particularly promising development of the past decade.")
SYNTHESIS = ("The report sees focal points, which bring an atrocity crime perspective into national policy, "
             "as one of the most promising developments of the decade.")


class SentenceQuoter(ReplyChatModel):
    """Replies in the structured JSON, citing the numbered sentence that contains a given phrase."""

    script: list[tuple[str, str]]  # (statement, phrase of the sentence it cites)
    answerable: bool = True
    raw: str | None = None  # reply this text instead
    off_by: int = 0  # cite the sentence this many places after the right one (a small model's mistake)
    also_other_paragraph: bool = False  # cite too the first sentence given of another paragraph
    prompts: list[str] = []
    replies: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "sentence-quoter"

    def _reply(self, messages) -> str:
        prompt = str(messages[-1].content)
        self.prompts.append(prompt)
        if self.raw is not None:
            return self.raw
        lines = re.findall(r"^\[(\d+)\] \((.*?)\) (.*)$", prompt, re.M)
        statements = []
        for statement, phrase in self.script:
            hits = [(int(i), cite) for i, cite, text in lines if phrase in text][:1]
            ids = [i + self.off_by for i, _ in hits]
            if self.also_other_paragraph and hits:
                ids += [int(i) for i, cite, _ in lines if cite != hits[0][1]][:1]
            statements.append({"text": statement, "sentences": ids})
        self.replies.append(json.dumps({"answerable": self.answerable, "statements": statements}))
        return self.replies[-1]


def _assistant(retriever, model: BaseChatModel) -> Assistant:
    return Assistant(retriever, model, "quoter", ContextCondenser(), sources=5, structured=lambda schema: {})


def test_statement_is_cited_to_the_paragraph_of_the_sentence_it_names(retriever):
    model = SentenceQuoter(script=[(PROMISING, "particularly promising development")])
    events = list(_assistant(retriever, model).stream(FOCAL))
    kinds = [type(e) for e in events]
    assert kinds[:2] == [SourcesEvent, KeySentencesEvent] and kinds[-1] is AnswerEvent
    assert TokenEvent in kinds  # the statement streams once it is checked
    answer = events[-1].answer
    assert [c.reference for c in answer.citations] == ["A/69/981, para. 24"]
    assert answer.text.startswith(REPORT_SAYS) and not answer.unverified  # a restatement is shown as the sentence
    assert answer.statements[0].quoted
    assert answer.key_sentences and "A/69/981" in " ".join(p.unit.doc_id for p in answer.passages)


def test_statement_in_the_models_own_words_is_shown_once_the_check_holds(retriever):
    model = SentenceQuoter(script=[(SYNTHESIS, "particularly promising development")])
    answer = _assistant(retriever, model).ask(FOCAL)
    assert answer.text.startswith(SYNTHESIS) and not answer.statements[0].quoted
    assert [c.reference for c in answer.citations] == ["A/69/981, para. 24"]


def test_restated_sentence_is_shown_as_the_report_wrote_it_not_as_the_model_changed_it(retriever):
    question = "How many preparatory panels were held for the 2017 report, and where?"
    misread = "Three preparatory panels were organized in New York and one in Geneva."  # the report: two in New York
    answer = _assistant(retriever, SentenceQuoter(script=[(misread, "preparatory panels")])).ask(question)
    assert misread not in answer.text
    assert answer.text.startswith("Three preparatory panels were organized, two in New York and one in Geneva")
    assert [c.reference for c in answer.citations] == ["A/71/1016, para. 8"]


def test_restatement_citing_a_second_paragraph_too_is_shown_as_its_sentence_cited_to_its_own_paragraph(retriever):
    # A small model restating one sentence and citing another paragraph with it (dev2 n024, `local`).
    both = "The 2015 report says that " + REPORT_SAYS[0].lower() + REPORT_SAYS[1:]
    model = SentenceQuoter(script=[(both, "particularly promising development")], also_other_paragraph=True)
    answer = _assistant(retriever, model).ask(FOCAL)
    assert len(json.loads(model.replies[0])["statements"][0]["sentences"]) == 2  # two paragraphs cited
    assert answer.text.startswith(REPORT_SAYS) and answer.statements[0].quoted
    assert [c.reference for c in answer.citations] == ["A/69/981, para. 24"]


def test_unsupported_and_repeated_statements_are_never_shown_as_cited_fact(retriever):
    invented = "Focal points were abolished in 2016 by a decision of the General Assembly."
    model = SentenceQuoter(script=[
        (PROMISING, "particularly promising development"),
        (invented, "particularly promising development"),
        (PROMISING.replace("are a promising", "are a promising and"), "particularly promising development"),
    ])
    answer = _assistant(retriever, model).ask(FOCAL)
    assert invented not in answer.text
    assert [s.text for s in answer.unverified] == [invented]
    assert len(answer.statements) == 2  # the near-repeat was dropped
    assert "not supported" in answer.reason


def test_model_that_finds_no_answer_leaves_the_verified_key_sentences(retriever):
    answer = _assistant(retriever, SentenceQuoter(script=[], answerable=False)).ask(FOCAL)
    assert not answer.abstained and answer.model_declined
    assert answer.text == answer.key_sentences and answer.citations
    assert "found no answer" in answer.reason


def test_reply_that_is_not_the_json_asked_for_is_read_as_free_text(retriever):
    raw = ("The establishment of Member State focal points to integrate an atrocity crime perspective into "
           "national policy is a particularly promising development of the past decade.")
    answer = _assistant(retriever, SentenceQuoter(script=[], raw=raw)).ask(FOCAL)
    assert "A/69/981, para. 24" in [c.reference for c in answer.citations]  # attributed as free text is
    assert not answer.statements


def test_prompt_keeps_the_best_sentence_of_every_source_within_the_budget(retriever):
    passages = retriever.retrieve(FOCAL).passages[:5]
    sentences = number_sentences(FOCAL, passages)
    assert [s.id for s in sentences] == list(range(1, len(sentences) + 1))
    assert {s.source for s in sentences} == set(range(1, 6))
    assert sum(estimate_tokens(s.text) + 4 for s in sentences) <= PROMPT_TOKENS_BUDGET
    tight = number_sentences(FOCAL, passages, budget=150)
    assert len(tight) < len(sentences)


def test_streamed_reply_yields_statements_as_they_complete():
    reply = json.dumps({"answerable": True, "statements": [{"text": "A \"quoted\" one.", "sentences": [2, 3]},
                                                           {"text": "Second.", "sentences": [4]}]})
    cut = reply[: reply.index("Second") + 3]
    assert [(s.text, s.sentence_ids) for s in complete_statements(cut)] == [('A "quoted" one.', (2, 3))]
    truncated = parse_reply(cut)  # the token limit cut it off: the complete statement is kept
    assert truncated.parsed and len(truncated.statements) == 1
    assert not parse_reply("The reports say many things [1].").parsed
    assert not parse_reply('{"answerable": false, "statements": []}').answerable


def test_schema_compiles_to_a_llama_cpp_grammar_that_only_admits_the_sent_ids():
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar")
    gbnf = llama_grammar.json_schema_to_gbnf(json.dumps(reply_schema([1, 2, 3], 5)))
    assert '"1"' in gbnf and '"3"' in gbnf and '"4"' not in gbnf
    llama_grammar.LlamaGrammar.from_string(gbnf, verbose=False)


@pytest.mark.parametrize(("statement", "supported"), [
    ("Focal point networks are a powerful way to share experiences and lessons learned.", True),
    ("Focal point networks are not a useful way to share experiences and lessons learned.", False),
    ("Focal point networks have 193 members sharing experiences and lessons learned.", False),
    ("The Security Council must refer every situation to the International Criminal Court.", False),
])
def test_support_check_reads_what_the_statement_says(embedder, statement, supported):
    evidence = ["Focal point networks have become a powerful mechanism for sharing contemporary or historical "
                "experiences and lessons learned."]
    assert check(statement, evidence, "A/69/981, para. 69 2015", embedder.embed).supported is supported


def test_briefing_and_compare_carry_only_the_verified_statements(retriever):
    from assistant.outputs.briefing import item_from_answer
    from assistant.outputs.compare import compare

    invented = "Focal points were abolished in 2016 by a decision of the General Assembly."
    model = SentenceQuoter(script=[(PROMISING, "particularly promising development"),
                                   (invented, "particularly promising development")])
    assistant = _assistant(retriever, model)
    item = item_from_answer(assistant.ask(FOCAL), {})
    assert REPORT_SAYS in item.text and invented not in item.text
    assert [ref.locator for _, ref in item.references] == ["para. 24"]
    docs = [d for d in retriever.documents() if d.doc_id == "A/69/981"]
    row = compare(assistant.ask, "What do the reports say about national focal points?", docs)[0]
    assert invented not in row.says and "(para. 24)" in row.says


def test_statement_citing_the_wrong_sentence_is_cited_to_the_sentence_that_carries_it(retriever):
    model = SentenceQuoter(script=[(PROMISING, "particularly promising development")], off_by=1)
    answer = _assistant(retriever, model).ask(FOCAL)
    assert [c.reference for c in answer.citations] == ["A/69/981, para. 24"]
    assert answer.statements[0].recited and answer.statements[0].supported and answer.statements[0].quoted


def test_replay_rescores_a_recorded_reply_with_the_recorded_timings(ingested, retriever, tmp_path):
    from evals.replay import replay_asker

    passages = retriever.retrieve(FOCAL).passages[:5]
    ids = [s.id for s in number_sentences(FOCAL, passages) if "particularly promising development" in s.text]
    reply = json.dumps({"answerable": True, "statements": [{"text": PROMISING, "sentences": ids}]})
    report = {"meta": {"model": "local-fast"}, "questions": [
        {"question": FOCAL, "standalone_question": FOCAL, "model_reply": reply, "timings": {"total": 7.5}}]}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    ask, model = replay_asker(path, ingested)
    answer = ask(FOCAL, [])
    assert model == "local-fast" and answer.timings == {"total": 7.5}
    assert [c.reference for c in answer.citations] == ["A/69/981, para. 24"] and answer.model_reply == reply


@pytest.mark.parametrize(("statement", "evidence", "supported"), [
    ("The commission found that NATO conducted a highly precise campaign.",
     "The commission of inquiry found that NATO had conducted a highly precise campaign.", True),
    ("NATO conducted a highly precise campaign.",  # a finding reported as established fact
     "The commission of inquiry found that NATO had conducted a highly precise campaign.", False),
    ("Parliaments could also consider steps taken to fulfil pillars two and three.",  # who "they" are is not given
     "They could also consider steps taken in fulfilment of responsibilities relevant to pillars two "
     "and three.", False),
    ("The international community struggles to manage declining State control over territory.",  # drops the hedge
     "In some circumstances, the international community is also struggling to manage declining State control "
     "over its territory.", False),
    ("Focal point networks for sharing experiences and lessons learned",  # a fragment asserts nothing
     "Focal point networks have become a powerful mechanism for sharing experiences and lessons learned.", False),
])
def test_support_check_keeps_qualifiers_subjects_and_sentence_form(embedder, statement, evidence, supported):
    assert check(statement, [evidence], "A/69/981, para. 69 2015", embedder.embed).supported is supported


def test_support_check_refuses_a_reason_the_sentence_does_not_give(embedder):
    evidence = ["By prevention, I mean doing everything we can to help States avert the outbreak of the crises "
                "that take such a high toll on humanity."]
    restated = "Prevention means doing everything we can to help States avert the outbreak of crises."
    reasoned = ("The 2017 report prioritizes prevention because it means doing everything we can to help States "
                "avert the outbreak of the crises that take such a high toll on humanity.")
    assert check(restated, evidence, "A/71/1016, para. 4 2017", embedder.embed).supported
    result = check(reasoned, evidence, "A/71/1016, para. 4 2017", embedder.embed)
    assert not result.supported
    assert result.why_not == "the statement gives a cause or consequence the cited sentences do not"
