"""The reliability boots (issue 10): faults, churn, churn_short, stress.

Their plans, the vCPUs and TCG mode they ask for, the timeout a slow
kernel stretches, and the judgement of what /init and the churn updater
print: synthetic consoles in the formats of init/init.c and
lib/static_call_churn_updater.c, whose sources are checked to print
them.
"""
import dataclasses
import os
import re
import subprocess
import sys
import unittest
from pathlib import Path
from unittest import mock

from .. import arches, console, plans, qemu, report, runner

HOST = Path(__file__).resolve().parents[2]      # host/, where scbench is
REPO = HOST.parent
INIT = (HOST / "init" / "init.c").read_text()

DEBUG = {"CONFIG_DEBUG_KMEMLEAK": "y", "CONFIG_FAULT_INJECTION": "y",
         "CONFIG_SLUB_DEBUG": "y", "CONFIG_STATIC_CALL_KUNIT_MODULE_TESTS": "m"}
PLAIN = {"CONFIG_SLUB_DEBUG": "y", "CONFIG_STATIC_CALL_KUNIT_MODULE_TESTS": "m"}

X86_64 = arches.find("x86_64")
ARM64 = arches.find("arm64")


def _suite(name, module, t="3.0"):
    """A passing one-case KTAP report of @name, as a module prints it."""
    return "".join(f"[    {t}] {line}\n" for line in (
        "KTAP version 1", "1..1", "    KTAP version 1",
        f"    # Subtest: {name}", f"    # module: {module}", "    1..1",
        "    ok 1 only_case", f"# {name}: pass:1 fail:0 skip:0 total:1",
        f"ok 1 {name}"))


def _marker(text, t="4.0"):
    return f"[    {t}] scbench-init: {text}\n"


def _churned(cycles):
    return _marker(f"churn /lib/{plans.CHURN_MODULE}.ko {cycles}: ok "
                   f"({cycles} cycles in 3 s)")


def _compared(grew, traces=()):
    """slab-compare's lines: what grew, the stacks, the verdict."""
    text = ""
    for cache, before, after in grew:
        text += _marker(f"slab grew: {cache} {before} -> {after}")
        for name, n, stack in traces:
            if name == cache:
                text += _marker(f"slab trace: {cache} +{n} {stack}")
    return text + _marker(f"slab-compare: ok (180 caches, 26 kmalloc, "
                          f"{len(grew)} grew)")


def churn_console(cycles=plans.CHURN_SHORT_CYCLES, updates=5000, wrong=0,
                  grew=(("kmalloc-64", 100, 103), ("vmap_area", 10, 900)),
                  leaks=0, kmemleak=True, traces=()):
    """A churn boot's console as /init and the updater print it."""
    text = _marker("started", "1.0")
    if kmemleak:
        text += _marker("kmemleak-clear: ok (0 suspected leaks from before, "
                        "cleared)")
    text += _marker(f"insmod /lib/{plans.CHURN_UPDATER}.ko: ok")
    text += _churned(plans.CHURN_WARMUP)
    text += _marker("slab-snapshot: ok (180 caches)")
    text += _churned(cycles)
    text += (f"[   50.0] {plans.CHURN_UPDATER}: stopped: {updates} updates "
             f"on CPU 1, {wrong} wrong\n")
    text += _marker(f"rmmod {plans.CHURN_UPDATER}: ok")
    text += _compared(grew, traces)
    text += _suite("static_call_module", plans.MOD)
    text += _marker(f"insmod /lib/{plans.MOD}.ko: ok")
    text += _marker(f"rmmod {plans.MOD}: ok")
    if kmemleak:
        text += _marker(f"kmemleak-scan: ok ({leaks} suspected leaks)")
    return text + _marker("plan complete")


