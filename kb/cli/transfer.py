"""`kb export` and `kb import`: the same streams as /export, and the same checked, all-or-nothing
import as /admin/import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from kb.cli.commands import require_schema
from kb.cli.publishing import export_sqlite, publish_options
from kb.errors import DataError
from kb.formats.iris import DEFAULT_BASE_URL
from kb.web.database import get_engine, session_scope

FORMATS = (
    "json",
    "csv",
    "zip",
    "jsonld",
    "ttl",
    "nt",
    "aif",
    "xaif",
    "arguebuf",
    "graphml",
    "gexf",
    "yed",
    "sqlite",
)


def _progress_wanted() -> bool:
    return sys.stderr.isatty()


def _refuse_options_of_other_formats(fmt: str, excel: bool, publishing: dict[str, Any]) -> None:
    if excel and fmt != "csv":
        raise click.UsageError("--excel applies to --format csv only")
    given = [f"--{k.replace('_', '-')}" for k, v in publishing.items() if v]
    if given and fmt != "sqlite":
        raise click.UsageError(f"{', '.join(given)} applies to --format sqlite only")


def _linked_data_base(given: str | None) -> str:
    """The base URL the linked data's records are named under: --base-url, else KB_BASE_URL,
    else the documented default; a bad --base-url is a usage error, not a traceback."""
    from kb.config import ConfigError
    from kb.config import base_url as checked_base_url

    try:
        base = checked_base_url(given) if given is not None else None
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--base-url") from None
    return base or current_app.config.get("BASE_URL") or DEFAULT_BASE_URL


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
    help="json: one kb/1 document; csv: a folder with one CSV per entity; zip: the bundle "
    "(CSVs, JSON, schema, README); jsonld: schema.org; ttl/nt: the same triples as Turtle or "
    "N-Triples; aif: AIF JSON; xaif: xAIF for OVA; arguebuf: arguebuf's own JSON (quotes, speakers and sources kept); graphml/gexf: the graph; yed: the GraphML with yEd's drawing; "
    "sqlite: a copy safe to publish with Datasette (no accounts, no history), and its metadata.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=True, writable=True, path_type=Path),
    help="The file to write (for csv: the folder, created if missing). '-' writes to stdout.",
)
@click.option(
    "--excel",
    is_flag=True,
    help="With --format csv: start each file with a byte order mark, so that Excel on Windows "
    "reads accented names right (the ?dialect=excel of the CSV downloads).",
)
@click.option(
    "--base-url",
    default=None,
    help="With jsonld, ttl or nt: the address records are named under, as in "
    f"https://kb.example.org (default: KB_BASE_URL, else {DEFAULT_BASE_URL}).",
)
@publish_options
@with_appcontext
def export_command(
    fmt: str, output: Path, excel: bool, base_url: str | None, **publishing: Any
) -> None:
    """Export the whole knowledge base. Streams: memory stays flat whatever the size.

    --format sqlite writes a new SQLite file for Datasette and sqlite-utils (readable tables
    linked by foreign keys, a search box per table) and Datasette's metadata beside it; serve
    it with `datasette FILE -m METADATA`. It holds what the other exports hold: no accounts,
    login attempts, revision history or editors' names.
    """
    from kb.formats import exports, kb1
    from kb.queries import export as q

    _refuse_options_of_other_formats(fmt, excel, publishing)
    base = _linked_data_base(base_url)
    require_schema()
    if fmt == "sqlite":
        export_sqlite(output, **publishing)
        return
    if fmt in ("graphml", "gexf", "yed"):
        from kb.graph import stream  # the writers /export/graph.* use, streamed from rows

        with session_scope() as session:
            yed = fmt == "yed"
            chunks = stream.gexf(session) if fmt == "gexf" else stream.graphml(session, yed=yed)
            _write_bytes(output, (c.encode("utf-8") for c in chunks))
        if str(output) != "-":
            click.echo(f"wrote {output}", err=True)
        return

    with q.snapshot(get_engine()) as conn:
        reader = q.Reader(conn)
        if fmt == "csv":
            if str(output) == "-":
                raise click.UsageError("--format csv writes a folder: give --output a folder")
            if output.exists() and not output.is_dir():
                raise click.UsageError(f"{output} exists and is not a folder")
            output.mkdir(parents=True, exist_ok=True)
            counts = q.counts(conn)
            with _bar(sum(counts.values()), "exporting") as bar:
                for entity in kb1.ENTITIES:
                    counted = _counting(reader.rows(entity), bar)
                    with open(output / f"{entity}.csv", "w", encoding="utf-8", newline="") as fh:
                        dialect = "excel" if excel else "standard"
                        for chunk in kb1.iter_entity_csv(entity, counted, dialect):
                            fh.write(chunk)
            click.echo(f"wrote {len(kb1.ENTITIES)} CSV files to {output}", err=True)
            return
        spec = exports.EXPORTS[fmt]
        total = sum(q.counts(conn).values()) if _progress_wanted() else 0
        if fmt == "zip":
            total *= 2  # every record goes into kb.json and into its CSV
        with _bar(total, "exporting") as bar:
            chunks = spec.stream(_CountingReader(reader, bar), base)
            _write_bytes(output, (c.encode("utf-8") if isinstance(c, str) else c for c in chunks))
    if str(output) != "-":
        click.echo(f"wrote {output}", err=True)


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        pass

    def update(self, _n: int) -> None:
        pass


def _bar(length: int, label: str):
    """A progress bar on a terminal; nothing when stderr is a file or a pipe."""
    if _progress_wanted() and length:
        return click.progressbar(length=length, label=label, file=sys.stderr)
    return _NoBar()


class _CountingReader:
    """A Reader that moves the progress bar as records are read."""

    def __init__(self, reader, bar):
        self.reader = reader
        self.bar = bar

    def records(self, entity: str):
        return _counting(self.reader.records(entity), self.bar)

    def rows(self, entity: str):
        return _counting(self.reader.rows(entity), self.bar)


def _counting(rows, bar):
    n = 0
    for row in rows:
        yield row
        n += 1
        if n == 1000:
            bar.update(n)
            n = 0
    bar.update(n)


def _write_bytes(output: Path, chunks) -> None:
    if str(output) == "-":
        # deprecated in click 8.2 (behind a module __getattr__, so untyped): sys.stdout.buffer
        out = click.get_binary_stream("stdout")  # type: ignore[operator]
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        return
    tmp = output.with_name(output.name + ".part")
    try:
        with open(tmp, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)


@click.command("import")
@click.argument("path", type=click.Path(exists=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check everything and say what would change; write nothing."
)
@with_appcontext
def import_command(path: Path, dry_run: bool) -> None:
    """Import a kb/1 JSON dump, a folder of CSVs or a zip bundle.

    Records are matched by slug, or by natural key when they have none (a quote by source,
    speaker and text; a stance by person, claim and as-of date; a relation by from, to and
    kind): new ones are created, changed ones updated, equal ones left alone. All or nothing:
    any problem is reported (file, line, record, field, reason; all of them, up to 100) and
    nothing is written; the exit status is then 1.
    """
    from kb.formats.readers import open_input
    from kb.formats.reading import ReadError
    from kb.load.importer import import_input

    require_schema()
    try:
        inp = open_input(path)
    except ReadError as exc:
        click.echo(f"error: {exc.problem}", err=True)
        sys.exit(1)
    try:
        with session_scope() as session, _bar(inp.total_bytes, "importing") as bar:
            session.info["actor"] = "import"
            done = 0

            def progress(now: int) -> None:
                nonlocal done
                if now > done:
                    bar.update(now - done)
                    done = now

            report = import_input(session, inp, dry_run=dry_run, progress=progress)
    except DataError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        count = len([p for p in exc.problems if p.record != "import"])
        click.echo(
            f"{count} problem{'s' if count != 1 else ''} found: nothing was imported", err=True
        )
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was written")
    else:
        click.echo("imported" if report.changed else "nothing changed")


commands: list[click.Command] = [export_command, import_command]
