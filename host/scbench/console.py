"""What in a console log means the run failed, beyond test results."""
import re

# A report from the kernel that no test asked for.
PROBLEMS = [
    ("panic", re.compile(r"Kernel panic")),
    ("oops", re.compile(r"\bOops\b|general protection fault|"
                        r"Unable to handle kernel|BUG: unable to handle")),
    ("BUG", re.compile(r"\bBUG:|kernel BUG at")),
    ("WARNING", re.compile(r"\bWARNING:")),
    ("lockdep", re.compile(r"possible (recursive|circular) locking|"
                           r"inconsistent lock state|lockdep is turned off|"
                           r"DEBUG_LOCKS_WARN_ON|suspicious RCU usage")),
    ("KASAN", re.compile(r"KASAN")),
    ("UBSAN", re.compile(r"UBSAN")),
    ("stall", re.compile(r"rcu.*detected stalls|soft lockup|hung_task|"
                         r"blocked for more than")),
    ("trace", re.compile(r"Call Trace:")),
]

INIT_FAILED = re.compile(r"scbench-init: (.*): FAILED")
PLAN_COMPLETE = "scbench-init: plan complete"


def problems(console):
    """Return (kind, line) for each line that reports a kernel problem."""
    found = []
    for line in console.splitlines():
        for kind, pattern in PROBLEMS:
            if pattern.search(line):
                found.append((kind, line.strip()))
                break
    return found


def init_failures(console):
    return INIT_FAILED.findall(console)


def plan_completed(console):
    return PLAN_COMPLETE in console
