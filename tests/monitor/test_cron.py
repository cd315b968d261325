"""Cron schedules: cron's weekday numbers (not APScheduler 3's), an optional seconds field,
and the "was a slot missed?" decision behind catch-up digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from monitor.config import Settings
from monitor.cron import cron_trigger, cron_weekdays, missed_slot, next_slot

THURSDAY = datetime(2026, 1, 1, 7, 0, 3, tzinfo=UTC)  # 1 January 2026 is a Thursday


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("*/2", "sun,tue,thu,sat"),
        ("5,6", "fri,sat"),
        ("1-3,5", "mon,tue,wed,fri"),
        ("mon-fri", "mon-fri"),
        ("*", "*"),
    ],
)
def test_weekday_numbers_follow_cron(field: str, names: str) -> None:
    assert cron_weekdays(field) == names


@pytest.mark.parametrize(
    ("expression", "weekday"),
    [("0 7 * * 0", "Sun"), ("0 7 * * 7", "Sun"), ("0 7 * * 1", "Mon"), ("0 7 * * 6", "Sat")],
)
def test_a_weekday_schedule_fires_on_that_day(expression: str, weekday: str) -> None:
    fire = next_slot(cron_trigger(expression), THURSDAY)
    assert fire is not None and fire.strftime("%a %H:%M") == f"{weekday} 07:00"


def test_monday_to_friday_skips_the_weekend() -> None:
    trigger = cron_trigger("0 7 * * 1-5", "Europe/Brussels")
    days, at = [], THURSDAY
    for _ in range(3):
        fire = next_slot(trigger, at)
        assert fire is not None
        days.append(fire.strftime("%a"))
        at = fire
    assert days == ["Fri", "Mon", "Tue"]


def test_six_fields_put_seconds_first() -> None:
    trigger = cron_trigger("*/5 * * * * *")
    assert next_slot(trigger, THURSDAY) == THURSDAY.replace(second=5)
    assert next_slot(trigger, THURSDAY.replace(second=5)) == THURSDAY.replace(second=10)


@pytest.mark.parametrize("bad", ["0 7 * *", "0 7 * * 8", "0 7 * * 5-2", "x 7 * * *"])
def test_bad_schedules_are_config_errors(bad: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        cron_trigger(bad)
    with pytest.raises(ValidationError, match="not a cron expression"):
        Settings(digest={"schedule": bad})


def test_missed_slot_counts_several_as_one_and_nothing_for_a_newcomer() -> None:
    daily = cron_trigger("0 7 * * *")
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert missed_slot(daily, now - timedelta(days=3), now)  # three slots: one catch-up
    assert not missed_slot(daily, now.replace(hour=7, minute=0, second=1), now)
    assert not missed_slot(daily, None, now)  # never served: nothing missed
    served_at_slot = now.replace(hour=7, minute=0, second=0)
    assert not missed_slot(daily, served_at_slot, now)
