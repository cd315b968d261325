"""``newsmon digest``: see what the next digests hold, preview one, or send them now.

The one CLI module that imports ``alerts`` (composition and delivery live
there).  Besides the CLI only the daemon (``monitor.daemon``) imports it, to
send on schedule; the pipeline below them never does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from monitor.cli.common import console, emit_json, err_console, state

if TYPE_CHECKING:
    from alerts import DigestPlan, DigestRunReport, RecipientResult
    from alerts.outbox import PendingDigest


def digest(
    ctx: typer.Context,
    recipient: str | None = typer.Option(
        None,
        "--recipient",
        "-r",
        help="Only this recipient: an address from the configuration (email.to or a "
        "recipients table).",
        show_default=False,
    ),
    preview: Path | None = typer.Option(
        None,
        "--preview",
        metavar="FILE.html",
        help="Write the HTML of the digest the recipient would get now to FILE.html "
        "(default recipient: the first configured); nothing is stored or sent.",
        show_default=False,
    ),
    send: bool = typer.Option(
        False,
        "--send",
        help="Send now: first retry pending digests that are due, then compose and deliver "
        "one digest per recipient with what is new.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Show what the next digests would hold; --preview writes one as HTML; --send sends.

    A digest holds what is new since the recipient's last one: new stories,
    updates to known stories (only what is new in them) and how many
    duplicates were left out.  It is stored before it is sent and marked
    sent only once the server accepted it, so an outage loses nothing and a
    retry never sends different digests with the same news.  Exits 1 when a
    digest could not be delivered (it is kept and retried later).
    """
    if preview is not None and send:
        raise typer.BadParameter("--preview changes nothing; leave out --send", param_hint="--send")
    # Imported here: templates, CSS inliner and SMTP are for this command only.
    from alerts import plan_digests, preview_digest, run_digests

    st = state(ctx)
    db, settings = st.db, st.settings
    now = datetime.now(UTC)
    if preview is not None:
        composed = preview_digest(db, settings, now, recipient)
        try:
            preview.write_text(composed.rendered.html, encoding="utf-8")
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot write {preview}: {exc.strerror or exc}", param_hint="--preview"
            ) from None
        result = composed.result()
        if as_json:
            emit_json({"preview": str(preview), **vars(result)})
        else:
            console.print(
                f"Wrote {preview}: {composed.rendered.subject} (for {result.recipient})",
                markup=False,
                soft_wrap=True,
            )
        return
    if send:
        show_report(run_digests(db, settings, now, recipient, kept_now=True), as_json)
        return
    plan = plan_digests(db, settings, now, recipient)
    if as_json:
        emit_json(plan.as_dict())
    else:
        _print_plan(plan)


def show_report(report: DigestRunReport, as_json: bool, who: str = "Delivering") -> None:
    """Print a round's result (``digest --send``, ``trigger digest``); exit 1 if a digest
    could not be delivered."""
    if as_json:
        emit_json(report.as_dict())
    else:
        _print_report(report, who)
    if report.failures:
        _not_delivered(len(report.failures), "digest", report.failures[0].error)
    if report.notification_failures:
        _not_delivered(
            len(report.notification_failures), "notification", report.notification_failures[0].error
        )


def _counts(result: RecipientResult) -> str:
    parts = [f"{result.items} item{'s' if result.items != 1 else ''}"]
    if result.duplicates:
        parts.append(f"{result.duplicates} duplicates suppressed")
    if result.more:
        parts.append(f"{result.more} left for the next digest")
    return ", ".join(parts)


def _print_plan(plan: DigestPlan) -> None:
    say = console.print
    if not plan.recipients:
        say(
            "No recipients configured: set [email] to or add [[recipients]] "
            "(docs/configuration.md).",
            markup=False,
        )
    else:
        say(f"Digests would go to {plan.transport}.", markup=False)
    for result in plan.recipients:
        if result.skipped:
            say(f"{result.recipient}: {result.skipped}, nothing to send", markup=False)
        else:
            say(
                f'{result.recipient}: would send "{result.subject}" ({_counts(result)})',
                markup=False,
                soft_wrap=True,
            )
    for waiting in plan.waiting:
        due = f"{waiting.next_attempt_at:%Y-%m-%d %H:%M} UTC" if waiting.next_attempt_at else "now"
        say(
            f'waiting: digest {waiting.id} to {waiting.recipient} "{waiting.subject}", '
            f"{waiting.attempts} attempt{'s' if waiting.attempts != 1 else ''}, next {due}"
            + (f"; last error: {waiting.last_error}" if waiting.last_error else ""),
            markup=False,
            soft_wrap=True,
        )
    if plan.recipients or plan.waiting:
        say("Send now with: newsmon digest --send", markup=False)


def _print_report(report: DigestRunReport, who: str) -> None:
    say = console.print
    say(f"{who} to {report.transport}.", markup=False)
    for attempt in report.retried:
        if attempt.status == "busy":
            continue
        outcome = "sent" if attempt.status == "sent" else f"{attempt.status}: {attempt.error}"
        say(f"retried digest {attempt.digest_id}: {outcome}", markup=False, soft_wrap=True)
    if not report.recipients:
        say("No recipients configured: set [email] to or add [[recipients]].", markup=False)
    for result in report.recipients:
        if result.skipped:
            say(f"{result.recipient}: {result.skipped}, nothing sent", markup=False)
            continue
        delivery = result.delivery
        if delivery is not None and delivery.status == "sent":
            status = "sent"
        elif delivery is not None and delivery.status == "pending":
            when = delivery.next_attempt_at
            status = f"NOT delivered, retry at {when:%Y-%m-%d %H:%M} UTC" if when else "pending"
        else:
            status = delivery.status if delivery is not None else "stored"
        say(
            f'{result.recipient}: {status}: "{result.subject}" ({_counts(result)})',
            markup=False,
            soft_wrap=True,
        )
    for waiting in report.waiting:
        say(waiting_line(waiting), markup=False, soft_wrap=True)
    for notice in report.notifications:  # chat and push messages (docs/notifications.md)
        if notice.status == "busy":
            continue
        retry = notice.next_attempt_at
        later = f", retry at {retry:%Y-%m-%d %H:%M} UTC" if retry else ""
        outcome = "sent" if notice.status == "sent" else f"{notice.status}{later}: {notice.error}"
        say(
            f"notification {notice.notification_id} to {notice.recipient} ({notice.channel}): "
            f"{outcome}",
            markup=False,
            soft_wrap=True,
        )


def waiting_line(waiting: PendingDigest) -> str:
    """A kept digest this round did not send, and when it goes."""
    when = f"{waiting.next_attempt_at:%Y-%m-%d %H:%M} UTC" if waiting.next_attempt_at else "now"
    head = f"digest {waiting.id} to {waiting.recipient}"
    if waiting.attempts and waiting.last_error is None:
        return (
            f"{head} is being sent by another newsmon process; "
            f"if that process died, it is retried after {when}"
        )
    error = f" (last error: {waiting.last_error})" if waiting.last_error else ""
    return f"{head} is kept; next attempt {when}{error}"


def _not_delivered(count: int, what: str, first_error: str | None) -> NoReturn:
    """One line for what could not be handed over (it is kept and retried), exit code 1."""
    err_console.print(
        f"newsmon: error: {count} {what}{'s' if count > 1 else ''} not delivered "
        f"(kept; retried later): {first_error}",
        markup=False,
        soft_wrap=True,
    )
    raise typer.Exit(1)
