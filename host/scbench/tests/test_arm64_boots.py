"""arm64's boots: its suites where built, far_modules only where the
build has the parameter, the site table cross-check after a build, and
the race suite repeated under multi-threaded TCG."""
import contextlib
import dataclasses
import io
import os
import subprocess
import sys
import types
import unittest
from pathlib import Path
from unittest import mock

from .. import arches, commands, kbuild, plans, report, runner
from . import X86_64_OURS, config
from .test_cli import parse

ARM64 = arches.find("arm64")
HOST = Path(__file__).resolve().parents[2]     # where scbench is


def fragments(key, impl):
    """What a record's build of @impl is configured with (the symbols the
    plans read are all in the fragments)."""
    return kbuild.parse_config(kbuild._fragments(arches.find(key), impl))


INLINE = fragments("arm64", "ours")
OOL = fragments("arm64_ool", "ours")
GENERIC = fragments("arm64_generic", "ours")
UPSTREAM = fragments("arm64", "upstream")


class Plans(unittest.TestCase):
    def test_functional_runs_the_arm64_suites_where_built(self):
        functional = plans.FUNCTIONAL
        self.assertIn(plans.ARM64_MODULE, functional.modules(INLINE))
        self.assertIn(f"insmod /lib/{plans.ARM64_MODULE}.ko",
                      functional.plan_lines(INLINE))
        self.assertIn(f"rmmod {plans.ARM64_MODULE}",
                      functional.plan_lines(INLINE))
        expected = functional.expected(INLINE)
        self.assertEqual(expected["static_call_arm64"], 1)
        self.assertEqual(expected["static_call_arm64_module"], 1)
        # The module suite wants inline static calls.
        self.assertEqual(functional.expected(OOL)["static_call_arm64"], 1)
        self.assertNotIn("static_call_arm64_module",
                         functional.expected(OOL))
        for conf in (OOL, GENERIC, UPSTREAM, config(X86_64_OURS)):
            self.assertNotIn(plans.ARM64_MODULE, functional.modules(conf))
        for conf in (GENERIC, UPSTREAM, config(X86_64_OURS)):
            self.assertFalse({"static_call_arm64", "static_call_arm64_module"}
                             & set(functional.expected(conf)))

    def test_where_the_module_lands_is_said_per_boot(self):
        functional = plans.FUNCTIONAL.prints(INLINE)
        far = plans.FAR_MODULES.prints(INLINE)
        self.assertIn(plans.ARM64_NEAR, functional)
        self.assertNotIn(plans.ARM64_FAR, functional)
        self.assertIn(plans.ARM64_FAR, far)
        self.assertNotIn(plans.ARM64_NEAR, far)
        self.assertIn("static_call: selftest passed", far)
        for conf in (UPSTREAM, OOL, GENERIC, config(X86_64_OURS)):
            for boot in plans.BOOTS.values():
                self.assertFalse({plans.ARM64_NEAR, plans.ARM64_FAR}
                                 & set(boot.prints(conf)), boot.name)

    def test_far_modules_is_the_functional_plan_with_far_modules(self):
        far = plans.FAR_MODULES
        self.assertEqual(far.all_steps(INLINE),
                         plans.FUNCTIONAL.all_steps(INLINE))
        self.assertEqual(far.expected(INLINE),
                         plans.FUNCTIONAL.expected(INLINE))
        self.assertIn("arm64_module_far_test",
                      runner.cmdline(ARM64, far).split())
        self.assertNotIn("arm64_module_far_test",
                         runner.cmdline(ARM64, plans.FUNCTIONAL).split())

    def test_far_modules_runs_only_where_the_parameter_is_built(self):
        self.assertTrue(plans.FAR_MODULES.runs_on(INLINE))
        for conf in (UPSTREAM, OOL, GENERIC, config(X86_64_OURS)):
            self.assertFalse(plans.FAR_MODULES.runs_on(conf))
        # The boots that require a symbol: the far modules, the x86
        # white-box suite, fault injection, /proc/slabinfo.
        requiring = (plans.FAR_MODULES, plans.ITS, plans.FAULTS, plans.CHURN,
                     plans.CHURN_SHORT)
        for boot in plans.BOOTS.values():
            if boot not in requiring:
                self.assertTrue(boot.runs_on({}), boot.name)

    def test_its_runs_only_with_the_x86_white_box_suite(self):
        self.assertTrue(plans.ITS.runs_on(config(X86_64_OURS)))
        self.assertFalse(plans.ITS.runs_on({}))

    def test_the_far_boot_fails_on_a_near_module(self):
        def missing(text):
            out = report.judge("t", plans.FAR_MODULES, INLINE, text, False)
            return [line for line in out.lines
                    if plans.ARM64_FAR in line and "never showed" in line]
        near = f"[    3.1]     # probe: {plans.ARM64_NEAR}\n"
        far = f"[    3.1]     # probe: {plans.ARM64_FAR}\n"
        self.assertTrue(missing(near))
        self.assertFalse(missing(far))


