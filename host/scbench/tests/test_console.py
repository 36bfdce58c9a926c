"""console.py: /init's markers and the kernel's problem reports."""
import unittest

from .. import console, paths
from . import FUNCTIONAL, INTERLEAVED, PANIC, as_kmsg, console as log
from . import without

PLAN_COMPLETE = "scbench-init: plan complete"
BREAKAGE_DIR = paths.REPO / "host" / "breakage"


class Markers(unittest.TestCase):
    def test_plan_complete_however_it_reached_the_console(self):
        for name, text in [("whole lines", log(FUNCTIONAL)),
                           ("interleaved", log(INTERLEAVED)),
                           ("through kmsg", as_kmsg(log(FUNCTIONAL))),
                           ("stray fragment before a record",
                            "x[    4.1] " + PLAN_COMPLETE + "\n")]:
            self.assertTrue(console.plan_completed(text), name)

    def test_plan_not_complete(self):
        text = without(log(FUNCTIONAL), PLAN_COMPLETE)
        for name, text in [("no marker", text),
                           ("half a marker", text + "scbench-init: plan comp"),
                           ("crashed boot", log(PANIC))]:
            self.assertFalse(console.plan_completed(text), name)

    def test_failed_steps_found_anywhere_in_a_line(self):
        text = (log(FUNCTIONAL)
                + "[    9.1] scbench-init: rmmod a: FAILED (errno 16)\n"
                + "scbench-init: insmod /lib/b.ko: FA[    9.2] x\n"
                + "ILED (errno 2)\n")
        self.assertEqual(console.init_failures(text),
                         ["rmmod a", "insmod /lib/b.ko"])

    def test_no_failed_steps_in_a_good_boot(self):
        self.assertEqual(console.init_failures(log(INTERLEAVED)), [])


class Problems(unittest.TestCase):
    def test_expected_refusals_are_excused(self):
        for text in (log(FUNCTIONAL), log(INTERLEAVED),
                     as_kmsg(log(FUNCTIONAL))):
            self.assertEqual(console.problems(text), [])

    def test_a_refusal_outside_its_window_is_a_problem(self):
        text = log(FUNCTIONAL).replace(console.EXPECT_BEGIN, "(moved)", 1)
        kinds = {kind for kind, _ in console.problems(text)}
        self.assertEqual(kinds, {"refused", "WARNING", "trace"})

    def test_crash_is_reported(self):
        kinds = {kind for kind, _ in console.problems(log(PANIC))}
        self.assertTrue({"panic", "oops"} <= kinds, kinds)


# One report of each checker the debug kernels turn on, as 6.12 prints
# it (the format string's source in the comment), and the kind it must be
# flagged as.
# A key left on a module that went away (kernel/static_call.c).
DANGLING = ("static_call: sc_going_key still targets going_target "
            "[static_call_going_fixture] of module static_call_going_fixture,"
            " which is going away: retargeted to __static_call_return0")

