"""``kb``: validate the seeds and build the SQLite knowledge base.

    kb validate [--seeds DIR] [--strict]       (--strict: warnings fail too)
    kb build    [--seeds DIR] [--db PATH]      (PATH defaults to $KB_DB or var/kb.sqlite)
    kb diff     BASE [HEAD] [--seeds DIR]      (git revisions or database files; HEAD: the working seeds)
    kb releases [--seeds DIR]                  (one JSON manifest per line, oldest first)

and the curator commands of :mod:`kb.curate` (new-source, quote, new-fact, show, preview,
coverage, entity find).
"""
import argparse
import sqlite3
import sys

from . import curate, releases_cli
from .build import SCHEMA_VERSION, BuildFailed, build, default_db_path
from .seeds import Seeds


def validate(seeds_dir):
    """Run every check without writing anything; return ``(seeds, problems)``."""
    seeds = Seeds(seeds_dir)
    seeds.load_sources()
    seeds.load_entities()
    for _ in seeds.iter_facts():
        pass
    return seeds, seeds.finish()


def _report(problems, warnings=()):
    for problem in [*problems, *warnings]:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s) found" + (f", {len(warnings)} warning(s)" if warnings else ""), file=sys.stderr)
    return 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="kb", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_validate = sub.add_parser("validate", help="check the seeds; report every problem as path:line:column")
    p_validate.add_argument("--seeds", default="seeds")
    p_validate.add_argument("--strict", action="store_true",
                            help="fail on warnings too (entities sharing a name or alias: see distinct_from)")
    p_build = sub.add_parser("build", help="validate, then write the database atomically")
    p_build.add_argument("--seeds", default="seeds")
    p_build.add_argument("--db", default=None, help="target file (default: $KB_DB or var/kb.sqlite)")
    p_build.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                         help="show a progress bar (default: only on a terminal)")
    curate.add_parsers(sub)
    releases_cli.add_parsers(sub)  # kb diff, kb releases (kb/releases_cli.py)
    args = parser.parse_args(argv)
    if args.command in curate.COMMANDS:
        return curate.run(args)
    if args.command in releases_cli.COMMANDS:
        return releases_cli.run(args)

    if args.command == "validate":
        seeds, problems = validate(args.seeds)
        if problems or (args.strict and seeds.warnings):
            return _report(problems, seeds.warnings)
        for warning in seeds.warnings:
            print(warning, file=sys.stderr)
        print(f"ok: {len(seeds.sources)} sources, {len(seeds.entities)} entities, {seeds.fact_count} facts; "
              f"dataset version {seeds.dataset_version(SCHEMA_VERSION)[:16]}"
              + (f"; {len(seeds.warnings)} warning(s) (`kb validate --strict` fails on them)" if seeds.warnings else ""))
        return 0

    db_path = args.db or default_db_path()
    try:
        meta = build(args.seeds, db_path, progress=args.progress)
    except BuildFailed as exc:
        _report(exc.problems)
        print(f"build aborted; {db_path} left unchanged", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only folder: one line, not a traceback
        print(f"{db_path}: build failed: {exc}; {db_path} left unchanged", file=sys.stderr)
        return 1
    print(f"built {db_path}: {meta['counts']}; dataset version {meta['dataset_version'][:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
