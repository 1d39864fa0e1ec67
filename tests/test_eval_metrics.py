import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.numbers import number_to_words, words_to_number
from evals.dataset import EvalCase, EvalDataError, GoldEntry, load_cases
from evals.metrics import (
    CitationScores,
    QuestionResult,
    RetrievalScores,
    ScoredPassage,
    abstention_correct,
    citation_scores,
    hits,
    must_include_coverage,
    normalize,
    retrieval_scores,
    score_case,
)
from evals.summary import compare, lower_is_better, percentile, summarize
from ingest.errors import R2PError

DEV = Path(__file__).parents[1] / "evals/data/dev.jsonl"
QUOTE = "only the security council can authorize the use of force"
FN_QUOTE = "the international commission on intervention and state sovereignty (2001) was first"


def passage(para, text="unrelated text", doc="A/66/874", footnotes=()):
    return ScoredPassage(doc=doc, para=para, text=text, footnotes=footnotes)


def gold(para, quote=QUOTE, doc="A/66/874"):
    return GoldEntry(doc=doc, para=para, quote=quote)


# --- matching rules ---------------------------------------------------------


def test_normalize_nfkc_whitespace_case():
    assert normalize("Ａrticle\u00a042,\n  of the  CHARTER") == "article 42, of the charter"


def test_hit_needs_doc_quote_and_para():
    text = f"Under the Charter, {QUOTE.upper()}, under Chapter VII."
    assert hits(passage("32", text), gold("32"))
    assert not hits(passage("32", text, doc="A/69/981"), gold("32"))
    assert not hits(passage("33", text), gold("32"))
    assert not hits(passage("32", "something else"), gold("32"))


def test_quote_matches_across_line_breaks_and_nfkc():
    text = "Only the Security\n   Council can authorize the use\u00a0of force."
    assert hits(passage("32", text), gold("32"))


def test_null_para_matches_any_unit_of_the_doc():
    summary = "A/70/999-summary"
    entry = gold(None, quote="five recommendations are also provided", doc=summary)
    block = passage("Section III, bullet 2", "Five recommendations are also provided:", doc=summary)
    assert hits(block, entry)
    assert not hits(passage("4", "Five recommendations are also provided:"), entry)


def test_footnote_gold_hit_by_footnote_itself_and_by_carrier():
    entry = gold("fn1", quote=FN_QUOTE)
    assert hits(passage("fn1", FN_QUOTE.capitalize()), entry)
    carrier = passage("3", "The concept emerged in 2001.", footnotes=((1, FN_QUOTE),))
    assert hits(carrier, entry)


def test_footnote_gold_not_hit_by_paragraph_only_quoting_it():
    entry = gold("fn1", quote=FN_QUOTE)
    quoting = passage("5", f"As noted, {FN_QUOTE}.", footnotes=((2, "See A/63/677."),))
    assert not hits(quoting, entry)
    assert not hits(passage("fn2", FN_QUOTE), entry)


def test_footnote_text_counts_only_when_attached():
    entry = gold("7", quote=FN_QUOTE)
    assert hits(passage("7", "Body.", footnotes=((4, FN_QUOTE),)), entry)
    assert not hits(passage("7", "Body."), entry)


def test_numbered_gold_not_hit_by_footnote_with_same_number():
    assert not hits(passage("fn32", QUOTE), gold("32"))


# --- retrieval --------------------------------------------------------------


def test_gold_at_rank_three():
    ranked = [passage("1"), passage("2"), passage("32", QUOTE), passage("4")]
    scores = retrieval_scores(ranked, [gold("32")])
    assert (scores.recall_at_1, scores.recall_at_3, scores.recall_at_10) == (0.0, 1.0, 1.0)
    assert scores.reciprocal_rank == pytest.approx(1 / 3)
    assert scores.all_gold_at_10 is None


def test_multi_gold_recall_and_all_gold():
    entries = [gold("32"), gold("40", quote="pillars are not sequenced")]
    ranked = [passage("9")] * 4 + [passage("32", QUOTE)]
    scores = retrieval_scores(ranked, entries)
    assert scores.recall_at_3 == 0.0 and scores.recall_at_5 == 0.5
    assert scores.reciprocal_rank == pytest.approx(1 / 5)
    assert scores.all_gold_at_10 == 0.0
    ranked.append(passage("40", "Pillars are not sequenced."))
    assert retrieval_scores(ranked, entries).all_gold_at_10 == 1.0


