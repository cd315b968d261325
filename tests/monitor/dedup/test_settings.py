"""DedupSettings: validated, and the very model the [dedup] configuration section is."""

from __future__ import annotations

import pytest

from monitor.config import Settings
from monitor.dedup import DedupSettings


def test_the_config_section_is_the_engine_settings_with_the_same_defaults() -> None:
    assert Settings.model_fields["dedup"].annotation is DedupSettings
    assert Settings().dedup == DedupSettings()
    assert "minhash_seed" not in DedupSettings.model_fields  # a format constant, not a knob
    assert DedupSettings.from_mapping(Settings().dedup.model_dump()) == DedupSettings()


def test_from_mapping_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown dedup settings: bogus"):
        DedupSettings.from_mapping({"bogus": 1})


@pytest.mark.parametrize(
    "values",
    [
        {"lsh_bands": 32, "lsh_rows": 8},  # 256 > num_perm
        {"num_perm": 32},  # 10 x 6 > 32, with the default bands and rows
        {"lsh_bands": 1},
        {"near_duplicate_jaccard": 1.5},
        {"novel_fact_fraction": -0.1},
    ],
)
def test_impossible_settings_are_refused(values: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DedupSettings.from_mapping(values)
    with pytest.raises(ValueError):
        DedupSettings(**values)


def test_settings_are_frozen_and_hashable() -> None:
    settings = DedupSettings()
    with pytest.raises(ValueError):
        settings.num_perm = 64  # type: ignore[misc]
    assert hash(settings) == hash(DedupSettings())


def test_lsh_threshold_is_explained_by_bands_and_rows() -> None:
    assert DedupSettings().lsh_jaccard == pytest.approx(0.681, abs=0.01)
