"""What in a console log means the run failed, beyond test results.

/init's markers ("scbench-init: ...") are printk records of their own
(see host/init/init.c), so they carry a timestamp: they are searched
anywhere in a line, never anchored at its start, in the console as
printk.untangle() gives it.
"""
import re

from . import printk

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
    ("trace", re.compile(r"Call [Tt]race:")),  # x86, arm64
    # Our implementation refusing to patch: a bug unless a test asked.
    ("refused", re.compile(r"static_call: .*(holds|not retargeted|"
                           r"is not a trampoline|exported without)")),
]

# Inside an expected refusal, the warning our implementation gives when
# it leaves a place as found: its WARNING line names our file, and the
# backtrace that follows it.
_OUR_WARNING = re.compile(r"WARNING: .* at \S*kernel/static_call")
_EXPECTED_KINDS = ("refused", "trace")

# A test that makes the implementation refuse says so around it.
EXPECT_BEGIN = "static_call_x86_kunit: the next warning is expected"
EXPECT_END = "static_call_x86_kunit: end of expected warning"
# What any of our suites (static_call_x86_kunit, static_call_arm64_kunit,
# /init's own echo) prints around an expected warning.
_EXPECT_BEGIN = re.compile(r"\bstatic_call_\w+: the next warning is expected")
_EXPECT_END = re.compile(r"\bstatic_call_\w+: end of expected warning")

INIT_FAILED = re.compile(r"scbench-init: (.*): FAILED")
PLAN_COMPLETE = re.compile(r"scbench-init: plan complete\b")


def problems(console):
    """Return (kind, line) for each line that reports a kernel problem."""
    found = []
    expected = False
    for line in printk.untangle(console).splitlines():
        if _EXPECT_BEGIN.search(line):
            expected = True
        elif _EXPECT_END.search(line):
            expected = False
        for kind, pattern in PROBLEMS:
            if pattern.search(line):
                if not (expected and _excused(kind, line)):
                    found.append((kind, line.strip()))
                break
    return found


def _excused(kind, line):
    return kind in _EXPECTED_KINDS or (kind == "WARNING" and
                                       _OUR_WARNING.search(line))


def init_failures(console):
    """The /init steps that reported FAILED."""
    return INIT_FAILED.findall(printk.untangle(console))


def plan_completed(console):
    """Whether /init said it ran its whole plan."""
    return bool(PLAN_COMPLETE.search(printk.untangle(console)))


_INT3_RIP = re.compile(r"RIP: \S+:(\S+)")
_CODE = re.compile(r"Code: (.*)")


def int3_traps(console_text):
    """Describe each "Oops: int3": where, and what memory holds there.

    The Oops dump's Code: line marks the byte at RIP with <>; after an
    INT3, RIP is one past it, so the byte before the mark is what memory
    held where the CPU executed the 0xcc.
    """
    found = []
    lines = console_text.splitlines()
    for i, line in enumerate(lines):
        if "Oops: int3" not in line:
            continue
        rip = code = None
        for later in lines[i:i + 12]:
            rip = rip or (_INT3_RIP.search(later) and
                          _INT3_RIP.search(later).group(1))
            code = code or (_CODE.search(later) and
                            _CODE.search(later).group(1).split())
        held = "?"
        if code:
            mark = next((k for k, b in enumerate(code) if b.startswith("<")),
                        None)
            if mark:
                held = code[mark - 1]
        found.append(f"int3 at {rip}, memory holds {held} there")
    return found
