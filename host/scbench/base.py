"""The base: Debian's linux-source-6.12, unpacked once into a git repository.

The repository has one commit holding the pristine source, tagged "base".
Composed trees are worktrees of it, so `git diff base` in any of them is
exactly our change.
"""
import glob
import os
import shutil
import subprocess
import tarfile

from . import paths
from .util import log, out, run, Timer

PACKAGE = "linux-source-6.12"
VERSION_FILE = "scbench-base-version"


def _deb_version(deb):
    return out(["dpkg-deb", "-f", deb, "Version"])


def _download(version):
    """Fetch the package with apt; a pinned version may be asked for."""
    paths.DEBS.mkdir(parents=True, exist_ok=True)
    spec = f"{PACKAGE}={version}" if version else PACKAGE
    for attempt in range(3):
        try:
            run(["apt-get", "download", spec], cwd=paths.DEBS,
                stderr=subprocess.DEVNULL)
            break
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise
            subprocess.run(["apt-get", "update", "-q"])
    debs = sorted(glob.glob(str(paths.DEBS / f"{PACKAGE}_*.deb")),
                  key=os.path.getmtime)
    return debs[-1]


def _unpack(deb, dest):
    """Unpack the source tarball inside the .deb into dest."""
    tmp = paths.CACHE / "deb-unpack"
    shutil.rmtree(tmp, ignore_errors=True)
    run(["dpkg-deb", "-x", deb, tmp])
    tarball = next(tmp.glob("usr/src/linux-source-*.tar.xz"))
    dest.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        top = tar.next().name.split("/")[0]
    run(["tar", "-xJf", tarball, "-C", dest, "--strip-components=1",
         "--no-same-owner", top])
    shutil.rmtree(tmp)


def _git(*args, **kw):
    return run(["git", "-C", paths.BASE_REPO, *args], **kw)


def _commit_base(version):
    env = dict(os.environ, GIT_AUTHOR_NAME="scbench",
               GIT_AUTHOR_EMAIL="scbench@localhost",
               GIT_COMMITTER_NAME="scbench",
               GIT_COMMITTER_EMAIL="scbench@localhost")
    _git("init", "-q", "-b", "pristine")
    _git("config", "core.autocrlf", "false")
    _git("config", "gc.auto", "0")
    _git("add", "-A", "-f", ".")
    _git("commit", "-q", "-m", f"{PACKAGE} {version}", env=env)
    _git("tag", "base")
    (paths.BASE_REPO / ".git" / VERSION_FILE).write_text(version + "\n")


def base_version():
    f = paths.BASE_REPO / ".git" / VERSION_FILE
    return f.read_text().strip() if f.exists() else None


def ensure_base():
    """Make sure the pristine base repository exists; return its version.

    SCBENCH_BASE_VERSION pins a Debian version; without it the first run
    takes apt's candidate and later runs keep what is cached.
    """
    wanted = os.environ.get("SCBENCH_BASE_VERSION")
    have = base_version()
    if have and (not wanted or wanted == have):
        return have
    if have:
        log(f"base {have} cached, {wanted} wanted: recreating")
        shutil.rmtree(paths.CACHE / "work", ignore_errors=True)
    shutil.rmtree(paths.BASE_REPO, ignore_errors=True)
    with Timer("fetch base"):
        deb = _download(wanted)
    version = _deb_version(deb)
    with Timer("unpack base"):
        _unpack(deb, paths.BASE_REPO)
    with Timer("commit base"):
        _commit_base(version)
    return version
