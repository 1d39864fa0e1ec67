"""Follow-ups condensed without a model read as questions a user would ask."""

from __future__ import annotations

import re

import pytest

from assistant.condense import ContextCondenser, LLMCondenser, split_context
from assistant.models.extractive import compose
from assistant.models.reply import ReplyChatModel
from assistant.records import Turn


def _history(question: str) -> list[Turn]:
    return [Turn("user", question), Turn("assistant", "It says a great deal (A/69/981, para. 24).")]


@pytest.mark.parametrize(
    ("previous", "follow_up", "standalone"),
    [
        ("What does the 2015 report say about national R2P focal points?",
         "What should the national strategies backing them contain?",
         "In the 2015 report, on national R2P focal points: what should the national strategies backing them contain?"),
        ("The 2016 R2P report talks about external actors enabling atrocities. What does it mean by that?",
         "Does it name a specific situation?",
         "In the 2016 R2P report, on external actors enabling atrocities: does it name a specific situation?"),
        ("How does the 2012 report describe the General Assembly's role?", "And what did that resolution say?",
         "In the 2012 report, on the General Assembly's role: what did that resolution say?"),
        ("What do the reports say about early warning?", "And who acts on it?", "On early warning: who acts on it?"),
        ("Which treaties does the 2017 report urge States to ratify?", "What does that arms treaty ban?",
         "After “Which treaties does the 2017 report urge States to ratify?”: what does that arms treaty ban?"),
        ("What new challenges in protection does the 2015 report identify?",
         "How could the second one actually help with prevention?",
         "After “What new challenges in protection does the 2015 report identify?”: "
         "how could the second one actually help with prevention?"),
    ],
)
def test_follow_up_is_led_by_the_report_and_subject_of_the_previous_question(previous, follow_up, standalone):
    assert ContextCondenser().condense(follow_up, _history(previous)) == standalone


def test_a_follow_up_may_open_with_ok_or_thanks():
    history = _history("How many countries are in the Global Network of R2P Focal Points, per the 2016 summary?")
    assert ContextCondenser().condense("ok and what number does the 2017 report give?", history) == (
        "After “How many countries are in the Global Network of R2P Focal Points, per the report?”: "
        "what number does the 2017 report give?")


def test_a_question_that_stands_alone_is_left_as_asked():
    history = _history("What does the 2015 report say about national R2P focal points?")
    question = "How many Member States have appointed a national focal point according to the 2017 report?"
    assert ContextCondenser().condense(question, history) == question
    assert ContextCondenser().condense("Does it name a situation?", []) == "Does it name a situation?"


def test_follow_up_naming_its_own_report_keeps_only_the_subject():
    history = _history("What does the 2012 report say about ECOWAS?")
    assert ContextCondenser().condense("And what does the 2015 report say about it?", history) == (
        "What does the 2015 report say about ECOWAS?")
    assert ContextCondenser().condense("And how does the 2015 report assess it?", history) == (
        "On ECOWAS: how does the 2015 report assess it?")


def test_follow_up_naming_its_own_report_is_not_searched_in_the_previous_one(retriever):
    history = _history("And what was the 2012 report's own focus?")
    question = "And the later ones the 2015 report cites for the first two pillars, which were those?"
    standalone = ContextCondenser().condense(question, history)
    assert standalone == ("After “And what was the report's own focus?”: the later ones the 2015 report cites for "
                          "the first two pillars, which were those?")
    assert {p.unit.doc_id for p in retriever.retrieve(standalone).passages} == {"A/69/981"}


def test_a_chain_of_follow_ups_keeps_the_latest_report_and_the_subject_of_the_thread(retriever):
    history = [Turn("user", "What does the 2015 report say about national focal points?"),
               Turn("assistant", "Focal point networks have become a powerful mechanism (A/69/981, para. 69)."),
               Turn("user", "And the 2017 report?"),
               Turn("assistant", "Fifty-nine States have appointed one (A/71/1016, para. 38).")]
    standalone = ContextCondenser().condense("How many States have appointed one?", history)
    assert standalone == "In the 2017 report, on national focal points: how many States have appointed one?"
    assert retriever.retrieve(standalone).passages[0].unit.citation == "A/71/1016, para. 38"


@pytest.mark.parametrize(("previous", "reply", "standalone"), [
    ("What does the 2015 report say about national focal points?", "And the 2017 report?",
     "What does the 2017 report say about national focal points?"),
    ("What does paragraph 12 say?", "The 2015 one", "What does paragraph 12 say in the 2015 report?"),
    ("What does footnote 22 say?", "In the 2017 report, please.", "What does footnote 22 say in the 2017 report?"),
])
def test_a_reply_that_only_names_a_report_asks_the_previous_question_of_it(previous, reply, standalone):
    assert ContextCondenser().condense(reply, _history(previous)) == standalone


def test_a_new_question_ends_the_thread_a_later_follow_up_leans_on():
    history = [Turn("user", "What does the 2015 report say about national focal points?"), Turn("assistant", "..."),
               Turn("user", "What do the reports say about early warning mechanisms?"), Turn("assistant", "...")]
    assert ContextCondenser().condense("And who acts on it?", history) == (
        "On early warning mechanisms: who acts on it?")


def test_split_context_separates_the_follow_up_from_the_context_it_was_given():
    assert split_context("In the 2015 report, on focal points: what should they contain?") == (
        "what should they contain?", "In the 2015 report, on focal points: ")
    assert split_context("What should national strategies contain?") == ("What should national strategies contain?", "")


