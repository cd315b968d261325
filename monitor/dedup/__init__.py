"""Deduplication: tell what is new in an article, against everything already known.

Three layers, each recorded in the decision it makes: *exact* (the same
normalised text), *near-duplicate* (MinHash + LSH, with containment for
summaries), *story* (rewrites and translations: TF-IDF, phrases, names,
quotations, dates).  An article that joins a story is an ``update`` if it
has novel sentences, else a ``duplicate``; one that joins none is a
``new_story``.  Pure: no database, no network.  See ``docs/dedup.md``.

Typical use::

    index, report = DedupIndex.load(stored_rows, settings)   # at start
    analysis = index.analyse(ArticleText(id, text, title, published))
    decision = index.classify(analysis)                      # nothing changes
    index.add(id, analysis.signature, story_id)              # store .to_bytes()
"""

from monitor.dedup.decide import Candidate, Decision, Layer, Match, Status
from monitor.dedup.features import Analysis, ArticleText, analyse
from monitor.dedup.index import DedupIndex, LoadReport, StoredSignature
from monitor.dedup.near_duplicate import Resemblance
from monitor.dedup.novelty import SentenceVerdict
from monitor.dedup.settings import DedupSettings
from monitor.dedup.signatures import Signature, SignatureError
from monitor.dedup.story import StoryEvidence

__all__ = [
    "Analysis",
    "ArticleText",
    "Candidate",
    "Decision",
    "DedupIndex",
    "DedupSettings",
    "Layer",
    "LoadReport",
    "Match",
    "Resemblance",
    "SentenceVerdict",
    "Signature",
    "SignatureError",
    "Status",
    "StoredSignature",
    "StoryEvidence",
    "analyse",
]
