"""The dedup engine's knobs, declared once: the ``[dedup]`` section *is* this model.

Why here and not in :mod:`monitor.dedup`: the configuration is loaded by
every command, and importing the dedup package costs most of a second
(datasketch, numpy); this module needs only pydantic.  The engine imports the
model from here (``monitor.dedup.DedupSettings`` is the same class), so a
knob has one name, one default, one range and one help text, and a section
that could not run (``lsh_bands × lsh_rows > num_perm``) is refused when the
configuration is read, as one line naming the keys, rather than when the
first article is classified.  ``docs/dedup.md`` says how the defaults were
measured and how to re-tune them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class DedupSettings(BaseModel):
    """Dedup thresholds; changing num_perm, shingle_size or quote_min_words recomputes the
    stored signatures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Part of the signature format (stored signatures made with another are recomputed),
    # not a tuning knob: not in the configuration.
    minhash_seed: ClassVar[int] = 1

    num_perm: int = Field(
        128,
        ge=16,
        le=1024,
        description="MinHash values per article. Changing it recomputes every stored signature.",
    )
    shingle_size: int = Field(
        3,
        ge=1,
        le=8,
        description="Words per shingle for MinHash. Changing it recomputes every signature.",
    )
    quote_min_words: int = Field(
        6,
        ge=3,
        description="Words a quotation must share verbatim to count as the same quotation. "
        "Changing it recomputes every signature.",
    )
    lsh_bands: int = Field(
        10, ge=2, description="LSH bands; bands x rows must not exceed num_perm."
    )
    lsh_rows: int = Field(
        6,
        ge=1,
        validate_default=True,  # lowering num_perm alone must meet the check below too
        description="MinHash values per LSH band. The LSH finds pairs above a Jaccard "
        "similarity of about (1/bands)^(1/rows): 0.68 with 10 x 6.",
    )
    near_duplicate_jaccard: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Estimated Jaccard similarity of shingles at which a known article is a "
        "near-duplicate.",
    )
    near_duplicate_containment: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Estimated share of one text's shingles found in the other (a summary in "
        "its source, a source inside a longer copy) that makes a near-duplicate.",
    )
    story_threshold: float = Field(
        1.14,
        ge=0,
        description="Story score (lead, words, phrases, names, quotations, dates) at which an "
        "article joins a known story. Lower: more articles join; higher: more new stories.",
    )
    date_window_days: float = Field(
        3.0, ge=0, description="Articles published this close count as evidence of one story."
    )
    date_max_gap_days: float = Field(
        21.0,
        ge=0,
        description="A story whose dated articles are all further than this from an article "
        "is not considered for it.",
    )
    max_candidates: int = Field(
        12, ge=1, description="Known articles scored in full by the story layer, per article."
    )
    candidate_terms: int = Field(
        24, ge=1, description="Rarest words of an article looked up to find those candidates."
    )
    embed_chars: int = Field(
        400,
        ge=50,
        le=4000,
        description="Characters of an article's text embedded, after its title, as what it "
        "reports (the lead); applies to articles classified from then on.",
    )
    link_threshold: float = Field(
        0.74,
        ge=0,
        description="Link score (meaning, shared entities, words, dates) at which an article "
        "joins a known story. Lower: more articles join; higher: more new stories.",
    )
    link_window_days: float = Field(
        2.0,
        ge=0,
        description="A story quiet for longer than this needs stronger evidence to be joined.",
    )
    semantic_candidates: int = Field(
        8, ge=1, description="Stories nearest by meaning considered per article."
    )
    paraphrase_similarity: float = Field(
        0.75,
        ge=0,
        le=1,
        description="Similarity of meaning at which a sentence says what a known sentence said "
        "(a paraphrase or a translation): it is known, whatever its words.",
    )
    novel_max_similarity: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A sentence new on words alone (no new name, number or quotation) is novel "
        "only when it is less similar than this to everything its story said.",
    )
    index_window_days: float = Field(
        30.0,
        gt=0,
        description="Stories with no article this recent leave the in-memory index (seeds stay); "
        "it bounds memory. A report of a story that left the window starts a new story.",
    )
    novel_term_fraction: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share of a sentence's words the story has not used that makes it novel "
        "(with at least novel_min_terms such words).",
    )
    novel_min_terms: int = Field(
        4, ge=1, description="New words a sentence needs to be novel on words alone."
    )
    novel_fact_fraction: float = Field(
        0.4,
        ge=0,
        le=1,
        description="Share of new words with which one new name or number makes a sentence novel.",
    )
    novel_min_facts: int = Field(
        3, ge=1, description="New names and numbers that make a sentence novel on their own."
    )
    novel_min_sentences: int = Field(
        1,
        ge=1,
        description="Novel sentences that make an article an update wherever they stand.",
    )
    novel_lead_sentences: int = Field(
        3,
        ge=0,
        description="One novel sentence among an article's first this many makes it an update "
        "(news puts what is new in its lead).",
    )

    @field_validator("lsh_rows")
    @classmethod
    def _bands_fit_the_signature(cls, rows: int, info: ValidationInfo) -> int:
        """Each LSH band reads ``lsh_rows`` MinHash values: all bands must fit in ``num_perm``.

        Checked on ``lsh_rows`` (validated after ``num_perm`` and ``lsh_bands``) so the error
        names a key of the section; the message names all three.
        """
        bands, perm = info.data.get("lsh_bands"), info.data.get("num_perm")
        if bands is not None and perm is not None and bands * rows > perm:
            raise ValueError(
                f"dedup.lsh_bands × dedup.lsh_rows = {bands} × {rows} = {bands * rows} exceeds "
                f"dedup.num_perm ({perm}); lower lsh_bands or lsh_rows, or raise num_perm"
            )
        return rows

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> DedupSettings:
        """Build from a mapping such as ``Settings.dedup.model_dump()`` (unknown keys rejected)."""
        unknown = sorted(set(values) - set(cls.model_fields))
        if unknown:
            raise ValueError(f"unknown dedup settings: {', '.join(unknown)}")
        return cls.model_validate(values)

    @property
    def lsh_jaccard(self) -> float:
        """The Jaccard similarity at which the LSH index finds a pair half of the time."""
        return float((1.0 / self.lsh_bands) ** (1.0 / self.lsh_rows))
