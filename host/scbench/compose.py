"""Compose a kernel tree: the base, our files over it, then our patches.

Implementations:
  ours      base + every file of ours at a kernel path + patches/suite
            + patches/ours
  upstream  base + only the test suite (SUITE_GLOBS) + patches/suite

The composed tree is built as a git commit on top of the "base" tag
without touching a work tree, then checked out into that
implementation's worktree with `git reset --hard`, which rewrites only
files whose content changed.  Unchanged files keep their timestamps, so
the next build recompiles only what the change touched, and `git diff
base` in the worktree is exactly what we changed.
"""
import fnmatch
import os
import subprocess
import tempfile

from . import base, paths
from .util import log, out, run

IMPLS = ("ours", "upstream")

# Our files that belong to the test suite, which both implementations get.
SUITE_GLOBS = ("lib/static_call_*",)

# Files the kernel keeps two identical copies of: the tree gets the copy
# from our one file (objtool builds with tools/include).
MIRRORS = {
    "tools/include/linux/static_call_types.h":
        "include/linux/static_call_types.h",
}

PATCH_SERIES = {
    "ours": ("suite", "ours"),
    "upstream": ("suite",),
}

SKIP_NAMES = {"__pycache__", ".gitignore"}


def _base_topdirs():
    return set(out(["git", "-C", paths.BASE_REPO, "ls-tree",
                    "--name-only", "base"]).split())


def our_files():
    """Every file of ours at a kernel path, relative to the checkout."""
    found = []
    for top in sorted(_base_topdirs()):
        root = paths.REPO / top
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIP_NAMES]
            for name in filenames:
                if name not in SKIP_NAMES:
                    found.append(os.path.relpath(os.path.join(dirpath, name),
                                                 paths.REPO))
    return sorted(found)


def files_for(impl):
    files = our_files()
    if impl == "ours":
        return files
    return [f for f in files
            if any(fnmatch.fnmatch(f, g) for g in SUITE_GLOBS)]


def patches_for(impl, extra=()):
    series = []
    for name in PATCH_SERIES[impl]:
        series += sorted((paths.REPO / "patches" / name).glob("*.patch"))
    return series + [os.path.abspath(p) for p in extra]


def _compose_commit(impl, extra_patches):
    """Write the composed tree as a commit object; return its id."""
    git = ["git", "-C", str(paths.BASE_REPO)]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GIT_INDEX_FILE=os.path.join(tmp, "index"))
        subprocess.run(git + ["read-tree", "base"], check=True, env=env)
        entries = []
        files = files_for(impl)
        placed = [(rel, rel) for rel in files] + \
            [(copy, orig) for copy, orig in MIRRORS.items() if orig in files]
        for rel, source in placed:
            blob = out(git + ["hash-object", "-w", paths.REPO / source])
            mode = "100755" if os.access(paths.REPO / source, os.X_OK) \
                else "100644"
            entries.append(f"{mode} {blob}\t{rel}\n")
        subprocess.run(git + ["update-index", "--index-info"], check=True,
                       env=env, input="".join(entries), text=True)
        for patch in patches_for(impl, extra_patches):
            log(f"apply {os.path.relpath(patch, paths.REPO)}")
            subprocess.run(git + ["apply", "--cached", "--whitespace=nowarn",
                                  str(patch)], check=True, env=env)
        tree = out(git + ["write-tree"], env=env)
    ident = dict(os.environ, GIT_AUTHOR_NAME="scbench",
                 GIT_AUTHOR_EMAIL="scbench@localhost",
                 GIT_COMMITTER_NAME="scbench",
                 GIT_COMMITTER_EMAIL="scbench@localhost",
                 GIT_AUTHOR_DATE="2000-01-01T00:00:00Z",
                 GIT_COMMITTER_DATE="2000-01-01T00:00:00Z")
    return out(git + ["commit-tree", tree, "-p", "base", "-m",
                      f"scbench: {impl}"], env=ident)


def compose(impl, extra_patches=()):
    """Bring impl's worktree to base + our change; return its path."""
    if impl not in IMPLS:
        raise SystemExit(f"unknown IMPL {impl!r}: one of {', '.join(IMPLS)}")
    version = base.ensure_base()
    log(f"base: linux-source-6.12 {version}")
    src = paths.src_dir(impl)
    if not (src / ".git").exists():
        src.parent.mkdir(parents=True, exist_ok=True)
        run(["git", "-C", paths.BASE_REPO, "worktree", "prune"])
        run(["git", "-C", paths.BASE_REPO, "worktree", "add", "-q",
             "--detach", src, "base"])
    commit = _compose_commit(impl, extra_patches)
    run(["git", "-C", src, "reset", "-q", "--hard", commit])
    stat = out(["git", "-C", src, "diff", "--shortstat", "base", "HEAD"])
    log(f"{impl}: {stat or 'identical to base'}")
    return src
