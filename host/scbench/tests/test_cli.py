"""The command line: each option does what it says, defaults from the
environment only where the Makefile passes them (ARCH, PROFILE, IMPL)."""
import contextlib
import io
import os
import unittest
from unittest import mock

from .. import __main__ as cli
from .. import arches, commands, kbuild, report, runner
from . import ARM64_OURS, FUNCTIONAL, INTERLEAVED, LOGS, X86_64_OURS

CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in ("ARCH", "PROFILE", "IMPL", "SCBENCH_EXTRA_PATCHES")}


def parse(*argv, **env):
    with mock.patch.dict(os.environ, {**CLEAN_ENV, **env}, clear=True):
        return cli.resolve(cli.parser().parse_args(argv))


def keys(args):
    return [a.key for a in args.arches]


class Options(unittest.TestCase):
    def test_impl_equals_form_is_honoured(self):
        self.assertEqual(parse("check", "--impl=ours").impls, ["ours"])

    def test_bench_runs_what_it_is_told(self):
        self.assertEqual(parse("bench", "--runs", "10").runs, 10)
        self.assertEqual(parse("bench").runs, 3)

    def test_impl_defaults(self):
        self.assertEqual(parse("boot").impls, ["ours"])
        self.assertEqual(parse("check").impls, ["ours", "upstream"])
        self.assertEqual(parse("bench").impls, ["ours", "upstream"])
        self.assertEqual(parse("check", IMPL="upstream").impls, ["upstream"])

    def test_unknown_values_are_refused(self):
        for argv in (["check", "--impl", "theirs"],
                     ["check", "--boots", "nosuchboot"],
                     ["boot", "--runs", "3"]):
            with self.assertRaises(SystemExit, msg=argv), \
                    contextlib.redirect_stderr(io.StringIO()):
                parse(*argv)
        with self.assertRaises(SystemExit):
            parse("check", "--arch", "sparc")

    def test_extra_patches_add_up(self):
        args = parse("boot", "--extra-patch", "b.patch",
                     SCBENCH_EXTRA_PATCHES="a.patch")
        self.assertEqual(args.extra_patch, ["a.patch", "b.patch"])


class Targets(unittest.TestCase):
    def test_check_runs_every_record_in_check(self):
        self.assertEqual(keys(parse("check")), [a.key for a in arches.CHECKED])
        self.assertNotIn("arm64_generic", keys(parse("check")))
        self.assertIn("arm64_ool", keys(parse("check")))

    def test_a_record_left_out_of_check_runs_when_named(self):
        cases = [
            (("check", "--profile", "generic"), {}, ["arm64_generic"]),
            (("check",), {"PROFILE": "generic"}, ["arm64_generic"]),
            (("check",), {"ARCH": "arm64_generic"}, ["arm64_generic"]),
            (("check",), {"ARCH": "arm64", "PROFILE": "default,ool,generic"},
             ["arm64", "arm64_ool", "arm64_generic"]),
            (("check", "--arch", "arm64"), {}, ["arm64"]),
            (("check", "--profile", "ool"), {}, ["arm64_ool"]),
            (("boot", "--arch", "arm64", "--profile", "ool"), {},
             ["arm64_ool"]),
        ]
        for argv, env, want in cases:
            self.assertEqual(keys(parse(*argv, **env)), want, (argv, env))

    def test_other_commands_run_x86_64(self):
        for command in ("boot", "build", "repeat", "trap", "bench"):
            self.assertEqual(keys(parse(command)), ["x86_64"], command)

    def test_arch_and_profile(self):
        cases = [
            (("boot", "--arch", "x86_64", "--profile", "big"), {},
             ["x86_64_big"]),
            (("boot", "--arch", "x86_64_big"), {}, ["x86_64_big"]),
            (("check", "--profile", "tiny"), {},
             ["i386_tiny", "ppc32_tiny", "x86_64_tiny"]),
            (("check", "--arch", "x86_64"), {}, ["x86_64"]),
            (("check",), {"ARCH": "arm64,i386"}, ["arm64", "i386"]),
            (("check",), {"ARCH": "x86_64", "PROFILE": "default,big"},
             ["x86_64", "x86_64_big"]),
        ]
        for argv, env, want in cases:
            self.assertEqual(keys(parse(*argv, **env)), want, (argv, env))

    def _pairs(self, *argv):
        return [(a.key, impl) for a, impl in commands._pairs(parse(*argv))]

    def test_check_runs_upstream_only_where_the_record_says(self):
        upstream = [key for key, impl in self._pairs("check")
                    if impl == "upstream"]
        self.assertEqual(upstream, ["arm64"])

    def test_upstream_asked_for_runs_on_x86_64_big(self):
        self.assertIn(("x86_64_big", "upstream"),
                      self._pairs("check", "--impl", "upstream", "--arch",
                                  "x86_64_big"))

    def test_upstream_asked_for_runs_on_every_arm64_record(self):
        self.assertEqual(self._pairs("check", "--impl", "upstream", "--arch",
                                     "arm64", "--profile", "default,ool"),
                         [("arm64", "upstream"), ("arm64_ool", "upstream")])

    def test_check_all_runs_every_record_and_upstream_on_each(self):
        self.assertEqual(keys(parse("check-all")),
                         [a.key for a in arches.ALL])
        pairs = self._pairs("check-all")
        upstream = {key for key, impl in pairs if impl == "upstream"}
        booted = {a.key for a in arches.ALL if not a.build_only}
        # arm64_ool's and arm64_generic's upstream kernel is arm64's.
        self.assertEqual(upstream,
                         booted - {"arm64_ool", "arm64_generic"})
        self.assertEqual({key for key, impl in pairs if impl == "ours"},
                         {a.key for a in arches.ALL})

    def test_check_all_narrows_as_check_does(self):
        self.assertEqual(self._pairs("check-all", "--arch", "arm64",
                                     "--profile", "ool,generic"),
                         [("arm64_ool", "ours"), ("arm64_ool", "upstream"),
                          ("arm64_generic", "ours")])
        self.assertEqual(self._pairs("check-all", "--impl", "ours",
                                     "--profile", "debug"),
                         [("arm64_debug", "ours"), ("x86_64_debug", "ours")])

    def test_check_leaves_debug_upstream_and_slow_boots_to_check_all(self):
        self.assertNotIn(("x86_64_debug", "upstream"), self._pairs("check"))
        for command, everything in (("check", False), ("check-all", True)):
            args = parse(command)
            self.assertEqual(commands._everything(args), everything)
        self.assertFalse(commands._everything(parse("boot")))

    def test_upstream_asked_for_runs_everywhere_it_boots(self):
        self.assertEqual(self._pairs("check", "--impl", "upstream",
                                     "--arch", "i386"), [("i386", "upstream")])
        self.assertEqual(self._pairs("check", "--impl", "upstream",
                                     "--profile", "tiny"), [])