def faults_console(summary="312 failed loads: errno 12 first at 1; 4 loads "
                   "survived their fault; loaded at 317", grew=()):
    text = _marker("started", "1.0")
    text += _marker("kmemleak-clear: ok (0 suspected leaks from before, "
                    "cleared)")
    text += _churned(plans.FAULTS_WARMUP)
    text += _marker("slab-snapshot: ok (180 caches)")
    text += f"[    2.0] {console.FAULTS_BEGIN}\n"
    text += ("[    2.1] insmod: page allocation failure: order:0, "
             "mode:0xcc0(GFP_KERNEL), nodemask=(null)\n"
             "[    2.1] Call Trace:\n")
    text += f"[    9.0] {console.FAULTS_END}\n"
    text += _marker(f"insmod-faults /lib/{plans.CHURN_MODULE}.ko: ok "
                    f"({summary})")
    text += _churned(3)
    text += _compared(grew)
    text += _suite("static_call_module", plans.MOD)
    text += _marker(f"insmod /lib/{plans.MOD}.ko: ok")
    text += _marker(f"rmmod {plans.MOD}: ok")
    text += _marker("kmemleak-scan: ok (0 suspected leaks)")
    return text + _marker("plan complete")


def _failures(text, boot, config=DEBUG):
    out = report.judge("test", boot, config, text, False)
    return [line for line in out.lines if line.startswith("  FAIL")], out


class Plans(unittest.TestCase):
    def test_churn_plan(self):
        lines = plans.CHURN.plan_lines(DEBUG)
        updater = f"insmod /lib/{plans.CHURN_UPDATER}.ko"
        self.assertEqual(lines, [
            "kmemleak-clear", updater,
            f"churn /lib/{plans.CHURN_MODULE}.ko {plans.CHURN_WARMUP}",
            "slab-snapshot",
            f"churn /lib/{plans.CHURN_MODULE}.ko 1000",
            f"rmmod {plans.CHURN_UPDATER}", "slab-compare",
            f"insmod /lib/{plans.MOD}.ko", f"rmmod {plans.MOD}",
            "kmemleak-scan"])
        self.assertEqual(plans.CHURN.modules(DEBUG), sorted(
            [plans.CHURN_MODULE, plans.CHURN_UPDATER, plans.MOD]))
        self.assertEqual(plans.CHURN.expected(DEBUG),
                         {"static_call_module": 1})
        self.assertIn("slab_nomerge", runner.cmdline(X86_64, plans.CHURN))
        # /init counts the kmalloc caches from their allocation stacks.
        self.assertIn("slab_debug=U,kmalloc-*",
                      runner.cmdline(X86_64, plans.CHURN))
        self.assertEqual(plans.CHURN_SHORT.churns(DEBUG),
                         [(plans.CHURN_MODULE, plans.CHURN_WARMUP),
                          (plans.CHURN_MODULE, 100)])

    def test_kmemleak_steps_only_where_built(self):
        lines = plans.CHURN_SHORT.plan_lines(PLAIN)
        self.assertNotIn("kmemleak-clear", lines)
        self.assertNotIn("kmemleak-scan", lines)
        self.assertIn("slab-compare", lines)
        self.assertEqual(plans.CHURN_SHORT.left_out(PLAIN), [
            ("kmemleak-clear", plans.KMEMLEAK),
            ("kmemleak-scan", plans.KMEMLEAK)])
        self.assertEqual(plans.CHURN_SHORT.left_out(DEBUG), [])

    def test_slab_budget_is_half_the_cycles_since_the_snapshot(self):
        # The warm-up cycles come before the snapshot: not counted.
        self.assertEqual(plans.CHURN.slab_budgets(DEBUG), [500])
        self.assertEqual(plans.CHURN_SHORT.slab_budgets(PLAIN), [50])
        # The faults boot: the loads insmod-faults made fail count.
        self.assertEqual(plans.FAULTS.slab_budgets(DEBUG), [1])
        self.assertEqual(plans.FAULTS.slab_budgets(
            DEBUG, {plans.CHURN_MODULE: 300}), [151])

    def test_faults_plan(self):
        self.assertEqual(plans.FAULTS.plan_lines(DEBUG), [
            "kmemleak-clear",
            f"churn /lib/{plans.CHURN_MODULE}.ko {plans.FAULTS_WARMUP}",
            "slab-snapshot", f"insmod-faults /lib/{plans.CHURN_MODULE}.ko",
            f"churn /lib/{plans.CHURN_MODULE}.ko 3", "slab-compare",
            f"insmod /lib/{plans.MOD}.ko", f"rmmod {plans.MOD}",
            "kmemleak-scan"])
        self.assertIn(plans.CHURN_MODULE, plans.FAULTS.modules(DEBUG))
        self.assertEqual(plans.FAULTS.prints(DEBUG),
                         [console.FAULTS_BEGIN, console.FAULTS_END])

    def test_stress_plan(self):
        boot = plans.STRESS_BOOT
        self.assertEqual(boot.plan_lines(PLAIN), [
            f"insmod /lib/{plans.STRESS_OOL}.ko",
            f"insmod /lib/{plans.STRESS}.ko", f"rmmod {plans.STRESS}",
            f"rmmod {plans.STRESS_OOL}"])
        self.assertEqual(boot.expected(PLAIN), {"static_call_stress": 1})
        self.assertEqual(boot.smp, 4)
        self.assertIn("kunit.filter_glob=static_call_stress",
                      runner.cmdline(X86_64, boot))

    def test_requirements(self):
        self.assertFalse(plans.FAULTS.runs_on(PLAIN))
        self.assertTrue(plans.FAULTS.runs_on(DEBUG))
        for boot in (plans.CHURN, plans.CHURN_SHORT):
            self.assertTrue(boot.runs_on(PLAIN))
            self.assertFalse(boot.runs_on({}))
        self.assertTrue(plans.STRESS_BOOT.runs_on({}))

    def test_every_new_boot_is_planned(self):
        for name in ("faults", "churn", "churn_short", "stress"):
            self.assertIn(name, plans.BOOTS)