def test_no_hit_and_no_gold():
    assert retrieval_scores([passage("1")], [gold("32")]).reciprocal_rank == 0.0
    assert retrieval_scores([passage("1")], []) is None


# --- citations and abstention -------------------------------------------------


def test_citation_outside_retrieved_set():
    retrieved = [passage("32", QUOTE), passage("12")]
    cited = [passage("32", QUOTE), passage("99", "a paragraph never retrieved")]
    scores = citation_scores(cited, retrieved, [gold("32")])
    assert scores == CitationScores(precision=0.5, recall=1.0, cites_outside_retrieved=True)
    inside = citation_scores(cited[:1], retrieved, [gold("32")])
    assert inside.cites_outside_retrieved is False and inside.precision == 1.0


def test_citations_deduplicated_and_compared_by_doc_and_para():
    retrieved = [passage("32", QUOTE), passage("12")]
    cited = [passage("32", QUOTE), passage("12"), passage("32", QUOTE)]
    scores = citation_scores(cited, retrieved, [gold("32"), gold("40", quote="not cited")])
    assert scores.cites_outside_retrieved is False
    assert scores.precision == 0.5 and scores.recall == 0.5
    other_doc = citation_scores([passage("12", doc="A/69/981")], retrieved, [gold("32")])
    assert other_doc.cites_outside_retrieved is True


def test_citation_scores_undefined_cases():
    assert citation_scores([], [], [gold("32")]) == CitationScores(None, 0.0, False)
    assert citation_scores([passage("1")], [], []) == CitationScores(None, None, True)


def test_abstention():
    assert abstention_correct(False, abstained=True, n_citations=0) is True
    assert abstention_correct(False, abstained=True, n_citations=1) is False
    assert abstention_correct(False, abstained=False, n_citations=0) is False
    assert abstention_correct(True, abstained=True, n_citations=0) is None


# --- must_include -----------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("Forty-nine States have appointed focal points.", "49"),
        ("Forty nine States", "49"),
        ("49 States", "forty-nine"),
        ("six recommendations", "6"),
        ("within 30 days", "thirty"),
        ("thirty days", "30"),
        ("one thousand people", "1,000"),
        ("1000 people", "1,000"),
        ("1,000 people", "one thousand"),
        ("some 118,000 refugees", "118,000"),
        ("one hundred and eighteen thousand refugees", "118000"),
        ("Building CAPACITIES in states", "capacit"),
        ("Article Forty-Two of the Charter", "article 42"),
        ("on ten January 2017", "10 january 2017"),
    ],
)
def test_must_include_term_found(answer, term):
    assert must_include_coverage(answer, [term]) == (1.0, True)


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("in 2010", "10"),
        ("sixty States", "six"),
        ("this is often said", "ten"),
        ("10.5 per cent", "10"),
        ("forty-nine", "48"),
    ],
)
def test_must_include_number_needs_whole_number(answer, term):
    assert must_include_coverage(answer, [term]) == (0.0, False)


def test_must_include_partial_and_empty():
    assert must_include_coverage("Kenya in 2008", ["kenya", "kyrgyzstan"]) == (0.5, False)
    assert must_include_coverage("anything", []) is None


def test_number_words_round_trip():
    assert number_to_words(49) == "forty-nine"
    assert number_to_words(118_000) == "one hundred eighteen thousand"
    assert number_to_words(2017) == "two thousand seventeen"
    for n in (0, 7, 13, 20, 99, 100, 101, 999, 1000, 1001, 45_678, 999_999):
        assert words_to_number(number_to_words(n)) == n
    assert words_to_number("one hundred and five") == 105
    assert words_to_number("six seven") is None
    assert words_to_number("hundred") is None


# --- aggregation ------------------------------------------------------------


