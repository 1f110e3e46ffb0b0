"""`kb verify`: check that each source's quotes are still on its page and its archived copy,
and record what was found in the quotes' verification trails (kb.verify)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from kb import models as m
from kb.cli.commands import require_schema
from kb.verify.fetching import USER_AGENT, Fetcher
from kb.verify.running import (
    WAYBACK_API,
    Outcome,
    propose_archives,
    sources_to_verify,
    verify_source,
)
from kb.web.database import session_scope


def _progress_wanted() -> bool:
    return sys.stderr.isatty()


def _bar(length: int) -> Any:
    """click's progress bar on stderr when it is a terminal (as kb import and export draw it),
    a source a step; none in a pipe or a file."""
    return click.progressbar(
        length=length, label="verifying", file=sys.stderr, hidden=not _progress_wanted()
    )


def _positive(_ctx: Any, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and value < 0:
        raise click.BadParameter("must not be negative", param=param)
    return value


@click.command("verify")
@click.option(
    "--source", "slugs", multiple=True, metavar="SLUG", help="A source to verify (repeatable)."
)
@click.option("--all", "every", is_flag=True, help="Verify every source that has quotes.")
@click.option(
    "--timeout",
    type=float,
    default=10.0,
    show_default=True,
    callback=_positive,
    help="Seconds to wait for each page, connecting and reading.",
)
@click.option(
    "--delay",
    type=float,
    default=2.0,
    show_default=True,
    callback=_positive,
    help="Seconds between two requests to the same host.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=5 * 1024 * 1024,
    show_default=True,
    help="The largest page read; a bigger one counts as unreachable.",
)
@click.option(
    "--propose-archive",
    is_flag=True,
    help="Also ask the Wayback Machine for a snapshot of each source without an archived copy.",
)
@click.option(
    "--save-archive",
    is_flag=True,
    help="With --propose-archive: record the snapshot found as the source's archived copy.",
)
@click.option(
    "--wayback-api",
    default=WAYBACK_API,
    show_default=True,
    metavar="URL",
    help="The Wayback Machine availability API's address.",
)
@click.option(
    "--user-agent", default=USER_AGENT, show_default=True, help="Sent with every request."
)
@click.option("--dry-run", is_flag=True, help="Fetch and report, but record nothing.")
@with_appcontext
def verify_command(
    slugs: tuple[str, ...],
    every: bool,
    timeout: float,
    delay: float,
    max_bytes: int,
    propose_archive: bool,
    save_archive: bool,
    wayback_api: str,
    user_agent: str,
    dry_run: bool,
) -> None:
    """Fetch each source's URL and its archived copy, look for each of its quotes there and
    record found / not found / unreachable, with today's date, in the quotes' verification
    trails (shown on /quotes/<id>, checked by `kb check`).

    Words are compared with whitespace, quotes and dashes normalised and the page's markup
    stripped; a quote's anchor (its exact words in the source) is used where it has one.
    robots.txt is respected, requests to one host are spaced by --delay, and each request
    names kb in its User-Agent.

    Each source is recorded as soon as it is checked, so an interrupted run keeps what it
    did. Exit status: 0 when the checks ran (whatever they found: the trail says), 1 for a
    source that does not exist or a database not up to date or not writable, 2 for a usage
    error.

    \b
    Examples:
      kb verify --source chollet-limits
      kb verify --all --delay 5
      kb verify --all --propose-archive --save-archive
    """
    if bool(slugs) == every:
        raise click.UsageError("name the sources to verify with --source SLUG, or give --all")
    if save_archive and not propose_archive:
        raise click.UsageError("--save-archive needs --propose-archive")
    if save_archive and dry_run:
        raise click.UsageError("--save-archive records the copies found: leave out --dry-run")
    require_schema()
    fetcher = Fetcher(timeout=timeout, delay=delay, max_bytes=max_bytes, user_agent=user_agent)
    with session_scope() as session:
        session.info["actor"] = m.VERIFY_ACTOR
        try:
            sources = sources_to_verify(session, slugs or None)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        outcome = _verify_all(session, sources, fetcher, dry_run)
        if propose_archive:
            for p in propose_archives(session, fetcher, slugs or None, wayback_api):
                if p.archived_url and save_archive:
                    p.source.archived_url = p.archived_url
                verb = "archived copy" if save_archive else "proposed archived copy"
                shown = f"{verb}: {p.archived_url} ({p.detail})" if p.archived_url else p.detail
                click.echo(f"{p.source.slug}: {shown}")
        counts = ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in sorted(outcome.results.items()))
        if dry_run:
            session.rollback()
            click.echo(f"kb verify: {counts or 'nothing checked'} (dry run: nothing recorded)")
            return
    click.echo(f"kb verify: {counts or 'nothing checked'}; recorded in the verification trails")


def _verify_all(
    session: Session, sources: list[m.Source], fetcher: Fetcher, dry_run: bool
) -> Outcome:
    """Verify each source under a progress bar, committing after each one (a dry run rolls
    back instead), so an interrupted run keeps what it checked and no other write waits on a
    slow site. Off a terminal each source's lines are printed as it is done (a log to follow);
    on one, after the bar."""
    outcome, today, streaming = Outcome(), dt.date.today(), not _progress_wanted()
    with _bar(len(sources)) as bar:
        for source in sources:
            printed = len(outcome.lines)
            verify_source(session, source, fetcher, today, outcome)
            (session.rollback if dry_run else session.commit)()
            bar.update(1)
            if streaming and outcome.lines[printed:]:
                click.echo("\n".join(outcome.lines[printed:]))
    if not streaming and outcome.lines:
        click.echo("\n".join(outcome.lines))
    return outcome


commands = [verify_command]
