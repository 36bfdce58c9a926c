"""ktap.parse() on recorded consoles, whole, interleaved and broken."""
import unittest

from .. import ktap
from . import ARM64_RACE, FUNCTIONAL, INTERLEAVED, as_kmsg, console

# The x86_64 functional boot of ours: each suite run in console order.
FUNCTIONAL_SUITES = [
    ("static_call_x86", 12), ("static_call", 23), ("static_call_module", 7),
    ("static_call_after_unload", 6), ("static_call_module", 7),
    ("static_call_module", 7), ("static_call_module", 7),
    ("static_call_x86_module", 5), ("static_call_foreign_tramp", 1),
]


def _summary(suites):
    return [(s.name, len(s.cases), s.status, s.counts()["pass"])
            for s in suites]


class RecordedConsoles(unittest.TestCase):
    def test_functional_boot_every_suite_and_case(self):
        suites = ktap.parse(console(FUNCTIONAL))
        self.assertEqual([(s.name, len(s.cases)) for s in suites],
                         FUNCTIONAL_SUITES)
        for suite in suites:
            self.assertEqual(suite.status, "pass", suite.name)
            self.assertEqual(suite.counts()["pass"], len(suite.cases))

    def test_interleaved_console_reads_the_same(self):
        self.assertEqual(_summary(ktap.parse(console(INTERLEAVED))),
                         _summary(ktap.parse(console(FUNCTIONAL))))

    def test_markers_through_kmsg_read_the_same(self):
        text = console(FUNCTIONAL)
        self.assertEqual(_summary(ktap.parse(as_kmsg(text))),
                         _summary(ktap.parse(text)))

    def test_race_suite_on_arm64(self):
        suites = ktap.parse(console(ARM64_RACE))
        self.assertEqual([(s.name, s.status) for s in suites],
                         [("static_call_race", "pass")])


class BrokenSuites(unittest.TestCase):
    def _module_suite(self, text):
        return next(s for s in ktap.parse(text)
                    if s.name == "static_call_module")

    def test_failed_case_keeps_its_diagnostics(self):
        text = console(FUNCTIONAL).replace(
            "[    2.264345]     ok 3 cond_site_null_and_back",
            "[    2.264000]     # cond_site_null_and_back: EXPECTATION FAILED"
            " at lib/static_call_module_kunit.c:80\n"
            "[    2.264345]     not ok 3 cond_site_null_and_back", 1)
        case = self._module_suite(text).cases[2]
        self.assertEqual((case.name, case.status),
                         ("cond_site_null_and_back", "fail"))
        self.assertIn("EXPECTATION FAILED", case.diagnostics[0])

    def test_skipped_case_is_a_skip(self):
        text = console(FUNCTIONAL).replace(
            "    ok 6 module_ret0_key",
            "    ok 6 module_ret0_key # SKIP no ret0 here", 1)
        self.assertEqual(self._module_suite(text).cases[5].status, "skip")

    def test_suite_cut_short_is_incomplete(self):
        text = console(FUNCTIONAL)
        cut = text[:text.index("    ok 5 module_key_targets_kernel_and_module")]
        suite = ktap.parse(cut)[-1]
        self.assertEqual((suite.name, suite.status, len(suite.cases)),
                         ("static_call_module", "incomplete", 4))
