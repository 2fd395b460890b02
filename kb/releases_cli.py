"""``kb diff`` and ``kb releases`` (kept out of :mod:`kb.cli`, which only dispatches here)."""
import sys
from pathlib import Path

from factmodel.vocabulary import SCHEMA_DIR

from . import diff, history, releases

COMMANDS = ("diff", "releases")


def add_parsers(sub):
    p_diff = sub.add_parser("diff", help="Markdown summary of what changed between two revisions or databases")
    p_diff.add_argument("base", help="a git revision (main, HEAD~1, a tag) or a built database file")
    p_diff.add_argument("head", nargs="?", default=None,
                        help="a git revision or database file (default: the seeds folder as it is now)")
    p_diff.add_argument("--seeds", default="seeds", help="the seeds folder (locates the git repository)")
    p_releases = sub.add_parser("releases", help="the release manifests from git history, one JSON line each")
    p_releases.add_argument("--seeds", default="seeds")
    p_releases.add_argument("--cache", default=None, help="per-commit cache folder (default: none)")


def _state(spec, seeds_dir):
    """The content named by ``spec``: a database file, a git revision, or (None) the seeds folder."""
    if spec is None:
        return history.folder_content(seeds_dir), "working seeds"
    if history.is_database(spec):
        return history.database_content(spec), spec
    seeds = Path(seeds_dir).resolve()
    top = history._git(seeds, "rev-parse", "--show-toplevel")
    commit = top and history._git(seeds, "rev-parse", "--verify", "-q", f"{spec}^{{commit}}")
    if not commit:
        raise ValueError(f"{spec!r} is neither a database file nor a git revision of {seeds_dir}")
    root = Path(top.strip()).resolve()
    return history.revision_content(root, commit.strip(), seeds.relative_to(root).as_posix()), spec


def run(args):
    if args.command == "releases":
        try:
            found = releases.releases(args.seeds, SCHEMA_DIR, args.cache)
        except ValueError as exc:
            print(f"kb releases: {exc}", file=sys.stderr)
            return 2
        for manifest, _ in found:
            sys.stdout.write(releases.manifest_bytes(manifest).decode() + "\n")
        return 0
    try:
        base, base_name = _state(args.base, args.seeds)
        head, head_name = _state(args.head, args.seeds)
    except ValueError as exc:
        print(f"kb diff: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(diff.markdown(base, head, base_name, head_name))
    return 0
