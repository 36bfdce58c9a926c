"""Small helpers shared by the host tooling."""
import subprocess
import sys
import time


def log(msg):
    print(f"[scbench] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    """Run a command, echoing it; raise on failure."""
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def out(cmd, **kw):
    """Run a command and return its stripped standard output."""
    return subprocess.run([str(c) for c in cmd], check=True, text=True,
                          stdout=subprocess.PIPE, **kw).stdout.strip()


class Timer:
    """Times one step and reports it; the timings go in closing notes."""

    def __init__(self, what):
        self.what = what

    def __enter__(self):
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.start
        log(f"{self.what}: {self.seconds:.1f}s")