def _outcome(label):
    out = report.Outcome(label)
    out.check(True, "ok")
    return out


class KernelOutcomes(unittest.TestCase):
    """Which boots check makes of each arm64 build."""

    def _boots(self, *argv, configs):
        ran = []

        def boot(arch, impl, plan, modules, echo):
            ran.append((arch.key, impl, plan.name))
            return _outcome("boot"), ""
        with mock.patch.object(runner, "build_outcome",
                               side_effect=lambda a, i, e: (_outcome("b"),
                                                            {})), \
                mock.patch.object(kbuild, "built_config",
                                  side_effect=lambda a, i: configs[a.key,
                                                                   i]), \
                mock.patch.object(runner, "run_boot", side_effect=boot), \
                contextlib.redirect_stderr(io.StringIO()):
            outcomes = list(commands._kernel_outcomes(parse(*argv), False))
        return ran, outcomes

    def test_upstream_skips_far_modules_uncounted(self):
        ran, outcomes = self._boots(
            "check", "--arch", "arm64",
            configs={("arm64", "ours"): INLINE,
                     ("arm64", "upstream"): UPSTREAM})
        self.assertEqual(ran, [("arm64", "ours", "functional"),
                               ("arm64", "ours", "race"),
                               ("arm64", "ours", "far_modules"),
                               ("arm64", "ours", "tracing"),
                               ("arm64", "ours", "stress"),
                               ("arm64", "upstream", "functional"),
                               ("arm64", "upstream", "race"),
                               ("arm64", "upstream", "tracing"),
                               ("arm64", "upstream", "stress")])
        self.assertEqual(len(outcomes), 2 + len(ran))   # two builds

    def test_a_boot_asked_for_is_skipped_where_it_cannot_run(self):
        ran, _ = self._boots("boot", "--arch", "x86_64", "--boots",
                             "functional,far_modules",
                             configs={("x86_64", "ours"): config(X86_64_OURS)})
        self.assertEqual(ran, [("x86_64", "ours", "functional")])

    def test_ool_and_generic(self):
        ran, _ = self._boots(
            "check", "--arch", "arm64", "--profile", "ool,generic",
            configs={("arm64_ool", "ours"): OOL,
                     ("arm64_generic", "ours"): GENERIC})
        self.assertEqual(ran, [("arm64_ool", "ours", "functional"),
                               ("arm64_ool", "ours", "race"),
                               ("arm64_generic", "ours", "functional")])

    def test_repeat_refuses_a_boot_the_build_cannot_run(self):
        with mock.patch.object(runner, "existing_build", return_value={}), \
                mock.patch.object(kbuild, "built_config",
                                  return_value=UPSTREAM), \
                mock.patch.object(runner, "run_boot") as run_boot, \
                self.assertRaises(SystemExit) as refused:
            commands.cmd_repeat(parse("repeat", "--arch", "arm64", "--impl",
                                      "upstream", "--boot", "far_modules"))
        run_boot.assert_not_called()
        self.assertIn("CONFIG_ARM64_MODULE_FAR_TEST", str(refused.exception))


