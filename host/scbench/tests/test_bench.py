"""bench: the console lines as instruction counts, and the table's
columns."""
import unittest
from unittest import mock

from .. import arches, bench

CONSOLE = """\
[    0.000000] tsc: Detected 2500.000 MHz processor
[    0.000000] static_call_bench: static_call_init 25000 cycles
[    0.000000] static_call_bench: static_call_sort 5000 cycles for 1234 sites
[    1.500000] static_call_bench: call_direct 412 insn/100
[    1.600000] static_call_bench: call_inline 398 insn/100
scbench-init: insmod /lib/static_call_bench.ko: o[    1.700000] static_call\
_bench: update_1000_sites 181234 insn
k
[    1.800000] static_call_bench: call_out_of_line 525 insn/100
"""

# arm64: the timer's rate is printed after static_call_init's line.
ARM64_CONSOLE = """\
[    0.000000] static_call_bench: static_call_sort 100 cycles for 900 sites
[    0.000000] static_call_bench: static_call_init 1000 cycles
[    0.000000] arch_timer: cp15 timer(s) running at 62.50MHz (virt).
[    0.500000] static_call_bench: call_inline 700 insn/100
[    0.600000] static_call_bench: call_tramp70 1100 insn/100
"""


class Figures(unittest.TestCase):
    def test_each_unit(self):
        self.assertEqual(bench.figures(CONSOLE), {
            # cycles at the TSC's rate, one instruction a nanosecond
            "static_call_init": 10000.0, "static_call_sort": 2000.0,
            "call_direct": 4.12, "call_inline": 3.98,
            "update_1000_sites": 181234,    # behind a user space fragment
            "call_out_of_line": 5.25})

    def test_arm64_counter_ticks_at_the_timer_rate(self):
        self.assertEqual(bench.figures(ARM64_CONSOLE), {
            "static_call_sort": 1600.0, "static_call_init": 16000.0,
            "call_inline": 7.0, "call_tramp70": 11.0})

    def test_cycles_stay_cycles_without_a_clock_rate(self):
        text = "static_call_bench: static_call_init 25000 cycles\n"
        self.assertEqual(bench.figures(text), {"static_call_init": 25000})

    def test_nothing_to_read(self):
        self.assertEqual(bench.figures("[    0.1] Linux version 6.12\n"), {})


class Median(unittest.TestCase):
    def test_median(self):
        self.assertEqual(bench.median([3, 1, 2]), 2)
        self.assertEqual(bench.median([4, 1, 3, 2]), 3)
        self.assertIsNone(bench.median([]))


def _record(name, profile, configs=("a.config",), boots=("functional",)):
    return arches.Arch(name=name, profile=profile, kernel_arch=name,
                       cross_compile="", image="Image", configs=configs,
                       packages=(), boots=boots)


INLINE = _record("arm64", "default")
OOL = _record("arm64", "ool")
BUILT_ONLY = _record("arm64", "tiny", boots=())
BIG = _record("arm64", "big", configs=("a.config", "big.config"))
OTHER = _record("x86_64", "default")


class Columns(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.object(arches, "ALL",
                                    [INLINE, BIG, OOL, BUILT_ONLY, OTHER])
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_a_default_record_brings_its_companions(self):
        self.assertEqual(bench.with_companions([INLINE]), [INLINE, OOL])
        self.assertEqual(bench.with_companions([INLINE, OOL]), [INLINE, OOL])
        self.assertEqual(bench.with_companions([OOL]), [OOL])
        self.assertEqual(bench.with_companions([OTHER]), [OTHER])

    def test_upstream_once_beside_ours_inline_and_out_of_line(self):
        cols = bench.columns([INLINE, OOL], ["ours", "upstream"])
        self.assertEqual(cols, [("ours", INLINE, "ours"),
                                ("ours-ool", OOL, "ours"),
                                ("upstream", INLINE, "upstream")])

    def test_upstream_of_a_companion_alone(self):
        cols = bench.columns([OOL], ["ours", "upstream"])
        self.assertEqual([c[0] for c in cols], ["ours-ool", "upstream-ool"])

    def test_upstream_where_the_kernel_differs(self):
        cols = bench.columns([INLINE, BIG], ["ours", "upstream"])
        self.assertEqual([c[0] for c in cols],
                         ["ours", "ours-big", "upstream", "upstream-big"])

    def test_render_marks_what_a_column_lacks(self):
        table = {"call_inline": {"ours": [7.0, 9.0, 8.0], "upstream": [9.0]},
                 "call_tramp70": {"ours": [11.0]}}
        lines = bench.render(table, ["ours", "upstream"], "title")
        self.assertEqual(lines, [
            "title",
            "measure                         ours      upstream",
            "call_inline                     8.00          9.00",
            "call_tramp70                   11.00             -"])