CHECKER_REPORTS = [
    # lockdep (kernel/locking/lockdep.c)
    ("lockdep", "WARNING: possible circular locking dependency detected"),
    ("lockdep", "WARNING: possible recursive locking detected"),
    ("lockdep", "WARNING: inconsistent lock state"),
    ("lockdep", "WARNING: possible irq lock inversion dependency detected"),
    ("lockdep", "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order "
                "detected"),
    ("lockdep", "WARNING: bad unlock balance detected!"),
    ("lockdep", "WARNING: held lock freed!"),
    ("lockdep", "WARNING: insmod/97 still has locks held!"),
    ("lockdep", "WARNING: lock held when returning to user space!"),
    ("lockdep", "WARNING: Nested lock was not taken"),
    ("lockdep", "WARNING: suspicious RCU usage"),
    ("lockdep", "BUG: MAX_LOCKDEP_ENTRIES too low!"),
    ("lockdep", "BUG: MAX_LOCKDEP_CHAIN_HLOCKS too low!"),
    ("lockdep", "turning off the locking correctness validator."),
    ("lockdep", "INFO: trying to register non-static key."),
    ("lockdep", "INFO: lockdep is turned off."),
    ("lockdep", "DEBUG_LOCKS_WARN_ON(lock->magic != lock)"),
    # DEBUG_ATOMIC_SLEEP (kernel/sched/core.c), workqueue.c
    ("atomic-sleep", "BUG: sleeping function called from invalid context "
                     "at include/linux/percpu-rwsem.h:49"),
    ("atomic-sleep", "BUG: scheduling while atomic: insmod/97/0x00000002"),
    ("atomic-sleep", "BUG: assuming atomic context at kernel/static_call.c:70"),
    ("atomic-sleep", "BUG: workqueue leaked atomic, lock or RCU: "
                     "kworker/0:1[19]"),
    # KASAN (mm/kasan/report.c)
    ("KASAN", "BUG: KASAN: slab-use-after-free in "
              "static_call_del_module+0x1c4/0x1f0"),
    ("KASAN", "BUG: KASAN: slab-out-of-bounds in "
              "attach_module_runs+0x1d2/0x260"),
    ("KASAN", "KASAN: null-ptr-deref in range "
              "[0x0000000000000008-0x000000000000000f]"),
    # KFENCE (mm/kfence/report.c)
    ("KFENCE", "BUG: KFENCE: use-after-free read in "
               "static_call_del_module+0x3c/0x90"),
    # UBSAN (lib/ubsan.c)
    ("UBSAN", "UBSAN: array-index-out-of-bounds in "
              "kernel/static_call_inline.c:212:9"),
    ("UBSAN", "UBSAN: shift-out-of-bounds in kernel/static_call.c:81:14"),
    # kmemleak (mm/kmemleak.c): a scan, the objects it found (printed by
    # the plan, or with kmemleak.verbose), kmemleak giving up
    ("kmemleak", "kmemleak: 3 new suspected memory leaks (see "
                 "/sys/kernel/debug/kmemleak)"),
    ("kmemleak", "unreferenced object 0xffff888004a1b2c0 (size 32):"),
    ("kmemleak", "kmemleak: unreferenced object 0xffff000004a1b2c0 "
                 "(size 32):"),
    ("kmemleak", "kmemleak: Memory pool empty, consider increasing "
                 "CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE"),
    ("kmemleak", "kmemleak: Cannot allocate a kmemleak_object structure"),
    ("kmemleak", "kmemleak: Kernel memory leak detector disabled"),
    ("kmemleak", "kmemleak: Freeing unknown object at 0xffff888004a1b2c0"),
    # DEBUG_LIST (lib/list_debug.c), BUG_ON_DATA_CORRUPTION off
    ("list-corruption", "list_add corruption. next->prev should be prev "
                        "(ffff888003b1c0a8), but was ffff888003b1c0c8. "
                        "(next=ffff888003b1c0c8)."),
    ("list-corruption", "list_add double add: new=ffff888003b1c0a8, "
                        "prev=ffff888003b1c0a8, next=ffff888003b1c0c8."),
    ("list-corruption", "list_del corruption, ffff888003a9e2c0->next is "
                        "LIST_POISON1 (dead000000000100)"),
    ("list-corruption", "list_del corruption. prev->next should be "
                        "ffff888003a9e2c0, but was ffff888003a9e300. "
                        "(prev=ffff888003a9e300)"),
    # DEBUG_OBJECTS (lib/debugobjects.c)
    ("debugobjects", "ODEBUG: free active (active state 0) object: "
                     "00000000f6c7a8b1 object type: timer_list hint: "
                     "sc_timer_fn+0x0/0x20 [static_call_module_kunit]"),
    ("debugobjects", "ODEBUG: Out of memory. ODEBUG disabled"),
    # refcount_t (lib/refcount.c)
    ("refcount", "refcount_t: underflow; use-after-free."),
    ("refcount", "refcount_t: saturated; leaking memory."),
    # what follows most of them
    ("WARNING", "WARNING: CPU: 0 PID: 97 at lib/list_debug.c:32 "
                "__list_add_valid_or_report+0xd8/0x100"),
    ("trace", "Call Trace:"),
    ("trace", "Call trace:"),
    ("dangling", DANGLING),
]

# What a debug kernel prints on a good boot, near those words.
BENIGN = [
    "kasan: KernelAddressSanitizer initialized",
    "KernelAddressSanitizer initialized (generic)",
    "kmemleak: Kernel memory leak detector initialized (mem pool available: "
    "15682)",
    "Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar",
    "... MAX_LOCKDEP_SUBCLASSES:  8",
    "... MAX_LOCKDEP_KEYS:        8192",
    "ODEBUG: selftest passed",
]



def _stamped(*lines, at=9.0):
    return "".join(f"[{at + i / 1000:12.6f}] {line}\n"
                   for i, line in enumerate(lines))