def result(case_id, kind, recall=1.0, *, answerable=True, abstained=False, timings=None):
    retrieval = RetrievalScores(recall, recall, recall, recall, recall, None)
    return QuestionResult(
        case_id=case_id,
        kind=kind,
        answerable=answerable,
        retrieval=retrieval if answerable else None,
        citations=CitationScores(recall, recall, False) if answerable else None,
        must_include=(recall, recall == 1.0) if answerable else None,
        abstained=abstained,
        abstention_correct=None if answerable else abstained,
        timings=timings or {},
    )


def test_percentile_linear_interpolation():
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summarize_overall_and_per_kind():
    records = [
        result("q1", "lookup", 1.0, timings={"retrieve": 0.1, "total": 1.0}),
        result("q2", "lookup", 0.0, abstained=True, timings={"retrieve": 0.3, "total": 3.0}),
        result("q3", "list", 0.5, timings={"retrieve": 0.2, "total": 2.0}),
        result("q4", "unanswerable", answerable=False, abstained=True),
        result("q5", "unanswerable", answerable=False, abstained=False),
    ]
    summary = summarize(records)
    overall = summary["overall"]
    assert overall["n"] == 5 and overall["n_answerable"] == 3
    assert overall["recall@5"] == pytest.approx(0.5)
    assert overall["citation_precision"] == pytest.approx(0.5)
    assert overall["abstention_correct"] == 0.5
    assert overall["wrongly_abstained"] == pytest.approx(1 / 3)
    assert overall["must_include_all"] == pytest.approx(1 / 3)
    assert overall["latency_p50_retrieve"] == pytest.approx(0.2)
    assert overall["latency_p95_total"] == pytest.approx(2.9)
    assert overall["all_gold@10"] is None
    lookup = summary["by_kind"]["lookup"]
    assert lookup["n"] == 2 and lookup["recall@1"] == 0.5 and lookup["mrr"] == 0.5
    assert summary["by_kind"]["list"]["recall@10"] == 0.5
    unanswerable = summary["by_kind"]["unanswerable"]
    assert unanswerable["recall@1"] is None and unanswerable["abstention_correct"] == 0.5
    json.dumps(summary)


def test_caution_shares_split_answers_citing_no_gold_paragraph_from_the_others():
    def answered(case_id, counts, cautioned, answerable=True):
        return replace(result(case_id, "paraphrase", answerable=answerable), cited_counts=counts, cautioned=cautioned)

    records = [
        answered("q1", (1, 0, 0), True),  # cites a paragraph that is not gold, cautioned
        answered("q2", (1, 0, 0), False),
        answered("q3", (2, 1, 1), True),  # one of its two citations is gold: right, cautioned
        answered("q4", (1, 1, 1), False),
        answered("q5", (1, 0, 0), True, answerable=False),  # an unanswerable question answered
        answered("q6", (0, 0, 0), True),  # no citation: neither
        replace(answered("q7", (0, 0, 0), True), abstained=True),
    ]
    overall = summarize(records)["overall"]
    assert overall["caution_on_wrong"] == pytest.approx(2 / 3)
    assert overall["caution_on_right"] == pytest.approx(1 / 2)
    assert lower_is_better("caution_on_right") and not lower_is_better("caution_on_wrong")


def test_cites_outside_counts_every_answer():
    inside = result("q1", "lookup")
    outside = QuestionResult("q2", "unanswerable", False, None, CitationScores(None, None, True),
                             None, False, False, {})
    assert summarize([inside, outside])["overall"]["cites_outside_retrieved"] == 0.5


# --- regression comparison --------------------------------------------------


def summary_with(**metrics):
    return {"overall": metrics, "by_kind": {"lookup": metrics}}


def test_compare_flags_drop_beyond_tolerance():
    baseline, current = summary_with(**{"recall@5": 0.80}), summary_with(**{"recall@5": 0.75})
    flagged = compare(current, baseline, {"recall@5": 0.02})
    assert [(r.metric, r.scope) for r in flagged] == [("recall@5", "overall")]
    assert flagged[0].describe() == "overall recall@5: 0.800 -> 0.750 (tolerance 0.020)"
    assert compare(current, baseline, {"recall@5": 0.1}) == []
    assert compare(current, baseline, {"recall@5": 0.05}) == []
    assert len(compare(current, baseline, {"recall@5": 0.02}, per_kind=True)) == 2


