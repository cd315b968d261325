"""Settings that could only fail later (a bad ``[dedup]``, an SMTP URL of another scheme)
stop every command at start: one line, exit 2 (issue 12, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_process import newsmon


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            "[dedup]\nlsh_bands = 32\nlsh_rows = 8\n",
            "newsmon: config error: newsmon.toml: [dedup] lsh_rows: dedup.lsh_bands × "
            "dedup.lsh_rows = 32 × 8 = 256 exceeds dedup.num_perm (128); lower lsh_bands or "
            "lsh_rows, or raise num_perm",
        ),
        (
            '[email]\nsmtp_url = "gopher://bot:Secret-pw@x"\n',
            "newsmon: config error: newsmon.toml: [email] smtp_url: unsupported scheme "
            "'gopher' (use smtp://, smtp+starttls:// or smtps://)",
        ),
    ],
)
def test_a_setting_that_would_fail_later_is_one_line_and_exit_2_at_start(
    tmp_path: Path, body: str, line: str
) -> None:
    (tmp_path / "newsmon.toml").write_text(body, encoding="utf-8")
    result = newsmon(tmp_path, "status")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [line]
    assert not (tmp_path / "newsmon.db").exists()  # stopped before touching anything
