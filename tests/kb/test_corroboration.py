"""Origins, voice and the status rule (factmodel/corroboration.py; docs/methodology.md, section 2),
each rule on citations written out here, then as properties (Hypothesis) on generated citations."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factmodel.corroboration import citation_voice, independent_sources, origins, status_problem

REPORT, OTHER = "bloomberg-report-2020", "reuters-report-2020"


def cite(source, publisher, *links, published="2020-04-28"):
    chain = [{"relation": r, "entity": e, "fact": f} for r, e, f in links]
    return {"source": source, "publisher": publisher, "published": published, "attribution": chain}


@pytest.mark.parametrize("citations, expected", [
    # the article's own voice, twice: one source
    ([cite("a", "The New Arab"), cite("a", "The New Arab")], ["outlet:the-new-arab"] * 2),
    # H3: a relayed report beside a bare "reportedly" of the same article: one source, the report
    ([cite("a", "The New Arab", ("unattributed", None, None)),
      cite("a", "The New Arab", ("reported_by", "bloomberg", REPORT))], [f"report:{REPORT}"] * 2),
    # one article naming two reports: two sources (and its own voice counts for the publisher)
    ([cite("a", "The New Arab", ("reported_by", "bloomberg", REPORT)),
      cite("a", "The New Arab", ("reported_by", "reuters", OTHER)), cite("a", "The New Arab")],
     [f"report:{REPORT}", f"report:{OTHER}", "outlet:the-new-arab"]),
    # two outlets relaying one report: one source
    ([cite("a", "The New Arab", ("reported_by", "bloomberg", REPORT)),
      cite("b", "Daily B", ("citing", "bloomberg", REPORT))], [f"report:{REPORT}"] * 2),
    # an outlet named without a report fact
    ([cite("a", "The New Arab", ("reported_by", "bloomberg", None))], ["outlet:bloomberg"]),
    # people named by according_to or citing are no origin: the article is
    ([cite("a", "Bloomberg", ("according_to", "elena-suponina", None)),
      cite("b", "Bloomberg", ("citing", "former-officials", None))], ["outlet:bloomberg"] * 2),
    # two articles by two publishers in their own voice: two sources
    ([cite("a", "Bloomberg"), cite("b", "The New Arab")], ["outlet:bloomberg", "outlet:the-new-arab"]),
])
def test_origins(citations, expected):
    assert origins(citations) == expected
    assert independent_sources(citations) == len(set(expected))


@pytest.mark.parametrize("links, speaker, voice", [
    ([], None, "own"),
    ([("released_by", "kremlin", "video")], None, "own"),  # the channel
    ([("said_to", "bloomberg", None)], None, "own"),
    ([("according_to", "putin", None)], "putin", "own"),  # a statement's own speaker
    ([("according_to", "putin", None)], None, "attributed"),
    ([("according_to", "suponina", None)], "syria", "attributed"),
    ([("unattributed", None, None)], None, "attributed"),  # "reportedly" is someone else
    ([("reported_by", "bloomberg", REPORT), ("said_to", "bloomberg", None)], "shumilin", "attributed"),
])
def test_voice(links, speaker, voice):
    assert citation_voice(cite("a", "X", *links), speaker) == voice


def test_status_follows_the_voice():
    own, relayed = cite("a", "X"), cite("a", "X", ("according_to", "suponina", None))
    assert status_problem("stated", [relayed, own]) is None
    assert status_problem("reported", [relayed]) is None
    assert status_problem("stated", [relayed]) == (0, (
        "status 'stated' says the article asserts it in its own voice, but every citation attributes it to someone "
        "else (citation 1: according_to suponina): use status 'reported', or cite a sentence the article says in its "
        "own voice"))
    assert status_problem("reported", [relayed, own])[0] == 1
    for status in ("predicted", "denied"):  # as they were: no rule on their voice
        assert status_problem(status, [own]) is None and status_problem(status, [relayed]) is None


# ---- properties ---------------------------------------------------------------------------------
LINKS = st.sampled_from([("according_to", "p", None), ("citing", "q", None), ("unattributed", None, None),
                         ("released_by", "k", None), ("said_to", "o", None), ("reported_by", "bloomberg", None),
                         ("reported_by", "reuters", None), ("reported_by", "bloomberg", REPORT),
                         ("citing", "reuters", OTHER)])
ARTICLES = {"a": ("Alpha", "2020-01-10"), "b": ("Beta", "2021-05-01"), "c": ("Alpha", "2022-03-03")}


@st.composite
def citations(draw):
    out = []
    for _ in range(draw(st.integers(1, 6))):
        source = draw(st.sampled_from(sorted(ARTICLES)))
        out.append(cite(source, ARTICLES[source][0], *draw(st.lists(LINKS, max_size=3)),
                        published=ARTICLES[source][1]))
    return out


@settings(max_examples=300, deadline=None)
@given(citations())
def test_one_article_is_one_origin_unless_it_names_two(found):
    for source in ARTICLES:
        mine = [c for c in found if c["source"] == source]
        named = {f"report:{link['fact']}" if link["fact"] else f"outlet:{link['entity']}" for c in mine
                 for link in c["attribution"] if link["fact"] or link["relation"] == "reported_by"}
        if len(named) <= 1:
            assert len(set(origins(mine))) <= 1


@settings(max_examples=300, deadline=None)
@given(citations(), st.sampled_from(["2020-06-30", "2021-12-31", "2022-12-31"]))
def test_an_earlier_as_of_never_raises_independent_sources(found, as_of):
    earlier = [c for c in found if c["published"] <= as_of]
    assert independent_sources(earlier) <= independent_sources(found)


@settings(max_examples=300, deadline=None)
@given(citations(), st.sampled_from(["stated", "reported"]), st.none() | st.sampled_from(["p", "q"]))
def test_a_stated_fact_the_rule_accepts_has_an_own_voice_citation(found, status, speaker):
    if status_problem(status, found, speaker) is None:
        voices = {citation_voice(c, speaker) for c in found}
        assert ("own" in voices) if status == "stated" else (voices == {"attributed"})
