"""`kb export --format sqlite`: the publishable SQLite copy and its Datasette metadata.

The copy is a file, not a stream: SQLite writes pages in place, so it cannot go to stdout or
over HTTP as it is made. It is also the one export that costs seconds of CPU and a temporary
file per run on a large database, which a download anyone can start must not; so it is offered
here only, and a publisher makes it once per release (docs/FORMAT.md says how to serve it).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import current_app

from kb.web.database import get_engine

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_TITLE = "kb: who claims what about AI risk"


def publish_options(command: F) -> F:
    """The options only --format sqlite takes."""
    options = [
        click.option(
            "--force",
            is_flag=True,
            help="sqlite: replace the output and metadata files if they exist.",
        ),
        click.option(
            "--metadata",
            type=click.Path(dir_okay=False, path_type=Path),
            help="sqlite: where to write Datasette's metadata (default: beside the output, "
            "NAME.metadata.json).",
        ),
        click.option(
            "--title", help=f"sqlite: the title Datasette shows [default: {DEFAULT_TITLE}]."
        ),
        click.option(
            "--licence",
            help="sqlite: the licence the data is published under (e.g. CC-BY-4.0); none is "
            "named unless given, since only the publisher knows its terms.",
        ),
        click.option("--licence-url", help="sqlite: where the licence can be read."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _metadata_path(output: Path, metadata: Path | None) -> Path:
    if metadata is not None:
        return metadata
    return output.with_name(f"{output.stem}.metadata.json")


def _check_writable(path: Path, force: bool) -> None:
    """One sentence instead of a traceback for a file kb cannot or should not write."""
    if path.is_dir():
        raise click.UsageError(f"{path} is a folder: give --output a file name")
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists: choose another name, or pass --force to replace it")
    folder = path.parent
    if not folder.is_dir():
        raise click.UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise click.UsageError(f"cannot write {path}: permission denied")


def _progress(counts: dict[str, int]) -> Callable[[str], None]:
    def on_table(name: str) -> None:
        n = counts.get(name)
        rows = f" ({n} row{'s' if n != 1 else ''})" if n is not None else ""
        click.echo(f"writing {name}{rows}", err=True)

    return on_table


def export_sqlite(
    output: Path,
    force: bool,
    metadata: Path | None,
    title: str | None,
    licence: str | None,
    licence_url: str | None,
) -> None:
    """Write the copy to `output` (through a temporary file beside it, so a failed run leaves
    no half-written database under the final name) and its metadata."""
    from kb.formats import sqlite_copy
    from kb.queries import export as q
    from kb.queries import publish

    if str(output) == "-":
        raise click.UsageError("--format sqlite writes a file: give --output a file name")
    meta_path = _metadata_path(output, metadata)
    if meta_path.resolve() == output.resolve():
        raise click.UsageError("--metadata must name another file than --output")
    for path in (output, meta_path):
        _check_writable(path, force)
    tmp = output.with_name(output.name + ".part")
    try:
        tmp.unlink(missing_ok=True)
        with q.snapshot(get_engine()) as conn:
            on_table = _progress(publish.counts(conn))
            sqlite_copy.write_copy(tmp, publish.table_rows(conn), on_table)
        meta = sqlite_copy.metadata(
            output.stem,
            title or DEFAULT_TITLE,
            licence=licence,
            licence_url=licence_url,
            source_url=current_app.config.get("BASE_URL") or None,
        )
        meta_path.write_text(sqlite_copy.metadata_json(meta), encoding="utf-8")
        tmp.replace(output)
    except (OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"cannot write {output}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    click.echo(f"wrote {output} and {meta_path}", err=True)
    click.echo(f"serve it with: datasette {output} -m {meta_path}", err=True)
    if not licence:
        click.echo("no --licence given: the metadata names no licence", err=True)