class Tcg(unittest.TestCase):
    def test_stress_is_single_threaded_everywhere(self):
        # arm64 ran stale translations under multi-threaded TCG too.
        if os.environ.get("SCBENCH_TCG"):
            self.assertEqual(plans.STRESS_BOOT.threads,
                             os.environ["SCBENCH_TCG"])
            return
        self.assertEqual(plans.STRESS_BOOT.tcg_threads(ARM64), "single")
        self.assertEqual(plans.STRESS_BOOT.tcg_threads(X86_64), "single")
        self.assertEqual(plans.STRESS_BOOT.tcg_threads(arches.find("i386")),
                         "single")
        self.assertEqual(plans.FAULTS.tcg_threads(ARM64), plans.TCG)

    def test_scbench_tcg_overrides_the_per_arch_mode(self):
        code = ("from scbench import arches, plans; "
                "print(plans.STRESS_BOOT.tcg_threads(arches.find('arm64')))")
        for tcg in ("single", "multi"):
            env = {**os.environ, "SCBENCH_TCG": tcg}
            got = subprocess.run([sys.executable, "-c", code], env=env,
                                 cwd=HOST, text=True, check=True,
                                 stdout=subprocess.PIPE).stdout.strip()
            self.assertEqual(got, tcg)


class Runner(unittest.TestCase):
    def test_slow_kernels_stretch_the_timeout(self):
        slow = dataclasses.replace(X86_64, slow=5.0) if hasattr(
            X86_64, "slow") else mock.Mock(slow=5.0)
        self.assertEqual(runner.scaled(slow, plans.CHURN).timeout,
                         plans.CHURN.timeout * 5)
        # An Arch without the field (or before it existed): unchanged.
        bare = mock.Mock(spec=["name"])
        self.assertEqual(runner.scaled(bare, plans.CHURN).timeout,
                         plans.CHURN.timeout)

    def _command(self, arch, boot):
        seen = {}

        def fake_boot(cmd, log_path, timeout, echo=False):
            seen.update(cmd=cmd, timeout=timeout)
            return "", False
        with mock.patch.object(runner.kbuild, "built_config",
                               return_value=PLAIN), \
                mock.patch.object(runner.initramfs, "build_initramfs",
                                  return_value=Path("/nonexistent.cpio")), \
                mock.patch.object(runner.qemu, "boot", fake_boot), \
                mock.patch.object(runner.paths, "RESULTS",
                                  Path("/nonexistent-results")), \
                mock.patch.object(Path, "mkdir"):
            runner.run_boot(arch, "ours", boot, {}, False)
        return seen

    def test_qemu_gets_the_boots_vcpus_and_tcg_mode(self):
        seen = self._command(ARM64, plans.STRESS_BOOT)
        cmd = seen["cmd"]
        self.assertEqual(cmd[cmd.index("-smp") + 1], "4")
        self.assertIn(f"tcg,thread={plans.STRESS_BOOT.tcg_threads(ARM64)}",
                      cmd)
        seen = self._command(X86_64, plans.FUNCTIONAL)
        self.assertEqual(seen["cmd"][seen["cmd"].index("-smp") + 1], "2")

    def test_command_default_is_two_vcpus(self):
        cmd = qemu.command(X86_64, "bzImage", "initrd", "x", "single")
        self.assertEqual(cmd[cmd.index("-smp") + 1], "2")


