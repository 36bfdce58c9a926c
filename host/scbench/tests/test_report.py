"""report.judge() on recorded boots: strict, and blind to interleaving."""
import unittest

from .. import plans, report
from . import (ARM64_OURS, ARM64_RACE, FUNCTIONAL, INTERLEAVED, PANIC,
               UPSTREAM_TRACING, X86_64_BIG_UPSTREAM, X86_64_OURS, as_kmsg,
               config, console, without)


def _judge(text, boot=plans.FUNCTIONAL, conf=X86_64_OURS, timed_out=False):
    return report.judge("test", boot, config(conf), text, timed_out)


def _failures(outcome):
    return [line for line in outcome.lines if line.startswith("  FAIL")]


class GoodBoots(unittest.TestCase):
    def test_functional_boot_passes(self):
        out = _judge(console(FUNCTIONAL))
        self.assertEqual(_failures(out), [])
        self.assertGreater(out.passed, 80)

    def test_interleaved_boot_is_judged_as_the_whole_one(self):
        # Issue 8: "/init did not finish its plan" on a boot that did.
        whole, interleaved = (_judge(console(name))
                              for name in (FUNCTIONAL, INTERLEAVED))
        self.assertEqual(_failures(interleaved), [])
        self.assertEqual(interleaved.passed, whole.passed)

    def test_markers_through_kmsg_are_judged_the_same(self):
        whole = _judge(console(FUNCTIONAL))
        kmsg = _judge(as_kmsg(console(FUNCTIONAL)))
        self.assertEqual((kmsg.passed, kmsg.failed), (whole.passed, 0))

    def test_race_boot_on_arm64(self):
        out = _judge(console(ARM64_RACE), plans.RACE_BOOT, ARM64_OURS)
        self.assertEqual(_failures(out), [])

    def test_upstream_tracing_boot_shows_what_it_must(self):
        out = _judge(console(UPSTREAM_TRACING), plans.TRACING,
                     X86_64_BIG_UPSTREAM)
        self.assertEqual(_failures(out), [])


class BadBoots(unittest.TestCase):
    """Each breakage fails exactly the checks that name it."""

    def _fails(self, text, *wanted, **kw):
        failures = _failures(_judge(text, **kw))
        for want in wanted:
            self.assertTrue(any(want in f for f in failures),
                            f"{want!r} not in {failures}")
        return failures

    def test_selftest_built_but_silent(self):
        conf = {**config(X86_64_OURS), "CONFIG_STATIC_CALL_SELFTEST": "y"}
        out = report.judge("test", plans.FUNCTIONAL, conf,
                           console(FUNCTIONAL), False)
        self.assertEqual(_failures(out), [
            "  FAIL console never showed 'static_call: selftest passed'"])

    def test_plan_not_finished(self):
        text = without(console(FUNCTIONAL), "scbench-init: plan complete")
        self.assertEqual(self._fails(text, "/init did not finish its plan"),
                         ["  FAIL /init did not finish its plan"])

    def test_marker_split_and_never_finished(self):
        text = console(INTERLEAVED).replace("cbench-init: plan complete\n", "")
        self._fails(text, "/init did not finish its plan")

    def test_suite_that_did_not_run(self):
        text = console(FUNCTIONAL)
        start = text.index("[    2.625976] KTAP version 1")
        end = text.index("[    2.676323] ok 1 static_call_module")
        end = text.index("\n", end) + 1
        self._fails(text[:start] + text[end:],
                    "suite static_call_module reported 3 of 4 runs")

    def test_suite_that_never_finished(self):
        text = without(console(FUNCTIONAL),
                       "[    2.486174] ok 1 static_call_after_unload")
        self._fails(text, "static_call_after_unload: no suite result line")

    def test_refusal_with_the_wrong_errno(self):
        text = console(FUNCTIONAL).replace(
            "static_call_x86_nokey_fixture.ko: ok (errno 22)",
            "static_call_x86_nokey_fixture.ko: ok (errno 2)")
        self._fails(text, "console never showed 'scbench-init: insmod-fails "
                    "/lib/static_call_x86_nokey_fixture.ko: ok (errno 22)'")

    def test_failed_step(self):
        text = console(FUNCTIONAL).replace(
            "scbench-init: rmmod static_call_foreign_tramp_kunit: ok",
            "scbench-init: rmmod static_call_foreign_tramp_kunit: FAILED "
            "(errno 16)")
        self._fails(text, "/init: rmmod static_call_foreign_tramp_kunit failed")

    def test_timeout(self):
        self._fails(console(FUNCTIONAL), "boot timed out", timed_out=True)

    def test_crash(self):
        self._fails(console(PANIC), "console reports problems",
                    "/init did not finish its plan")

    def test_suite_the_build_does_not_have(self):
        self._fails(console(FUNCTIONAL), "unexpected suites",
                    conf=X86_64_BIG_UPSTREAM)
