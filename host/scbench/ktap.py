"""Read KUnit's KTAP output out of a kernel console log.

Built-in suites and module suites both print a suite header
("# Subtest: <name>") and their cases at one indent level, then the suite
result one level out.  Other kernel messages may sit between those lines;
they are ignored here (console.py judges them).  Each KTAP line is a
printk record; the console is read through printk.untangle(), so one
that landed inside a user space line is still read whole.
"""
import re
from dataclasses import dataclass, field

from . import printk

_RESULT = re.compile(r"^(not ok|ok) (\d+) ([^#]*?)\s*(#\s*(SKIP|skip).*)?$")
_SUBTEST = re.compile(r"^# Subtest: (\S+)")


@dataclass
class Case:
    name: str
    status: str            # "pass", "fail" or "skip"
    diagnostics: list = field(default_factory=list)


@dataclass
class Suite:
    name: str
    cases: list = field(default_factory=list)
    status: str = "incomplete"   # until its own result line is seen

    def counts(self):
        c = {"pass": 0, "fail": 0, "skip": 0}
        for case in self.cases:
            c[case.status] += 1
        return c


def _strip(line):
    line = printk.strip_stamp(line)
    stripped = line.lstrip(" ")
    return len(line) - len(stripped), stripped


def parse(console):
    """Return the list of suite runs in console order."""
    suites = []
    current = None
    diags = []
    for raw in printk.untangle(console).splitlines():
        indent, line = _strip(raw)
        m = _SUBTEST.match(line)
        if m and indent == 4:
            current = Suite(m.group(1))
            suites.append(current)
            diags = []
            continue
        if current is None:
            continue
        m = _RESULT.match(line)
        if m and indent == 4:
            status = "skip" if m.group(4) else (
                "pass" if m.group(1) == "ok" else "fail")
            current.cases.append(Case(m.group(3), status, diags))
            diags = []
        elif m and indent == 0 and m.group(3) == current.name:
            current.status = "skip" if m.group(4) else (
                "pass" if m.group(1) == "ok" else "fail")
            current = None
        elif indent == 4 and line.startswith("# ") and \
                not line.startswith("# module:"):
            diags.append(line)
        elif diags and indent == 0 and line and not line.startswith("#"):
            diags.append("  " + line)   # continuation of a KUnit message
    return suites