class Judge(unittest.TestCase):
    def test_good_churn_boot_passes(self):
        fails, out = _failures(churn_console(), plans.CHURN_SHORT)
        self.assertEqual(fails, [])
        shown = "\n".join(out.lines)
        self.assertIn("slab: 180 caches, 26 kmalloc; largest kmalloc growth "
                      "3 (kmalloc-64), allowed 50", shown)
        self.assertIn(f"{plans.CHURN_UPDATER}: 5000 updates on CPU 1, "
                      "0 wrong", shown)
        self.assertIn("kmemleak: 0 suspected leaks", shown)

    def test_a_leak_of_one_object_per_cycle_fails(self):
        cycles = plans.CHURN_SHORT_CYCLES
        grew = (("kmalloc-32", 400, 400 + cycles),)
        fails, _ = _failures(churn_console(grew=grew), plans.CHURN_SHORT)
        self.assertEqual(fails, ["  FAIL kmalloc caches grew by more than "
                                 f"50 objects: kmalloc-32 +{cycles}"])

    def test_the_stacks_that_grew_are_shown_for_a_cache_over_budget(self):
        cycles = plans.CHURN_SHORT_CYCLES
        grew = (("kmalloc-32", 400, 400 + cycles), ("kmalloc-8", 0, 3))
        stacks = [(f"f{i}+0x1/0x10 < g+0x2/0x20 [m]", i) for i in range(8)]
        traces = [("kmalloc-32", cycles - 28, "leaky+0x10/0x40 < "
                   "static_call_add_module+0x20/0x80")]
        traces += [("kmalloc-32", n, stack) for stack, n in stacks]
        traces += [("kmalloc-8", 3, "fine+0x1/0x2")]
        fails, out = _failures(churn_console(grew=grew, traces=traces),
                               plans.CHURN_SHORT)
        self.assertEqual(len(fails), 1)
        shown = [line for line in out.lines if line.startswith("    ")]
        self.assertEqual(shown[0], "    kmalloc-32 +72: leaky+0x10/0x40 < "
                         "static_call_add_module+0x20/0x80")
        self.assertEqual(len(shown), report.SLAB_STACKS_SHOWN)
        self.assertNotIn("fine", "".join(shown))

    def test_growth_up_to_the_budget_passes(self):
        for cache in ("kmalloc-64", "kmalloc-cg-192", "dma-kmalloc-8"):
            grew = ((cache, 0, 50),)
            fails, _ = _failures(churn_console(grew=grew), plans.CHURN_SHORT)
            self.assertEqual(fails, [], cache)
            grew = ((cache, 0, 51),)
            fails, _ = _failures(churn_console(grew=grew), plans.CHURN_SHORT)
            self.assertEqual(len(fails), 1, cache)

    def test_other_caches_are_shown_not_judged(self):
        grew = (("vmap_area", 0, 5000), ("kernfs_node_cache", 10, 900))
        fails, _ = _failures(churn_console(grew=grew), plans.CHURN_SHORT)
        self.assertEqual(fails, [])

    def test_the_long_plan_has_the_larger_budget(self):
        grew = (("kmalloc-64", 0, 499),)
        fails, _ = _failures(churn_console(cycles=1000, grew=grew),
                             plans.CHURN)
        self.assertEqual(fails, [])

    def test_no_slab_comparison_fails(self):
        text = re.sub(r".*slab-compare: ok.*\n", "", churn_console())
        fails, _ = _failures(text, plans.CHURN_SHORT)
        self.assertIn("  FAIL slab-compare reported 0 times, not 1", fails)

    def test_churn_that_stopped_fails(self):
        text = churn_console().replace(
            f"{plans.CHURN_MODULE}.ko 100: ok (100 cycles in 3 s)",
            f"{plans.CHURN_MODULE}.ko 100: FAILED (errno 22) in cycle 17 "
            "(insmod)")
        fails, _ = _failures(text, plans.CHURN_SHORT)
        self.assertIn(f"  FAIL churn {plans.CHURN_MODULE} 100: /init never "
                      "reported 100 cycles", fails)
        self.assertTrue(any("/init: churn" in f for f in fails), fails)

    def test_updater_wrong_or_idle_fails(self):
        fails, _ = _failures(churn_console(wrong=2), plans.CHURN_SHORT)
        self.assertEqual(fails, [f"  FAIL {plans.CHURN_UPDATER}: 2 calls ran "
                                 "a wrong target"])
        fails, _ = _failures(churn_console(updates=50), plans.CHURN_SHORT)
        self.assertEqual(fails, [f"  FAIL {plans.CHURN_UPDATER}: 50 updates "
                                 "in 110 cycles: it did not keep updating"])
        text = re.sub(r".*stopped: .*\n", "", churn_console())
        fails, _ = _failures(text, plans.CHURN_SHORT)
        self.assertEqual(fails, [f"  FAIL {plans.CHURN_UPDATER} reported 0 "
                                 "stops, not 1"])

    def test_kmemleak_findings_fail(self):
        fails, _ = _failures(churn_console(leaks=3), plans.CHURN_SHORT)
        self.assertEqual(fails, ["  FAIL kmemleak: 3 suspected leaks"])
        text = re.sub(r".*kmemleak-scan: ok.*\n", "", churn_console())
        fails, _ = _failures(text, plans.CHURN_SHORT)
        self.assertEqual(fails, ["  FAIL kmemleak-scan reported 0 times, "
                                 "not 1"])

    def test_without_kmemleak_the_scan_is_said_left_out(self):
        fails, out = _failures(churn_console(kmemleak=False),
                               plans.CHURN_SHORT, PLAIN)
        self.assertEqual(fails, [])
        self.assertIn("  kmemleak-scan: not run, the build lacks "
                      f"{plans.KMEMLEAK}", out.lines)

    def test_good_faults_boot_passes(self):
        fails, out = _failures(faults_console(), plans.FAULTS)
        self.assertEqual(fails, [])
        self.assertIn(f"  faults {plans.CHURN_MODULE}: 312 failed loads "
                      "(errno 12), 4 survived their fault, loaded at 317",
                      out.lines)

    def test_a_leak_on_each_failed_load_fails(self):
        # 312 failed loads and 3 cycles: the budget is 157.
        fails, _ = _failures(faults_console(
            grew=(("kmalloc-32", 10, 10 + 157),)), plans.FAULTS)
        self.assertEqual(fails, [])
        fails, _ = _failures(faults_console(
            grew=(("kmalloc-32", 10, 10 + 312),)), plans.FAULTS)
        self.assertEqual(fails, ["  FAIL kmalloc caches grew by more than "
                                 "157 objects: kmalloc-32 +312"])

    def test_our_own_allocations_must_have_failed(self):
        ours = {**DEBUG, "CONFIG_DEBUG_STATIC_CALL": "y"}
        refused = (f"[    3.0] static_call: cannot load {plans.CHURN_MODULE}"
                   ": -12\n")
        for times, want in ((0, 1), (1, 1), (2, 0), (5, 0)):
            text = faults_console().replace(
                f"[    9.0] {console.FAULTS_END}",
                refused * times + f"[    9.0] {console.FAULTS_END}")
            fails, _ = _failures(text, plans.FAULTS, ours)
            self.assertEqual(len(fails), want, (times, fails))

    def test_faults_that_failed_nothing_fail(self):
        fails, _ = _failures(faults_console(
            "0 failed loads:; 0 loads survived their fault; loaded at 1"),
            plans.FAULTS)
        self.assertEqual(fails, [f"  FAIL insmod-faults {plans.CHURN_MODULE}"
                                 ": no injected failure made a load fail"])

    def test_a_load_failing_with_another_error_fails(self):
        fails, _ = _failures(faults_console(
            "9 failed loads: errno 12 first at 1, errno 22 first at 7; "
            "0 loads survived their fault; loaded at 10"), plans.FAULTS)
        self.assertEqual(fails, [
            f"  FAIL insmod-faults {plans.CHURN_MODULE}: a load failed with "
            "errno 22 (first at allocation 7), not a failed allocation's"])

    def test_faults_loop_that_never_ended_fails(self):
        text = re.sub(r".*insmod-faults.*\n", "", faults_console())
        text += _marker(f"insmod-faults /lib/{plans.CHURN_MODULE}.ko: FAILED "
                        "(errno 22) at 40 (a load failed with no failure "
                        "injected)")
        fails, _ = _failures(text, plans.FAULTS)
        self.assertIn(f"  FAIL insmod-faults {plans.CHURN_MODULE}: /init "
                      "never reported the loop", fails)

    def test_missing_fault_window_fails(self):
        text = faults_console().replace(console.FAULTS_END, "")
        fails, _ = _failures(text, plans.FAULTS)
        self.assertIn(f"  FAIL console never showed {console.FAULTS_END!r}",
                      fails)

    def test_other_boots_have_no_measure_checks(self):
        out = report.judge("t", plans.FUNCTIONAL, PLAIN, "", False)
        self.assertFalse([line for line in out.lines
                          if "slab" in line or "kmemleak" in line])


