"""The query language: what parses to what, one-line errors, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import ConfigError, QueryError
from monitor.match.normalize import query_words
from monitor.match.query import (
    SCOPES,
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    Term,
    format_query,
    is_bare_word,
    parse_query,
)

PARSES = [
    ("NATO", Term("NATO")),
    ('"North Atlantic Treaty Organization"', Term("North Atlantic Treaty Organization", True)),
    ("“Mark Rutte”", Term("Mark Rutte", True)),
    ("NATO OR OTAN", Or((Term("NATO"), Term("OTAN")))),
    ("Rutte NATO", And((Term("Rutte"), Term("NATO")))),
    ("Rutte AND NATO", And((Term("Rutte"), Term("NATO")))),
    ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
    ("a (b OR c)", And((Term("a"), Or((Term("b"), Term("c")))))),
    ('Rubio -"Ricky Rubio"', And((Term("Rubio"), Not(Term("Ricky Rubio", True))))),
    (
        "NATO -(Natoli OR Natoli's)",
        And((Term("NATO"), Not(Or((Term("Natoli"), Term("Natoli's")))))),
    ),
    ("title:Rubio", Field("title", Term("Rubio"))),
    ('TEXT:"State Department"', Field("text", Term("State Department", True))),
    ("title:(a OR b) c", And((Field("title", Or((Term("a"), Term("b")))), Term("c")))),
    ("lead:NATO", Field("lead", Term("NATO"))),
    ("Lead:(a OR b)", Field("lead", Or((Term("a"), Term("b"))))),
    ("Rutte NEAR/8 NATO", Near(Term("Rutte"), Term("NATO"), 8)),
    ("Rutte NEAR NATO", Near(Term("Rutte"), Term("NATO"), 10)),
    ("a NEAR/1 b NEAR/2 c", Near(Near(Term("a"), Term("b"), 1), Term("c"), 2)),
    ("(a OR b) NEAR/3 c", Near(Or((Term("a"), Term("b"))), Term("c"), 3)),
    ("x NEAR/3 y z", And((Near(Term("x"), Term("y"), 3), Term("z")))),
    ("or near and", And((Term("or"), Term("near"), Term("and")))),
    (
        "secretary-general U.S. d'État",
        And((Term("secretary-general"), Term("U.S."), Term("d'État"))),
    ),
    ("context:foo", Term("context:foo")),
    ("((NATO))", Term("NATO")),
]


@pytest.mark.parametrize(("query", "tree"), PARSES)
def test_parses(query: str, tree: Node) -> None:
    assert parse_query(query) == tree
    assert parse_query(format_query(tree)) == tree


ERRORS = [
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ("NATO OR", 7, "query ends"),
    ("OR NATO", 0, "OR where"),
    ('"North Atlantic', 0, "never closed"),
    ("(NATO OR OTAN", 0, "never closed"),
    ("NATO)", 4, "closing parenthesis"),
    ("NATO ”", 5, "closing quote"),
    ("()", 0, "empty parentheses"),
    ("-Natoli", 0, "exclusion needs something"),
    ("NATO OR -Natoli", 8, "exclusion needs something"),
    ("-a -b", 0, "only exclusions"),
    ("NATO - Natoli", 5, 'right after "-"'),
    ("title: NATO", 0, "right after title:"),
    ("title:(text:NATO)", 7, "field prefix inside"),
    ("Rutte NEAR/x NATO", 6, "NEAR/ needs a number"),
    ("Rutte NEAR/5000 NATO", 6, "NEAR/ needs a number"),
    ("Rutte NEAR/3 -NATO", 6, "NEAR joins"),
    ("Rutte NEAR/3 (NATO Dutch)", 6, "NEAR joins"),
    ("NATO —", 5, "no letters or digits"),
    ('NATO "..."', 5, "no letters or digits"),
]


@pytest.mark.parametrize(("query", "position", "problem"), ERRORS)
def test_errors_name_topic_query_and_position(query: str, position: int, problem: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query, topic="Mark Rutte")
    error = info.value
    assert isinstance(error, ConfigError)
    assert error.position == position
    message = str(error)
    assert "\n" not in message
    assert message.startswith("topic 'Mark Rutte': query: ")
    assert repr(query) in message
    assert f"at character {position + 1}:" in message
    assert problem in message


def test_error_message_escapes_newlines_in_the_query() -> None:
    with pytest.raises(QueryError) as info:
        parse_query('NATO OR\n"Nato', topic="NATO")
    assert "\n" not in str(info.value)


# -- property-based: round trip and no crash ---------------------------------

_LETTERS = "abcNATOÉéüßñ0123456789-'.&:/"
bare_words = st.text(_LETTERS, min_size=1, max_size=10).filter(is_bare_word)
phrases = (
    st.text(st.characters(blacklist_characters='"', blacklist_categories=("Cs",)), max_size=25)
    .filter(lambda s: bool(query_words(s)))
    .map(lambda s: Term(s, quoted=True))
)
terms = st.one_of(bare_words.map(Term), phrases)
positional = st.recursive(
    terms,
    lambda inner: st.one_of(
        st.builds(Near, inner, inner, st.integers(0, 1000)),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
    ),
    max_leaves=4,
)


def _combined(leaf: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    """Trees the parser accepts: exclusions only beside something positive."""

    def extend(inner: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        negated = inner.map(Not)
        conjunction = st.one_of(
            st.tuples(st.lists(inner, min_size=2, max_size=3), st.lists(negated, max_size=2)),
            st.tuples(
                st.lists(inner, min_size=1, max_size=2), st.lists(negated, min_size=1, max_size=2)
            ),
        )
        return st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
            conjunction.map(lambda ab: And(tuple(ab[0] + ab[1]))),
        )

    return st.recursive(leaf, extend, max_leaves=8)


inside_field = _combined(positional)
queries = _combined(st.one_of(positional, st.builds(Field, st.sampled_from(SCOPES), inside_field)))


@settings(max_examples=150, deadline=None)
@given(queries)
def test_every_valid_tree_round_trips_through_its_printed_form(tree: Node) -> None:
    printed = format_query(tree)
    assert parse_query(printed) == tree
    assert format_query(parse_query(printed)) == printed


query_text = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "NATO",
                "Rutte",
                '"a b"',
                "OR",
                "AND",
                "NEAR/3",
                "NEAR",
                "-",
                "(",
                ")",
                '"',
                "title:",
                "text:",
                "“",
                "”",
                "x",
                " ",
                "-y",
                "é",
                "—",
            ]
        ),
        max_size=12,
    ).map("".join),
    st.lists(
        st.sampled_from(["NATO", "OR", "-x", "(a", "b)", "NEAR/2", "title:z", '"p q"']), max_size=8
    ).map(" ".join),
)


@settings(max_examples=400, deadline=None)
@given(query_text)
def test_parser_never_crashes_and_accepted_queries_round_trip(query: str) -> None:
    try:
        tree = parse_query(query, topic="t")
    except QueryError as error:
        assert 0 <= error.position <= len(query)
        assert "\n" not in str(error)
        return
    assert parse_query(format_query(tree)) == tree
