"""console.py: /init's markers and the kernel's problem reports."""
import unittest

from .. import console
from . import FUNCTIONAL, INTERLEAVED, PANIC, as_kmsg, console as log
from . import without

PLAN_COMPLETE = "scbench-init: plan complete"


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


class Int3Traps(unittest.TestCase):
    def test_what_memory_held_where_the_int3_ran(self):
        text = ("[    3.1] Oops: int3: 0000 [#1] PREEMPT SMP\n"
                "[    3.1] RIP: 0010:sc_race_caller+0x15/0x40\n"
                "[    3.1] Code: 90 90 e8 <12> 34 56 78\n")
        self.assertEqual(console.int3_traps(text),
                         ["int3 at sc_race_caller+0x15/0x40, memory holds "
                          "e8 there"])
