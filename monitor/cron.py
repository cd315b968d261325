"""Cron expressions: the five standard fields, or six with a leading seconds field.

Digest schedules are cron expressions read by APScheduler.  The five-field
form (``minute hour day month weekday``) is what people know; the optional
sixth field in front (seconds, as in Quartz) exists for tests and demos
that need a schedule of seconds, e.g. ``*/5 * * * * *``.

Weekday numbers follow cron (0 or 7 = Sunday, 1 = Monday), not APScheduler
3's own numbering (0 = Monday), which its ``from_crontab`` passes through
unchanged: there ``1-5`` would mean Tuesday to Saturday.  Numbers are
therefore translated to weekday names, which mean the same to both.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger


def cron_trigger(expression: str, timezone: str | tzinfo = "UTC") -> CronTrigger:
    """The trigger for ``expression`` in ``timezone``; ValueError says what is wrong."""
    fields = expression.split()
    if len(fields) == 5:
        fields.insert(0, "0")
    if len(fields) != 6:
        raise ValueError(
            f"wrong number of fields (got {len(fields)}, expected 5, or 6 with seconds)"
        )
    second, minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        second=second,
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=cron_weekdays(day_of_week),
        timezone=timezone,
    )


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_weekdays(field: str) -> str:
    """Cron's weekday field with every number turned into a name (``1-5`` -> ``mon,...,fri``)."""
    parts: list[str] = []
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        plain_star = base == "*" and not step_text
        names = base != "*" and not all(piece.isdigit() for piece in base.split("-"))
        if plain_star or names or not base:
            parts.append(part)  # "*" and names (mon-fri) mean the same to APScheduler
            continue
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            low, high = base.split("-", 1)
            first, last = int(low), int(high)
        else:
            first = int(base)
            last = 7 if step_text else first  # cron: "5/2" means from 5 to the end
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last):
            raise ValueError(f"weekday out of range in {field!r} (0-7, 0 and 7 are Sunday)")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"step must be at least 1 in {field!r}")
        parts.extend(_DAY_NAMES[n % 7] for n in range(first, last + 1, step))
    return ",".join(dict.fromkeys(parts))


def next_slot(trigger: CronTrigger, after: datetime) -> datetime | None:
    """The first time the schedule fires strictly after ``after``."""
    fire: datetime | None = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    if fire is not None and fire <= after:  # CronTrigger rounds up to whole seconds
        fire = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    return fire


def missed_slot(trigger: CronTrigger, last_served: datetime | None, now: datetime) -> bool:
    """Whether a slot came and went between the last one served and ``now``.

    Several missed slots count as one: a daemon that was down for a week sends
    one digest on start, not seven.  With nothing served yet there is nothing
    to catch up on.
    """
    if last_served is None:
        return False
    fire = next_slot(trigger, last_served)
    return fire is not None and fire <= now
