"""Unit tests of the host tooling; `check` runs them first (hosttests/unit.py).

logs/ holds consoles of real boots (copied from ~/.cache/scbench/results,
the test modules' names brought up to date), the CONFIG_ lines of the
builds that booted them, and one interleaving made from a real console:
the x86_64 functional boot with its "plan complete" marker split by the
reboot message, as a flaky boot printed it, and a marker of /init split
by a KTAP line.
"""
import re
from pathlib import Path

from .. import kbuild

LOGS = Path(__file__).parent / "logs"

FUNCTIONAL = "20261122-173432-x86_64-ours-functional.log"
INTERLEAVED = "20261122-173432-x86_64-ours-functional-interleaved.log"
PANIC = "20261122-163351-x86_64-ours-functional.log"
ARM64_RACE = "20261122-173321-arm64-ours-race.log"
UPSTREAM_TRACING = "20261122-173644-x86_64_big-upstream-tracing.log"

X86_64_OURS = "x86_64-ours.config"
ARM64_OURS = "arm64-ours.config"
X86_64_BIG_UPSTREAM = "x86_64_big-upstream.config"


def console(name):
    return (LOGS / name).read_text()


def config(name):
    return kbuild.parse_config((LOGS / name).read_text())


def as_kmsg(text):
    """The console as /init writing to /dev/kmsg shows it: its lines are
    printk records too, with a timestamp in front."""
    return re.sub(r"^(?=[^\[\n])", "[    9.000000] ", text, flags=re.M)


def without(text, line):
    """text without one whole line, which must be there exactly once."""
    assert text.count(line + "\n") == 1, line
    return text.replace(line + "\n", "")