def test_compare_lower_is_better_and_missing_metrics():
    baseline = summary_with(wrongly_abstained=0.0, latency_p95_total=2.0, mrr=None)
    current = summary_with(wrongly_abstained=0.1, latency_p95_total=1.0, mrr=0.5)
    tolerances = {"wrongly_abstained": 0.05, "latency_p95_total": 0.5, "mrr": 0.0, "nope": 0}
    assert [r.metric for r in compare(current, baseline, tolerances)] == ["wrongly_abstained"]
    better = summary_with(wrongly_abstained=0.0, latency_p95_total=1.0)
    assert compare(better, current, {"wrongly_abstained": 0.0}) == []


# --- dataset ----------------------------------------------------------------


def test_score_case_end_to_end():
    case = EvalCase(id="q004", question="Who?", kind="lookup", answerable=True,
                    gold=[gold("32")], must_include=["security council", "article 42"])
    hit = passage("32", QUOTE)
    scored = score_case(case, retrieved=[passage("1"), hit], cited=[hit],
                        answer="The Security Council, under Article 42.", abstained=False,
                        timings={"total": 1.5})
    assert scored.retrieval.reciprocal_rank == 0.5
    assert scored.citations == CitationScores(1.0, 1.0, False)
    assert scored.must_include == (1.0, True) and scored.abstention_correct is None


def test_dev_set_loads():
    cases = load_cases(DEV)
    assert len(cases) == 72
    assert sum(not case.answerable for case in cases) == 7
    assert all(case.gold for case in cases if case.answerable)
    quotes = [entry.quote for case in cases for entry in case.gold]
    assert quotes and all(8 <= len(quote.split()) <= 25 for quote in quotes)
    assert all(case.history for case in cases if case.kind == "followup")


def test_load_cases_reports_file_and_line(tmp_path):
    good = json.dumps({"id": "a", "question": "q", "kind": "lookup", "answerable": False,
                       "gold": [], "extra": 1})
    path = tmp_path / "set.jsonl"
    path.write_text(f"{good}\n\n{{not json\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"set\.jsonl:3: invalid JSON") as info:
        load_cases(path)
    assert isinstance(info.value, R2PError) and "\n" not in str(info.value)
    path.write_text(good.replace('"gold": []', '"gold": [{"doc": "A/1", "para": 3}]') + "\n")
    with pytest.raises(EvalDataError, match=r"set\.jsonl:1: gold\.0\.quote: Field required"):
        load_cases(path)
    path.write_text(f"{good}\n{good}\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match=r":2: duplicate id 'a'"):
        load_cases(path)
    with pytest.raises(EvalDataError, match="cannot read"):
        load_cases(tmp_path / "missing.jsonl")


def test_gold_para_accepts_integers():
    assert GoldEntry(doc="A/1", para=12, quote="x").para == "12"


def test_per_gold_recall_weighs_multi_paragraph_answers_by_their_gold_entries():
    single = EvalCase(id="q1", question="?", kind="lookup", answerable=True, gold=[gold("32")], must_include=[])
    double = EvalCase(id="q2", question="?", kind="compare", answerable=True,
                      gold=[gold("32"), gold("33")], must_include=[])
    hit = passage("32", QUOTE)
    records = [
        score_case(single, retrieved=[hit], cited=[hit], answer="", abstained=False, timings={}),
        score_case(double, retrieved=[passage("1")] * 10, cited=[passage("1"), hit], answer="", abstained=False,
                   timings={}),
    ]
    overall = summarize(records)["overall"]
    assert overall["recall@5"] == pytest.approx(0.5)  # question average: (1 + 0) / 2
    assert overall["recall@5_per_gold"] == pytest.approx(1 / 3)  # one of three gold paragraphs
    assert overall["citation_precision_per_gold"] == pytest.approx(2 / 3)  # 2 of 3 cited units hit gold
    assert overall["citation_recall_per_gold"] == pytest.approx(2 / 3)
    assert overall["n_gold"] == 3


def test_dev2_set_loads():
    cases = load_cases(DEV.with_name("dev2.jsonl"))
    assert len(cases) == 60
    assert sum(not case.answerable for case in cases) == 10
