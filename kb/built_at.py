"""The dataset's ``built_at``: a function of the inputs, never of the clock."""
import os
from pathlib import Path

from factmodel.vocabulary import SCHEMA_DIR

from .history import _git


def built_at_epoch(seeds_dir, schema_dir=SCHEMA_DIR):
    """The dataset's ``built_at`` (Last-Modified), in Unix seconds: a function of the inputs, not of
    the clock, so two builds of the same inputs write byte-identical databases (and replicas built
    apart agree on Last-Modified). In order:

    1. ``SOURCE_DATE_EPOCH`` when set (https://reproducible-builds.org/specs/source-date-epoch/);
    2. in a git checkout whose seeds and schema have no uncommitted change: the commit time of the
       last commit that touched them (``git log -1 --format=%ct -- SEEDS SCHEMA``);
       A folder outside the seeds' repository (the schema, for seeds in a repository of their own)
       adds its files' newest modification time;
    3. otherwise (no git, not a checkout, untracked or edited files): the newest modification time,
       in whole seconds, among the files under the seeds folder and the schema folder.
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    folders = [Path(seeds_dir).resolve(), Path(schema_dir).resolve()]
    top = (_git(folders[0], "rev-parse", "--show-toplevel") or "").strip()
    tracked = [f for f in folders if top and f.is_relative_to(Path(top).resolve())
               and (_git(folders[0], "ls-files", "--", str(f)) or "").strip()]  # not ignored, not new
    outside = [f for f in folders if f not in tracked]  # e.g. the project's schema for a scratch seeds repo
    status = _git(folders[0], "status", "--porcelain", "--untracked-files=all", "--", *map(str, tracked)) \
        if folders[0] in tracked else None
    if status == "":
        stamp = (_git(folders[0], "log", "-1", "--format=%ct", "--", *map(str, tracked)) or "").strip()
        if stamp.isdigit():
            return max([int(stamp), *_mtimes(outside)])
    return max(_mtimes(folders), default=0)


def _mtimes(folders):
    return [int(path.stat().st_mtime) for folder in folders for path in folder.rglob("*") if path.is_file()]
