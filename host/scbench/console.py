"""What in a console log means the run failed, beyond test results.

/init's markers ("scbench-init: ...") are printk records of their own
(see host/init/init.c), so they carry a timestamp: they are searched
anywhere in a line, never anchored at its start, in the console as
printk.untangle() gives it.
"""
import re

from . import printk

# A report from the kernel that no test asked for: (kind, pattern), and
# the first that matches a line names it.  The checkers' reports come
# before the BUG: and WARNING: most of them start with, so that the kind
# says which checker spoke; the formats are 6.12's, and the debug kernels
# (configs/debug.config) turn every one of these checkers on.
PROBLEMS = [
    ("panic", re.compile(r"Kernel panic")),
    # x86 names KASAN in an Oops's header ("SMP KASAN NOPTI"): an Oops.
    ("oops", re.compile(r"\bOops\b|general protection fault|"
                        r"Unable to handle kernel|BUG: unable to handle")),
    # "BUG: KASAN: slab-use-after-free in f+0x1c/0x40", and "KASAN:
    # null-ptr-deref in range [...]" after a general protection fault.
    ("KASAN", re.compile(r"KASAN")),
    ("KFENCE", re.compile(r"\bBUG: KFENCE: ")),
    # "UBSAN: array-index-out-of-bounds in kernel/f.c:12:3" (lib/ubsan.c).
    ("UBSAN", re.compile(r"UBSAN")),
    # kernel/locking/lockdep.c's WARNING:, BUG: and INFO: headlines.  A
    # "BUG: MAX_..." limit is printed at KERN_DEBUG, which the console
    # does not show; the stack dumped after it is still a "trace".
    ("lockdep", re.compile(
        r"possible (recursive|circular) locking|inconsistent lock state|"
        r"possible irq lock inversion|-safe -> \S+-unsafe lock order|"
        r"bad unlock balance|bad contention detected|held lock freed|"
        r"still has locks held|lock held when returning to user space|"
        r"Nested lock was not taken|chain_key collision|"
        r"suspicious RCU usage|lockdep is turned off|DEBUG_LOCKS_WARN_ON|"
        r"BUG: MAX_\w+ too low|BUG: looking up invalid subclass|"
        r"BUG: key \S+ has not been registered|"
        r"trying to register non-static key|"
        r"turning off the locking correctness validator")),
    # DEBUG_ATOMIC_SLEEP (kernel/sched/core.c), and a work item that
    # returned in atomic context (kernel/workqueue.c).
    ("atomic-sleep", re.compile(
        r"BUG: (sleeping function called from invalid context|"
        r"scheduling while atomic|scheduling in a non-blocking section|"
        r"assuming atomic context|assuming non migratable context|"
        r"workqueue leaked atomic)")),
    # A scan's verdict, an object's record (in the console if the plan
    # prints /sys/kernel/debug/kmemleak, or with kmemleak.verbose), and
    # kmemleak giving up: no verdict to trust after that.
    ("kmemleak", re.compile(
        r"kmemleak: (\d+ new suspected memory leak|"
        r"Cannot (?!allocate a scan area)|"
        r"Memory pool empty|Kernel memory leak detector disabled|"
        r".*unknown object|Found object by alias|Scan area larger)|"
        r"unreferenced object 0x[0-9a-f]+ \(size \d+\)")),
    # DEBUG_LIST (lib/list_debug.c): a WARNING follows, or a BUG with
    # BUG_ON_DATA_CORRUPTION.
    ("list-corruption", re.compile(r"\blist_(add|del) corruption|"
                                   r"\blist_add double add")),
    # DEBUG_OBJECTS (lib/debugobjects.c), but for its selftest's verdict.
    ("debugobjects", re.compile(r"\bODEBUG: (?!selftest passed)")),
    ("refcount", re.compile(r"\brefcount_t: ")),
    # An allocation that failed, and said so: warn_alloc() (pages,
    # vmalloc), SLUB, and fault injection saying it forced one.  Only
    # the faults boot's window expects them (below).
    ("alloc-failure", re.compile(
        r"page allocation failure: order:|\bvmalloc error: size|"
        r"SLUB: Unable to allocate memory|FAULT_INJECTION: forcing a failure|"
        # kmemleak's own metadata: it scans the whole object instead
        r"kmemleak: Cannot allocate a scan area")),
    ("BUG", re.compile(r"\bBUG:|kernel BUG at")),
    ("WARNING", re.compile(r"\bWARNING:")),
    ("stall", re.compile(r"rcu.*detected stalls|soft lockup|hung_task|"
                         r"blocked for more than")),
    ("trace", re.compile(r"Call [Tt]race:")),  # x86, arm64
    # Our implementation refusing to patch: a bug unless a test asked.
    ("refused", re.compile(r"static_call: .*(holds|not retargeted|"
                           r"is not a trampoline|exported without)")),
    # A key left on a module that went away (kernel/static_call.c): it
    # is retargeted and named, not a warning, but a test that leaves one
    # behind without asking has a bug.
    ("dangling", re.compile(r"static_call: .* which is (going away|"
                            r"freeing its init code)|"
                            r"static_call: \d+ keys in all were retargeted")),
]