class Sources(unittest.TestCase):
    """/init and the updater print what the judgement parses."""

    def test_init_marks_the_fault_window(self):
        self.assertIn(f'"{console.FAULTS_BEGIN}"', INIT)
        self.assertIn(f'"{console.FAULTS_END}"', INIT)

    def test_init_knows_every_op_the_plans_use(self):
        ops = {step[0] for boot in plans.BOOTS.values()
               for step in boot.steps}
        ops |= {"insmod", "rmmod", "write", "echo"}
        for op in ops:
            self.assertRegex(INIT, rf'"{re.escape(op)}[ "]', op)

    def test_init_prints_the_formats_parsed(self):
        for fragment in (" failed loads:", " errno ", " first at ",
                         " loads survived their fault; loaded at ",
                         " cycles in ", " s)", "slab grew: ", " -> ",
                         "slab trace: ", "/alloc_traces",
                         " caches, ", " kmalloc, ", " grew)",
                         " suspected leaks)"):
            self.assertIn(fragment, INIT)

    def test_updater_prints_what_the_judge_parses(self):
        source = (REPO / "lib" / "static_call_churn_updater.c").read_text()
        fmt = re.search(r'pr_info\("(stopped: [^"]*)\\n"', source)[1]
        line = (f"[   9.0] {plans.CHURN_UPDATER}: "
                + fmt.replace("%lu", "7", 1).replace("%d", "1", 1)
                .replace("%lu", "0", 1))
        self.assertEqual(report.updater_results(line, plans.CHURN_UPDATER),
                         [(7, 1, 0)])
