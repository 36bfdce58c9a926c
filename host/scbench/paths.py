"""Where things live: the checkout and the cache outside it."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("SCBENCH_CACHE",
                            Path.home() / ".cache" / "scbench")).resolve()
BASE_REPO = CACHE / "linux.git"      # pristine base, one commit, tagged
DEBS = CACHE / "debs"
CCACHE_DIR = CACHE / "ccache"
RESULTS = CACHE / "results"           # console logs of every run


def impl_dir(impl):
    """Tree and build directories of one implementation.

    Every implementation gets the same shape, <impl>/src beside
    <impl>/build-<arch>, so the relative path from a build directory to
    its source is the same for all of them and ccache (with base_dir set
    to the cache) can share objects between implementations.
    """
    return CACHE / "work" / impl


def src_dir(impl):
    return impl_dir(impl) / "src"


def build_dir(impl, arch):
    return impl_dir(impl) / f"build-{arch}"