class Checkers(unittest.TestCase):
    """Every checker's report fails a boot, under its own kind."""

    def test_each_report_is_flagged_with_its_kind(self):
        for kind, line in CHECKER_REPORTS:
            text = log(FUNCTIONAL) + _stamped(line)
            self.assertEqual(console.problems(text), [(kind, f"[    "
                             f"9.000000] {line}")], line)

    def test_a_good_debug_boot_prints_no_report(self):
        for line in BENIGN:
            self.assertEqual(console.problems(_stamped(line)), [], line)

    def test_every_kind_has_a_case(self):
        kinds = {kind for kind, _ in console.PROBLEMS}
        tested = {kind for kind, _ in CHECKER_REPORTS}
        # Those the recorded consoles and other cases here test.
        tested |= {"panic", "oops", "BUG", "stall", "refused",
                   "alloc-failure"}
        self.assertEqual(kinds - tested, set())

    def test_a_key_left_on_init_code_is_a_problem(self):
        line = ("static_call: sc_x [m] still targets f [m] of module m, "
                "which is freeing its init code: retargeted to "
                "__static_call_return0")
        count = ("static_call: 12 keys in all were retargeted from module "
                 "m to __static_call_return0")
        self.assertEqual([k for k, _ in console.problems(_stamped(line,
                                                                  count))],
                         ["dangling", "dangling"])

    def test_a_key_left_on_purpose_is_expected(self):
        text = _stamped(console.EXPECT_BEGIN, DANGLING, console.EXPECT_END,
                        DANGLING)
        self.assertEqual([kind for kind, _ in console.problems(text)],
                         ["dangling"])

    def test_kasan_in_an_oops_header_is_the_oops(self):
        line = ("Oops: general protection fault, probably for non-canonical "
                "address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI")
        self.assertEqual(console.kind_of(line), "oops")


# What the faults boot's window holds when it goes as it should: fault
# injection saying it forced a failure (verbose 2: with a stack), the
# page allocator's and vmalloc's reports (warn_alloc(): a stack and the
# memory state), our refusal to load, /init's verdict.
INJECTED = [
    "FAULT_INJECTION: forcing a failure.",
    "name failslab, interval 1, probability 0, space 0, times 1",
    "CPU: 1 UID: 0 PID: 1 Comm: init Not tainted 6.12.57 #1",
    "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS "
    "1.16.2-debian-1.16.2-1 04/01/2014",
    "Call Trace:",
    " <TASK>",
    " dump_stack_lvl+0x8e/0xb0",
    " should_fail_ex+0x4b3/0x5b0",
    " should_failslab+0xc2/0x120",
    " __kmalloc_cache_noprof+0x6b/0x3a0",
    " attach_module_runs+0x9a/0x260",
    " static_call_add_module+0x1f1/0x2a0",
    " static_call_module_notify+0x2f1/0x8c0",
    " load_module+0x5a9c/0x6f90",
    " </TASK>",
    "static_call: cannot load static_call_module_kunit: -12",
    "scbench-init: insmod-fails /lib/static_call_module_kunit.ko: ok "
    "(errno 12)",
    "init: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), "
    "nodemask=(null),cpuset=/,mems_allowed=0",
    "CPU: 0 UID: 0 PID: 1 Comm: init Not tainted 6.12.57 #1",
    "Call trace:",
    " dump_backtrace+0x9c/0x100",
    " warn_alloc+0x15c/0x1e8",
    " __alloc_pages_noprof+0x1b4/0x270",
    "Mem-Info:",
    "active_anon:0 inactive_anon:0 isolated_anon:0",
    "Node 0 DMA free:962312kB boost:0kB min:5764kB low:7204kB high:8644kB",
    "lowmem_reserve[]: 0 0 0 0",
    "262144 pages RAM",
    "init: vmalloc error: size 12288, failed to allocate pages, "
    "mode:0xdc0(GFP_KERNEL|__GFP_ZERO), nodemask=(null),cpuset=/,"
    "mems_allowed=0",
    "Call Trace:",
    "scbench-init: insmod-fails /lib/static_call_module_kunit.ko: ok "
    "(errno 12)",
]


def _faults(*inside):
    return _stamped(console.FAULTS_BEGIN, *inside, console.FAULTS_END)