class SiteCheck(unittest.TestCase):
    """After a build whose sites come from relocations, one more check."""

    def _build(self, conf, checker):
        with mock.patch.object(runner, "prepare", return_value={}), \
                mock.patch.object(kbuild, "build_warnings", return_value=[]), \
                mock.patch.object(kbuild, "built_config", return_value=conf), \
                mock.patch.object(runner, "_sitecheck",
                                  return_value=checker) as find, \
                contextlib.redirect_stderr(io.StringIO()):
            out, _ = runner.build_outcome(ARM64, "ours", [])
        return out, find

    @staticmethod
    def _checker(sites, problems):
        calls = []

        def check_build(build_dir, cross_compile):
            calls.append((build_dir, cross_compile))
            return sites, problems
        return types.SimpleNamespace(check_build=check_build, calls=calls)

    def test_agreeing_table_is_one_more_pass(self):
        checker = self._checker(1234, [])
        out, _ = self._build(INLINE, checker)
        self.assertEqual((out.passed, out.failed), (3, 0))
        build_dir, cross = checker.calls[0]
        self.assertEqual(build_dir.name, "build-arm64")
        self.assertEqual(cross, "aarch64-linux-gnu-")

    def test_problems_fail_it_and_are_listed(self):
        problems = [f"vmlinux: site {i} missing" for i in range(10)]
        out, _ = self._build(INLINE, self._checker(1234, problems))
        self.assertEqual(out.failed, 1)
        text = "\n".join(out.lines)
        self.assertIn("site table does not agree with objdump (1234 sites)",
                      text)
        self.assertIn("vmlinux: site 0 missing", text)
        self.assertIn("(2 more lines)", text)

    def test_only_where_the_sites_come_from_relocations(self):
        for conf in (UPSTREAM, OOL, GENERIC):
            out, find = self._build(conf, self._checker(1, ["no"]))
            find.assert_not_called()
            self.assertEqual((out.passed, out.failed), (2, 0))

    def test_no_checker_no_pass(self):
        out, _ = self._build(INLINE, None)
        self.assertEqual(out.failed, 1)
        self.assertIn("sitecheck.py is missing", out.lines[0])

    def test_a_checker_that_cannot_run_fails_the_check(self):
        def broken(build_dir, cross_compile):
            raise FileNotFoundError("aarch64-linux-gnu-objdump")
        out, _ = self._build(INLINE,
                             types.SimpleNamespace(check_build=broken))
        self.assertEqual(out.failed, 1)
        self.assertIn("site table not checked", out.lines[0])

    def test_the_checker_is_looked_up_by_name(self):
        missing = ModuleNotFoundError("no", name="scbench.sitecheck")
        with mock.patch("importlib.import_module", side_effect=missing):
            self.assertIsNone(runner._sitecheck())
        other = ModuleNotFoundError("no", name="elftools")
        with mock.patch("importlib.import_module", side_effect=other), \
                self.assertRaises(ModuleNotFoundError):
            runner._sitecheck()


class MultiThreadedRace(unittest.TestCase):
    """SCBENCH_TCG=multi host/run repeat --arch arm64 --boot race: a
    report on the race suite under MTTCG, on the build that is there."""

    def test_scbench_tcg_switches_every_boot(self):
        # All but the stress boot on arm64, which asks for multi-threaded
        # TCG (test_reliability.py): SCBENCH_TCG switches it too.
        code = ("from scbench import arches, plans; print(*sorted("
                "{b.tcg_threads(a) for b in plans.BOOTS.values() "
                "for a in arches.ALL if (a.name, b.name) != "
                "('arm64', 'stress') or 'SCBENCH_TCG' in __import__('os')"
                ".environ}))")
        for tcg, want in (("multi", "multi"), (None, "single")):
            env = {k: v for k, v in os.environ.items() if k != "SCBENCH_TCG"}
            if tcg:
                env["SCBENCH_TCG"] = tcg
            got = subprocess.run([sys.executable, "-c", code], env=env,
                                 cwd=HOST, text=True, check=True,
                                 stdout=subprocess.PIPE).stdout.strip()
            self.assertEqual(got, want, tcg)

    def test_repeat_boots_arm64_race_under_the_chosen_tcg(self):
        multi = dataclasses.replace(plans.BOOTS["race"], threads="multi")
        seen = []

        def boot(arch, impl, plan, modules, echo, tag):
            seen.append((arch.key, impl, plan.name, plan.threads))
            return _outcome("race"), ""
        output = io.StringIO()
        with mock.patch.dict(plans.BOOTS, {"race": multi}), \
                mock.patch.object(runner, "existing_build", return_value={}), \
                mock.patch.object(kbuild, "built_config",
                                  return_value=INLINE), \
                mock.patch.object(runner, "run_boot", side_effect=boot), \
                contextlib.redirect_stdout(output):
            status = commands.cmd_repeat(parse("repeat", "--arch", "arm64",
                                               "--boot", "race", "--runs",
                                               "2"))
        self.assertEqual(status, 0)
        self.assertEqual(seen, [("arm64", "ours", "race", "multi")] * 2)
        lines = output.getvalue().splitlines()
        self.assertEqual(lines[-2], "arm64/ours/race, same kernel, tcg "
                         "thread=multi, 2 boots:")
        self.assertEqual(lines[-1], "2 passed, 0 failed")
