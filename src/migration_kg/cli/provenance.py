"""The ``source`` and ``quote`` commands: thin click layers over :mod:`migration_kg.provenance`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from migration_kg.cli.common import Settings, project_option, sources_option
from migration_kg.errors import EXIT_NOT_CONFORMING


@click.group()
def source() -> None:
    """Register the sources that claims quote."""


@source.command("add")
@project_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The address where a reader can open the source.")
@click.option("--title", required=True, help="The source's title (its label in both languages).")
@click.option("--published", required=True, help="Publication date: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--licence", "--license", "licence", default=None,
              help="The text's licence: a URL (kept as an IRI) or its name.")
@click.option("--language", default="en", show_default=True, help="Language of the text (BCP 47).")
@click.option("--id", "slug", default=None, help="Local name of the source's IRI (default: from the title).")
@click.option("--keep-in-repository", is_flag=True,
              help="Copy the text into texts/ (committed) instead of the git-ignored sources folder; only for a "
                   "licence that allows redistributing it.")
@sources_option
@click.pass_obj
def source_add(settings: Settings, project_root: Path, file: Path, url: str, title: str, published: str,
               licence: str | None, language: str, slug: str | None, keep_in_repository: bool,
               sources: tuple[Path, ...]) -> None:
    """Register FILE (UTF-8 text) as a source: its SHA-256 and metadata go into data/sources.ttl.

    Exit codes: 0 registered, 2 bad input or usage (an unreadable file, a text already registered).
    """
    from migration_kg.provenance.register import add_source

    added = add_source(project_root, file, url, title, published, licence, language, slug, keep_in_repository,
                       list(sources) or None)
    if not settings.quiet:
        click.echo(f"registered <{added.iri}> ({added.characters} characters, SHA-256 {added.digest})")
        click.echo(f"  metadata: {added.data_path}")
        click.echo(f"  text:     {added.text_path}")


@click.group()
def quote() -> None:
    """Find quotes in source texts and fill in the offsets of claims."""


@quote.command("find")
@project_option
@click.argument("source_ref", metavar="SOURCE")
@click.argument("words")
@sources_option
@click.pass_obj
def quote_find(settings: Settings, project_root: Path, source_ref: str, words: str,
               sources: tuple[Path, ...]) -> None:
    """Print the offsets of WORDS in SOURCE (a text file, or a source such as work:la-presse-...).

    One line per occurrence: start, end (code points, end exclusive). With no exact occurrence, the nearest
    text and how it differs are printed, and the exit code is 1.
    """
    from migration_kg.provenance.fill import source_text
    from migration_kg.provenance.locate import difference, nearest, occurrences

    name, text = source_text(project_root, source_ref, list(sources) or None)
    found = occurrences(text, words)
    for match in found:
        click.echo(f"{match.start}\t{match.end}")
    if found:
        if len(found) > 1 and not settings.quiet:
            click.echo(f"{len(found)} occurrences in {name}: quote a few more words for a unique one", err=True)
        return
    close = nearest(text, words)
    if close is None:
        click.echo(f"not found in {name}, not even approximately", err=True)
    else:
        click.echo(f"not found verbatim in {name}; nearest at {close.start}-{close.end} "
                   f"({close.distance} edits):", err=True)
        click.echo(f"  text:       {close.found}", err=True)
        click.echo(f"  difference: {difference(words, close.found)}", err=True)
    sys.exit(EXIT_NOT_CONFORMING)


@quote.command("fill")
@project_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if some offsets are missing or wrong.")
@click.option("--reformat", is_flag=True, help="Accept losing comments that a file has after its header.")
@sources_option
@click.pass_obj
def quote_fill(settings: Settings, project_root: Path, files: tuple[Path, ...], check: bool, reformat: bool,
               sources: tuple[Path, ...]) -> None:
    """Set or repair the offsets of claims from their quotes, in FILES (default: every data file).

    Exit codes: 0 every quote with an available text is at its offsets (now), 1 a quote is not in its text or
    is ambiguous (or, with --check, some offsets would change), 2 bad input.
    """
    from migration_kg.provenance.fill import fill_offsets

    result = fill_offsets(project_root, files, list(sources) or None, write=not check, reformat=reformat)
    verb = "would set" if check else "set"
    for change in result.changes:
        old = f"{change.old[0]}-{change.old[1]}" if change.old else "none"
        click.echo(f"{verb} {change.new[0]}-{change.new[1]} (was {old}) <{change.claim}> {change.quote!r}")
    for problem in result.problems:
        click.echo(f"{problem.path}: <{problem.claim}> {problem.quote!r}: {problem.message}", err=True)
    if not settings.quiet:
        done = "to set" if check else "set"
        click.echo(f"{len(result.changes)} offsets {done}, {len(result.problems)} problems, "
                   f"{result.unchecked} quotes unchecked (text not available)")
    if result.problems or (check and result.changes):
        sys.exit(EXIT_NOT_CONFORMING)
