"""The topic query language: parser, syntax tree and printed form.

The language is the one people already know from Google Alerts and
Miniflux rules, plus proximity::

    NATO OR "North Atlantic Treaty Organization"     either
    Rutte NATO                                       both (implicit AND)
    Rubio -"Ricky Rubio"                             Rubio, but not if the entry says "Ricky Rubio"
    (Rutte OR Ruttes) NEAR/8 (NATO OR Dutch)         at most 8 words apart, either order
    title:Rubio text:"State Department"              restricted to the title or the body
    lead:NATO                                        in the title or the first 150 words

Precedence, loosest first: ``OR``, then AND (a space or ``AND``), then
``NEAR/n``; ``-`` and ``title:``/``text:`` apply to the one item they are
glued to.  Keywords are recognised only in capitals, so "or" and "near"
stay ordinary words.

Why a hand-written recursive-descent parser rather than a grammar library:
errors must point at a character of the query and say what was expected
there in words a user understands, and the printed form must parse back to
the very same tree (the property tests check it); both are simpler to
guarantee with forty lines of parser than through a generator's error
recovery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

from monitor.errors import QueryError
from monitor.match.normalize import query_words

FieldName = Literal["title", "text"]
FIELDS: tuple[FieldName, ...] = ("title", "text")
# What a ``title:``/``text:``/``lead:`` prefix restricts a query to.  The
# lead is the title and the first LEAD_WORDS words of the text: where a
# story says what it is about (a name only in the closing paragraphs of a
# long article is a passing mention).
Scope = Literal["title", "text", "lead"]
SCOPES: tuple[Scope, ...] = ("title", "text", "lead")
LEAD_WORDS = 150
DEFAULT_NEAR = 10
MAX_NEAR = 1000

_OPEN_QUOTES = {'"': '"', "“": "”", "„": "“"}
_CLOSE_QUOTES = frozenset('"”“')
# Characters that end a bare word.
_WORD_END = re.compile(r"[\s()\"“”„]")
_NEAR = re.compile(r"NEAR(?:/([0-9]{1,4}))?$")
_FIELD = re.compile(r"(title|text|lead):", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Term:
    """A word, or a phrase of words that must follow each other."""

    text: str
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """Its query must match within one field of the entry (or its lead)."""

    name: Scope
    query: Node


@dataclass(frozen=True, slots=True)
class Not:
    """The entry must not match ``query``; only allowed beside something positive."""

    query: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Near:
    """``left`` and ``right`` at most ``distance`` words apart, in either order."""

    left: Node
    right: Node
    distance: int = DEFAULT_NEAR


Node: TypeAlias = Term | Field | Not | And | Or | Near


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["word", "phrase", "open", "close", "or", "and", "near", "not", "field", "end"]
    position: int
    text: str = ""
    number: int = 0


class _Parser:
    def __init__(self, query: str, topic: str | None) -> None:
        self.query = query
        self.topic = topic
        self.tokens = self._lex()
        self.index = 0
        # Where each Not, Field and And node began, to point errors at it.
        self.positions: dict[int, int] = {}

    def at(self, node: Node, position: int) -> Node:
        self.positions[id(node)] = position
        return node

    def fail(self, position: int, problem: str) -> QueryError:
        return QueryError(self.query, position, problem, topic=self.topic)

    # -- lexing -----------------------------------------------------------

    def _lex(self) -> list[_Token]:
        query = self.query
        tokens: list[_Token] = []
        i = 0
        while i < len(query):
            char = query[i]
            if char.isspace():
                i += 1
            elif char in "()":
                tokens.append(_Token("open" if char == "(" else "close", i))
                i += 1
            elif char in _OPEN_QUOTES:
                end = self._phrase_end(i)
                tokens.append(_Token("phrase", i, query[i + 1 : end]))
                i = end + 1
            elif char in _CLOSE_QUOTES:
                raise self.fail(i, "closing quote without an opening one")
            elif char == "-":
                tokens.append(_Token("not", i))
                i += 1
            else:
                i = self._lex_word(i, tokens)
        tokens.append(_Token("end", len(query)))
        return tokens

    def _phrase_end(self, start: int) -> int:
        closing = _OPEN_QUOTES[self.query[start]]
        for j in range(start + 1, len(self.query)):
            if self.query[j] == closing or self.query[j] == '"':
                return j
        raise self.fail(start, "this quote is never closed")

    def _lex_word(self, start: int, tokens: list[_Token]) -> int:
        field = _FIELD.match(self.query, start)
        if field:
            tokens.append(_Token("field", start, field.group(1).lower()))
            return field.end()
        end_match = _WORD_END.search(self.query, start)
        end = end_match.start() if end_match else len(self.query)
        word = self.query[start:end]
        near = _NEAR.match(word)
        if word == "OR":
            tokens.append(_Token("or", start))
        elif word == "AND":
            tokens.append(_Token("and", start))
        elif near:
            distance = int(near.group(1)) if near.group(1) else DEFAULT_NEAR
            if distance > MAX_NEAR:
                raise self.fail(
                    start, f"NEAR/ needs a number of words up to {MAX_NEAR}, e.g. NEAR/5"
                )
            tokens.append(_Token("near", start, number=distance))
        elif word.startswith("NEAR/"):
            raise self.fail(start, f"NEAR/ needs a number of words up to {MAX_NEAR}, e.g. NEAR/5")
        else:
            tokens.append(_Token("word", start, word))
        return end

    # -- parsing ----------------------------------------------------------

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.fail(0, "the query is empty")
        node = self.parse_or()
        token = self.peek()
        if token.kind == "close":
            raise self.fail(token.position, "closing parenthesis without an opening one")
        if token.kind != "end":  # pragma: no cover - parse_or consumes everything else
            raise self.fail(token.position, "unexpected text")
        _check(node, self, inside_and=False, in_field=False)
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.peek().kind == "or":
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        start = self.peek().position
        items = [self.parse_near()]
        while self.peek().kind not in ("or", "close", "end"):
            if self.peek().kind == "and":
                self.take()
            items.append(self.parse_near())
        return items[0] if len(items) == 1 else self.at(And(tuple(items)), start)

    def parse_near(self) -> Node:
        left = self.parse_unary()
        while self.peek().kind == "near":
            operator = self.take()
            right = self.parse_unary()
            for side in (left, right):
                if not _positional(side):
                    raise self.fail(
                        operator.position,
                        'NEAR joins words, "phrases" or (… OR …) groups of them',
                    )
            left = Near(left, right, operator.number)
        return left

    def parse_unary(self) -> Node:
        token = self.peek()
        if token.kind == "not":
            self.take()
            following = self.peek()
            if following.kind not in ("word", "phrase", "open", "field") or (
                following.position != token.position + 1
            ):
                raise self.fail(token.position, 'put what to exclude right after "-", e.g. -Natoli')
            return self.at(Not(self.parse_unary()), token.position)
        if token.kind == "field":
            self.take()
            following = self.peek()
            if following.kind not in ("word", "phrase", "open") or (
                following.position != token.position + len(token.text) + 1
            ):
                raise self.fail(
                    token.position, f'put a word, "phrase" or ( right after {token.text}:'
                )
            name: Scope = (
                "title" if token.text == "title" else "lead" if token.text == "lead" else "text"
            )
            return self.at(Field(name, self.parse_unary()), token.position)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.take()
        if token.kind in ("word", "phrase"):
            if not query_words(token.text):
                what = "phrase" if token.kind == "phrase" else "word"
                raise self.fail(token.position, f"this {what} has no letters or digits")
            return Term(token.text, quoted=token.kind == "phrase")
        if token.kind == "open":
            if self.peek().kind == "close":
                raise self.fail(token.position, "empty parentheses")
            if self.peek().kind == "end":
                raise self.fail(token.position, "this parenthesis is never closed")
            node = self.parse_or()
            if self.take().kind != "close":
                raise self.fail(token.position, "this parenthesis is never closed")
            return node
        expected = 'a word, a "phrase" or ('
        if token.kind == "end":
            raise self.fail(token.position, f"the query ends where {expected} was expected")
        names = {"close": ")", "or": "OR", "and": "AND", "near": "NEAR"}
        raise self.fail(
            token.position, f"{names.get(token.kind, token.kind)} where {expected} was expected"
        )


def _positional(node: Node) -> bool:
    """Whether a node stands for places in the text, as NEAR needs."""
    if isinstance(node, Term | Near):
        return True
    return isinstance(node, Or) and all(_positional(item) for item in node.items)


def _check(node: Node, parser: _Parser, *, inside_and: bool, in_field: bool) -> None:
    """Reject trees that parse but mean nothing useful: a lone exclusion, nested fields.

    An exclusion needs a positive sibling, otherwise the topic would match
    nearly every entry of every feed.
    """
    if isinstance(node, Not):
        if not inside_and:
            raise parser.fail(
                _find(parser, node), "an exclusion needs something to match beside it"
            )
        _check(node.query, parser, inside_and=False, in_field=in_field)
    elif isinstance(node, Field):
        if in_field:
            raise parser.fail(_find(parser, node), "a field prefix inside another one")
        _check(node.query, parser, inside_and=False, in_field=True)
    elif isinstance(node, And):
        if all(isinstance(item, Not) for item in node.items):
            raise parser.fail(_find(parser, node), "only exclusions: add something to match")
        for item in node.items:
            _check(item, parser, inside_and=True, in_field=in_field)
    elif isinstance(node, Or):
        for item in node.items:
            _check(item, parser, inside_and=False, in_field=in_field)


def _find(parser: _Parser, node: Node) -> int:
    return parser.positions.get(id(node), 0)


def parse_query(query: str, topic: str | None = None) -> Node:
    """Parse ``query``; raise :class:`QueryError` naming ``topic`` and the position."""
    return _Parser(query, topic).parse()


# -- printing ---------------------------------------------------------------

_KEYWORD_LIKE = re.compile(r"(?:OR|AND|NEAR(?:/.*)?)$")


def format_query(node: Node) -> str:
    """The canonical text of a tree; ``parse_query(format_query(t)) == t``."""
    if isinstance(node, Term):
        return _format_term(node)
    if isinstance(node, Field):
        return f"{node.name}:{_group(node.query, (Term,))}"
    if isinstance(node, Not):
        return f"-{_group(node.query, (Term, Field))}"
    if isinstance(node, Near):
        left = _group(node.left, (Term, Near))
        right = _group(node.right, (Term,))
        return f"{left} NEAR/{node.distance} {right}"
    if isinstance(node, And):
        return " ".join(_group(item, (Term, Field, Not, Near)) for item in node.items)
    return " OR ".join(_group(item, (Term, Field, Not, Near, And)) for item in node.items)


def _group(node: Node, bare: tuple[type, ...]) -> str:
    """``node`` printed, in parentheses unless its kind binds tighter than its parent."""
    text = format_query(node)
    return text if isinstance(node, bare) else f"({text})"


def _format_term(term: Term) -> str:
    if term.quoted:
        return f'"{term.text}"'
    return term.text


def is_bare_word(text: str) -> bool:
    """Whether ``text`` can be written in a query without quotes and stay one word."""
    return bool(
        text
        and not _WORD_END.search(text)
        and not text.startswith("-")
        and not _KEYWORD_LIKE.match(text)
        and not _FIELD.match(text)
        and query_words(text)
    )
