"""bench.figures(): the bench's console lines as instruction counts."""
import unittest

from .. import bench

CONSOLE = """\
[    0.000000] tsc: Detected 2500.000 MHz processor
[    0.000000] static_call_bench: static_call_init_tsc 25000 cycles
[    0.000000] static_call_bench: static_call_sort_tsc 5000 cycles for 1234 sites
[    1.500000] static_call_bench: call_direct 412 insn/100
[    1.600000] static_call_bench: call_inline 398 insn/100
scbench-init: insmod /lib/static_call_bench.ko: o[    1.700000] static_call\
_bench: update_1000_sites 181234 insn
k
[    1.800000] static_call_bench: call_out_of_line 525 insn/100
"""


class Figures(unittest.TestCase):
    def test_each_unit(self):
        self.assertEqual(bench.figures(CONSOLE), {
            # cycles at the TSC's rate, one instruction a nanosecond
            "static_call_init": 10000.0, "static_call_sort": 2000.0,
            "call_direct": 4.12, "call_inline": 3.98,
            "update_1000_sites": 181234,    # behind a user space fragment
            "call_out_of_line": 5.25})

    def test_cycles_stay_cycles_without_the_tsc_rate(self):
        text = "static_call_bench: static_call_init_tsc 25000 cycles\n"
        self.assertEqual(bench.figures(text), {"static_call_init": 25000})

    def test_nothing_to_read(self):
        self.assertEqual(bench.figures("[    0.1] Linux version 6.12\n"), {})


class Median(unittest.TestCase):
    def test_median(self):
        self.assertEqual(bench.median([3, 1, 2]), 2)
        self.assertEqual(bench.median([4, 1, 3, 2]), 3)
        self.assertIsNone(bench.median([]))
