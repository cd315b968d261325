"""DedupSettings: validated, and mirrored key for key by the [dedup] configuration section."""

from __future__ import annotations

from dataclasses import fields

import pytest

from monitor.config import DedupConfig, Settings
from monitor.dedup import DedupSettings

CODE_ONLY = {"minhash_seed"}  # part of the signature format, not a tuning knob


def test_config_section_mirrors_the_settings_with_the_same_defaults() -> None:
    config = DedupConfig()
    settings = DedupSettings()
    assert set(DedupConfig.model_fields) == {f.name for f in fields(DedupSettings)} - CODE_ONLY
    for name in DedupConfig.model_fields:
        assert getattr(config, name) == getattr(settings, name), name
    assert DedupSettings.from_mapping(Settings().dedup.model_dump()) == settings


def test_from_mapping_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown dedup settings: bogus"):
        DedupSettings.from_mapping({"bogus": 1})


@pytest.mark.parametrize(
    "values",
    [
        {"lsh_bands": 32, "lsh_rows": 8},  # 256 > num_perm
        {"lsh_bands": 1},
        {"near_duplicate_jaccard": 1.5},
        {"novel_fact_fraction": -0.1},
    ],
)
def test_impossible_settings_are_refused(values: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DedupSettings.from_mapping(values)


def test_lsh_threshold_is_explained_by_bands_and_rows() -> None:
    assert DedupSettings().lsh_jaccard == pytest.approx(0.681, abs=0.01)
