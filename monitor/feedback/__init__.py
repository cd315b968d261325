"""Readers' corrections and preferences, and the signed links that carry them from a digest.

:mod:`.actions` applies one (and records who, when, what), :mod:`.links` signs and checks
the one-click links, :mod:`.export` writes them in the real-news labels' format.
"""