# Inside an expected refusal, the warning our implementation gives when
# it leaves a place as found: its WARNING line names our file, and the
# backtrace that follows it.
_OUR_WARNING = re.compile(r"WARNING: .* at \S*kernel/static_call")
_EXPECTED_KINDS = ("refused", "trace", "dangling")

# A test that makes the implementation refuse says so around it.
EXPECT_BEGIN = "static_call_x86_kunit: the next warning is expected"
EXPECT_END = "static_call_x86_kunit: end of expected warning"
# What any of our suites (static_call_x86_kunit, static_call_arm64_kunit,
# /init's own echo) prints around an expected warning.
_EXPECT_BEGIN = re.compile(r"\bstatic_call_\w+: the next warning is expected")
_EXPECT_END = re.compile(r"\bstatic_call_\w+: end of expected warning")

# The faults boot's /init makes module loads fail on purpose, one
# allocation after another, between these.  Inside, an allocation's
# failure report and the stack dumped with it are expected; any other
# report is not, and neither is a stack dumped after one.
FAULTS_BEGIN = "static_call_faults: injected allocation failures begin"
FAULTS_END = "static_call_faults: injected allocation failures end"
# warn_alloc() prints its line, the CPU and hardware lines, then the
# stack: a stack further on is someone else's.
_STACK_AFTER_REPORT = 6


class _Expected:
    """Which reports the console has said to expect, line by line."""

    def __init__(self):
        self.refusal = False    # between EXPECT_BEGIN and EXPECT_END
        self.faults = False     # between FAULTS_BEGIN and FAULTS_END
        self.injected = None    # line of an injected failure's report
        self.line = 0

    def see(self, line):
        """Follow the markers."""
        self.line += 1
        if _EXPECT_BEGIN.search(line):
            self.refusal = True
        elif _EXPECT_END.search(line):
            self.refusal = False
        elif FAULTS_BEGIN in line:
            self.faults = True
        elif FAULTS_END in line:
            self.faults = False
            self.injected = None

    def excuses(self, kind, line):
        """Whether a report of @kind here is expected.  An injected
        failure's report excuses the one stack dumped right after it,
        no other."""
        injected, self.injected = self.injected, None
        if kind == "alloc-failure" and self.faults:
            self.injected = self.line
        own_stack = injected is not None and \
            self.line - injected <= _STACK_AFTER_REPORT
        if self.refusal and (kind in _EXPECTED_KINDS or (
                kind == "WARNING" and _OUR_WARNING.search(line))):
            return True
        return self.faults and (kind == "alloc-failure" or
                                (kind == "trace" and own_stack))


def kind_of(line):
    """The kind of kernel problem @line reports, None if none."""
    for kind, pattern in PROBLEMS:
        if pattern.search(line):
            return kind
    return None


def problems(console):
    """Return (kind, line) for each line that reports a kernel problem
    no marker said to expect."""
    found = []
    expected = _Expected()
    for line in printk.untangle(console).splitlines():
        expected.see(line)
        kind = kind_of(line)
        if kind and not expected.excuses(kind, line):
            found.append((kind, line.strip()))
    return found


INIT_FAILED = re.compile(r"scbench-init: (.*): FAILED")
PLAN_COMPLETE = re.compile(r"scbench-init: plan complete\b")


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
