"""printk.untangle(): records out of user space lines, nothing else moved."""
import unittest

from .. import printk
from . import FUNCTIONAL, INTERLEAVED, console

MARKER = "scbench-init: plan complete"
REBOOT = "[    4.121824] reboot: Restarting system"


class Untangle(unittest.TestCase):
    def test_whole_lines_stay_as_they_are(self):
        text = console(FUNCTIONAL)
        self.assertEqual(printk.untangle(text), text)

    def test_record_inside_a_marker_goes_out_of_it(self):
        # What a flaky `make boot` printed (issue 8).
        text = f"s{REBOOT}\ncbench-init: plan complete\n"
        self.assertEqual(printk.untangle(text), f"{REBOOT}\n{MARKER}\n")

    def test_records_in_a_row_inside_one_line(self):
        text = "scbench-init: rm[    1.000000] a\n[    1.100000] b\nmod x: ok\n"
        self.assertEqual(printk.untangle(text), "[    1.000000] a\n"
                         "[    1.100000] b\nscbench-init: rmmod x: ok\n")

    def test_fragment_never_finished_is_kept(self):
        text = "scbench-init: plan comp[    1.000000] reboot: machine restart"
        self.assertEqual(printk.untangle(text), "[    1.000000] reboot: "
                         "machine restart\nscbench-init: plan comp")

    def test_a_record_is_never_split(self):
        text = "[    1.000000] tsc: see [    2.000000] in a message\n"
        self.assertEqual(printk.untangle(text), text)

    def test_caller_id_is_part_of_the_stamp(self):
        text = "scb[    1.000000][    T1] x\nench-init: started\n"
        self.assertEqual(printk.untangle(text),
                         "[    1.000000][    T1] x\nscbench-init: started\n")

    def test_recorded_interleaving_untangles_to_every_line_whole(self):
        untangled = printk.untangle(console(INTERLEAVED)).splitlines()
        self.assertEqual(sorted(untangled),
                         sorted(console(FUNCTIONAL).splitlines()))


class StripStamp(unittest.TestCase):
    CASES = [
        ("[    2.277655]     ok 6 module_ret0_key", "    ok 6 module_ret0_key"),
        ("[    1.000000][    T1] KTAP version 1", "KTAP version 1"),
        ("[12345.123456] x", "x"),
        ("scbench-init: started", "scbench-init: started"),
    ]

    def test_stamps(self):
        for line, want in self.CASES:
            self.assertEqual(printk.strip_stamp(line), want, line)