def test_extractive_answer_weighs_the_follow_ups_own_words_above_the_context():
    sources = [(1, "A/69/981, para. 24", "National focal points are a promising development in many regions."),
               (2, "A/69/981, para. 69", "National strategies should contain a risk assessment and a plan.")]
    question = "In the 2015 report, on national focal points: what should the national strategies contain?"
    answer = compose(question, sources)
    assert answer.startswith("National strategies should contain a risk assessment and a plan. [2]")


def test_extractive_answer_prefers_the_better_ranked_paragraph_unless_a_lower_one_matches_clearly_more():
    question = "What do the reports say about warning and prevention?"
    sources = [
        (1, "A/69/981, para. 50", "Warning signs must lead to action by States."),
        (2, "A/69/981, para. 51", "Warning is not enough."),
        (3, "A/69/981, para. 52", "Resources are scarce for this work."),
        (4, "A/69/981, para. 53", "Regional offices share information."),
        (5, "A/69/981, para. 54", "Prevention is the best policy."),
    ]
    # "prevention" is rarer among the sources than "warning", but one rarer word does not
    # outweigh four places lower in the retrieval order...
    assert compose(question, sources, max_sentences=1).endswith("[1]")
    # ...nor does a sentence with both words that far down, for a question one paragraph answers...
    sources[4] = (5, "A/69/981, para. 54", "Warning and prevention go together.")
    assert compose(question, sources, max_sentences=1).endswith("[1]")
    # ...while one place down it does.
    sources[1], sources[4] = (2, "A/69/981, para. 51", "Warning and prevention go together."), sources[1]
    assert compose(question, sources, max_sentences=1).endswith("[2]")


class Rewriter(ReplyChatModel):
    """Replies with a fixed rewrite, as a model asked to condense would."""

    rewrite: str

    @property
    def _llm_type(self) -> str:
        return "rewriter"

    def _reply(self, messages) -> str:
        return self.rewrite


def test_model_rewrite_must_keep_the_report_the_follow_up_names_not_the_previous_one():
    history = _history("What does the 2012 report say about ECOWAS?")
    question = "And how does the 2015 report assess it?"
    kept = LLMCondenser(Rewriter(rewrite="How does the 2015 report assess ECOWAS?"))
    assert kept.condense(question, history) == "How does the 2015 report assess ECOWAS?"
    lost = LLMCondenser(Rewriter(rewrite="How does the 2012 report assess ECOWAS?"))
    assert lost.condense(question, history) == "On ECOWAS: how does the 2015 report assess it?"


def test_the_second_one_is_the_second_item_of_the_list_the_previous_answer_set_out():
    bullets = [Turn("user", "What are the four priority areas of the 2016 report?"),
               Turn("assistant", "The summary sets out four priorities:\n- Prevention of mass atrocities [1]\n"
                                 "- Accountability for perpetrators [2]\n- Regional protection architectures [3]\n"
                                 "- Strengthening the role of the UN [4]")]
    assert ContextCondenser().condense("Tell me more about the third one", bullets) == (
        "After “What are the four priority areas of the 2016 report?”: "
        "tell me more about “Regional protection architectures”")
    counted = [Turn("user", "What new challenges in protection does the 2015 report identify?"),
               Turn("assistant", "It highlights two: non-State armed groups such as ISIL, Boko Haram and "
                                 "Al-Shabaab, and the impact of new technologies (A/69/981, para. 45).")]
    assert ContextCondenser().condense("How could the second one help with prevention?", counted) == (
        "After “What new challenges in protection does the 2015 report identify?”: "
        "how could “the impact of new technologies” help with prevention?")
    # No list to count in: the question is left as the user put it.
    assert ContextCondenser().condense("And the second one?", _history("What does the 2015 report say?")).endswith(
        "the second one?")


@pytest.mark.parametrize("reply", ["and in 2017?", "What about 2017?", "And the 2017 report?"])
def test_a_year_alone_after_a_question_about_a_report_asks_it_of_that_years_report(reply):
    history = _history("According to the 2016 summary, how many member states backed the ACT code of conduct?")
    assert ContextCondenser().condense(reply, history) == (
        "According to the 2017 report, how many member states backed the ACT code of conduct?")
    # Without a report in the previous question, a year is not a report's name.
    assert ContextCondenser().condense("and in 2017?", _history("What does paragraph 12 say?")) == (
        "After “What does paragraph 12 say?”: in 2017?")


def test_compare_answer_quotes_each_reports_best_ranked_paragraph_over_a_lower_one_with_more_words():
    question = "What do the 2012 and 2015 reports say about humanitarian action and access?"
    sources = [
        (1, "A/66/874, para. 44", "Humanitarian access must be kept open in every crisis."),
        (2, "A/69/981, para. 23", "Humanitarian access is denied too often by parties to conflict."),
        (3, "A/66/874, para. 9", "Resources for this work remain scarce."),
        (4, "A/69/981, para. 15", "Regional offices share information."),
        (5, "A/66/874, para. 30", "Humanitarian action and access are part of the wider response."),
        (6, "A/69/981, para. 40", "Humanitarian action depends on access and on funding."),
    ]
    # Each report's answer comes from its first paragraph in retrieval: a paragraph two places
    # lower in the same report needs far more of the question's words than one more.
    answer = compose(question, sources)
    assert re.findall(r"\[\d\]", answer) == ["[1]", "[2]"]
