"""Documentation/core-api/static-calls.rst, rendered with the kernel's
own Sphinx configuration by host/docs-check.sh: one check, failed by any
warning that names our files.  It takes seconds, so `check` runs it
before any kernel is built."""
import subprocess

from .. import compose, paths
from ..report import Outcome, diagnostics
from ..util import Timer

SCRIPT = paths.REPO / "host" / "docs-check.sh"


def run(extra_patches):
    """Compose our tree and render the document; one Outcome."""
    out = Outcome("host/docs")
    compose.compose("ours", extra_patches)
    with Timer("docs"):
        proc = subprocess.run(["bash", str(SCRIPT),
                               str(paths.src_dir("ours"))],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    tail = proc.stdout.strip().splitlines()[-8:]
    out.check(proc.returncode == 0,
              "static-calls.rst renders with no warning from our files"
              + ("" if proc.returncode == 0 else diagnostics(tail)))
    return out