class InjectedFailures(unittest.TestCase):
    """The faults boot: inside its window an allocation's failure and its
    stack are expected, nothing else is; outside it nothing is."""

    def test_the_window_excuses_injected_failures(self):
        text = log(FUNCTIONAL) + _faults(*INJECTED)
        self.assertEqual(console.problems(text), [])

    def test_the_same_reports_outside_the_window_fail(self):
        kinds = [kind for kind, _ in console.problems(_stamped(*INJECTED))]
        self.assertEqual(kinds, ["alloc-failure", "trace", "alloc-failure",
                                 "trace", "alloc-failure", "trace"])

    def test_after_the_window_an_injected_failure_fails(self):
        text = _faults(*INJECTED) + _stamped(*INJECTED[:5], at=30.0)
        self.assertEqual([kind for kind, _ in console.problems(text)],
                         ["alloc-failure", "trace"])

    def test_any_other_report_in_the_window_fails_with_its_stack(self):
        for kind, line in CHECKER_REPORTS:
            if kind == "trace":
                continue
            text = _faults(INJECTED[0], line, "Call Trace:", *INJECTED[5:])
            self.assertEqual([k for k, _ in console.problems(text)],
                             [kind, "trace"], line)

    def test_an_oops_in_the_window_fails(self):
        text = _faults(*INJECTED[:5], "Oops: general protection fault, "
                       "probably for non-canonical address "
                       "0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI",
                       "Call Trace:")
        self.assertEqual([k for k, _ in console.problems(text)],
                         ["oops", "trace"])

    def test_a_stack_with_no_report_before_it_fails(self):
        text = _faults("Call Trace:", *INJECTED)
        self.assertEqual([k for k, _ in console.problems(text)], ["trace"])

    def test_kmemleak_losing_a_scan_area_is_an_injected_failure(self):
        line = "kmemleak: Cannot allocate a scan area, scanning the full object"
        self.assertEqual(console.problems(_faults(line)), [])
        self.assertEqual([k for k, _ in console.problems(_stamped(line))],
                         ["alloc-failure"])

    def test_only_the_stack_right_after_a_failure_is_excused(self):
        # A second stack, and a stack far from the report, are not its.
        text = _faults(*INJECTED[:5], "Call Trace:")
        self.assertEqual([k for k, _ in console.problems(text)], ["trace"])
        far = [f"filler line {i}" for i in range(10)]
        text = _faults(INJECTED[0], *far, "Call Trace:")
        self.assertEqual([k for k, _ in console.problems(text)], ["trace"])

    def test_markers_come_through_kmsg_or_the_console(self):
        # /init writes them to /dev/kmsg (stamped), else to the console.
        plain = (console.FAULTS_BEGIN + "\n" + "".join(
            line + "\n" for line in INJECTED) + console.FAULTS_END + "\n")
        self.assertEqual(console.problems(plain), [])


# Each host/breakage/ours-debug-*.patch, and the line the debug kernel's
# console shows for it (host/README.md says how to run them): each must
# fail the boot, as the checker that caught it.
BREAKAGES = {
    "ours-debug-leak-module-runs.patch": (
        "kmemleak", "kmemleak: 8 new suspected memory leaks (see "
        "/sys/kernel/debug/kmemleak)"),
    "ours-debug-lock-order-inverted.patch": (
        "lockdep", "WARNING: possible circular locking dependency detected"),
    "ours-debug-sleep-with-preempt-off.patch": (
        "atomic-sleep", "BUG: sleeping function called from invalid context "
        "at include/linux/percpu-rwsem.h:49"),
    "ours-debug-run-record-too-small.patch": (
        "KASAN", "BUG: KASAN: slab-out-of-bounds in "
        "static_call_add_module+0x1d2/0x2a0"),
    "ours-debug-index-out-of-bounds.patch": (
        "UBSAN", "UBSAN: array-index-out-of-bounds in "
        "../src/kernel/static_call.c:406:2"),
    "ours-debug-list-double-add.patch": (
        "list-corruption", "list_add double add: new=ffff88800458f800, "
        "prev=ffff88800458f800, next=ffffffff81fdaf80."),
    "ours-debug-timer-freed-active.patch": (
        "debugobjects", "ODEBUG: free active (active state 0) object: "
        "ffffffffa0008c40 object type: timer_list hint: 0xffffffffa0000010"),
}


class Breakages(unittest.TestCase):
    def test_each_breakage_is_caught_by_its_checker(self):
        for name, (kind, line) in BREAKAGES.items():
            self.assertTrue((BREAKAGE_DIR / name).exists(), name)
            text = log(FUNCTIONAL) + _stamped(line, "Call Trace:")
            self.assertEqual([k for k, _ in console.problems(text)],
                             [kind, "trace"], name)

    def test_every_debug_breakage_has_its_line(self):
        self.assertEqual({p.name for p in BREAKAGE_DIR.glob("ours-debug-*")},
                         set(BREAKAGES))


class Int3Traps(unittest.TestCase):
    def test_what_memory_held_where_the_int3_ran(self):
        text = ("[    3.1] Oops: int3: 0000 [#1] PREEMPT SMP\n"
                "[    3.1] RIP: 0010:sc_race_caller+0x15/0x40\n"
                "[    3.1] Code: 90 90 e8 <12> 34 56 78\n")
        self.assertEqual(console.int3_traps(text),
                         ["int3 at sc_race_caller+0x15/0x40, memory holds "
                          "e8 there"])