class LogNames(unittest.TestCase):
    CASES = [
        ("20261122-173432-x86_64-ours-functional.log",
         {"arch": "x86_64", "impl": "ours", "boot": "functional"}),
        ("20261122-173205-x86_64_big-upstream-depth_tracking-trap3.log",
         {"arch": "x86_64_big", "impl": "upstream", "boot": "depth_tracking"}),
        ("20261122-173205-x86_64-ours-bench-0.log",
         {"arch": "x86_64", "impl": "ours", "boot": "bench"}),
        ("20261122-173205-arm64_ool-ours-far_modules-repeat3.log",
         {"arch": "arm64_ool", "impl": "ours", "boot": "far_modules"}),
        ("console.log", {}),
    ]

    def test_names(self):
        for name, want in self.CASES:
            self.assertEqual(runner.parse_log_name(name), want, name)


class Parse(unittest.TestCase):
    def _parse(self, *argv):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = cli.main(["parse", *argv])
        return status, out.getvalue().splitlines()[-1]

    def test_interleaved_log_passes(self):
        status, last = self._parse("--config", str(LOGS / X86_64_OURS),
                                   str(LOGS / INTERLEAVED))
        self.assertEqual(status, 0)
        self.assertRegex(last, r"^\d+ passed, 0 failed$")

    def test_wrong_config_fails(self):
        status, last = self._parse("--config", str(LOGS / ARM64_OURS),
                                   str(LOGS / FUNCTIONAL))
        self.assertEqual(status, 1)
        self.assertRegex(last, r"^\d+ passed, [1-9]\d* failed$")

    def test_arch_and_boot_from_options(self):
        with self.assertRaises(SystemExit):
            self._parse("--config", str(LOGS / X86_64_OURS), "--arch",
                        "x86_64", "--impl", "ours", "--boot", "bench_nope",
                        str(LOGS / FUNCTIONAL))


class Repeat(unittest.TestCase):
    """repeat counts boots, on the build that is there, building nothing."""

    def _boot(self, failed):
        out = report.Outcome("x86_64/ours/functional")
        out.check(not failed, "/init did not finish its plan")
        return out, ""

    def test_flakes_are_counted(self):
        runs = [self._boot(failed) for failed in (False, True, False)]
        output = io.StringIO()
        # No build on disk: the boot needs no Kconfig symbol anyway.
        with mock.patch.object(runner, "existing_build", return_value={}), \
                mock.patch.object(kbuild, "built_config", return_value={}), \
                mock.patch.object(runner, "prepare") as prepare, \
                mock.patch.object(runner, "run_boot", side_effect=runs), \
                contextlib.redirect_stdout(output):
            status = commands.cmd_repeat(parse("repeat", "--runs", "3"))
        prepare.assert_not_called()
        lines = output.getvalue().splitlines()
        self.assertEqual(status, 1)
        self.assertEqual(lines[0], "run 0: passed (1 passed, 0 failed)")
        self.assertIn("  FAIL /init did not finish its plan", lines)
        self.assertEqual(lines[-1], "2 passed, 1 failed")
