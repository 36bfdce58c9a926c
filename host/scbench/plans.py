"""Which boots a test run makes, what each loads, and what must report.

functional  every suite but the race suite.  The module suite runs once
            per load.  The after-unload module is loaded first and its
            suite run once the companion module is gone (see
            lib/static_call_after_unload_kunit.c for why); then the companion
            is loaded and unloaded three more times.
race        the race suite alone.
far_modules arm64: the functional plan with every module placed out of
            branch range of the kernel (arm64_module_far_test); only on
            builds that have the parameter (CONFIG_ARM64_MODULE_FAR_TEST).

Every boot runs under single-threaded TCG: with multi-threaded TCG, QEMU
7.2 can execute a stale translation of code another vCPU has patched
(see host/README.md): an emulator artefact, not a kernel race, which hit
the race suite in 9 of 10 boots and, more rarely, any boot that patches
text (a jump label during boot).  SCBENCH_TCG=multi reproduces it.
"""
import os
from dataclasses import dataclass, field, replace

from . import console

MOD = "static_call_module_kunit"
AFTER = "static_call_after_unload_kunit"
RACE = "static_call_race_kunit"
RELOADS = 3


@dataclass
class Boot:
    name: str
    threads: str                    # QEMU TCG: "multi" or "single"
    steps: list                     # (op, argument): see init/init.c
    expect: dict                    # suite name -> runs expected
    # suite -> the Kconfig symbol that builds it, for suites only some
    # configurations (some implementations, some arches) have
    optional: dict = field(default_factory=dict)
    # Kconfig symbol -> steps run after the others where it is built
    optional_steps: dict = field(default_factory=dict)
    filter_glob: str = None
    timeout: int = 120
    cmdline: list = field(default_factory=list)
    qemu: list = field(default_factory=list)       # extra QEMU arguments
    must_print: list = field(default_factory=list)  # console must show
    # Kconfig symbol -> lines the console must show where it is built
    optional_prints: dict = field(default_factory=dict)
    # Kconfig symbol without which the boot means nothing: a build that
    # lacks it does not run the boot at all (not a pass, not a failure)
    requires: str = None

    def runs_on(self, config):
        """Whether a build with this .config runs the boot."""
        return self.requires is None or _built(config, self.requires)

    def expected(self, config):
        """Suites that must report, given the build's .config values."""
        extra = {suite: 1 for suite, symbol in self.optional.items()
                 if _built(config, symbol)}
        return {**self.expect, **extra}

    def all_steps(self, config):
        return self.steps + [step for symbol, steps in
                             self.optional_steps.items()
                             if _built(config, symbol) for step in steps]

    def plan_lines(self, config):
        return [f"{op} /lib/{arg}.ko" if op in MODULE_OPS else f"{op} {arg}"
                for op, arg in self.all_steps(config)]

    def modules(self, config):
        return sorted({arg for op, arg in self.all_steps(config)
                       if op in MODULE_OPS})

    def prints(self, config):
        """Lines the console must show, given the build's .config."""
        return self.must_print + [line for symbol, lines in
                                  self.optional_prints.items()
                                  if _built(config, symbol) for line in lines]

    def refusals(self, config):
        """The console line each insmod-fails step must print."""
        return [f"scbench-init: {op} /lib/{arg}.ko: ok (errno {EINVAL})"
                for op, arg in self.all_steps(config) if op == "insmod-fails"]


MODULE_OPS = ("insmod", "insmod-fails")
EINVAL = 22


def _built(config, symbol):
    return config.get(symbol) in ("y", "m")


def _load_unload(module):
    return [("insmod", module), ("rmmod", module)]


TCG = os.environ.get("SCBENCH_TCG", "single")

# Our x86 white-box module tests: two modules the core must refuse (with
# EINVAL, its refusal messages inside the window the console check
# allows), then the suite that checks they left nothing behind.
X86_MODULE_TESTS = "CONFIG_STATIC_CALL_X86_KUNIT_MODULE_TESTS"
X86_MODULE_STEPS = [
    ("echo", console.EXPECT_BEGIN),
    ("insmod-fails", "static_call_x86_refused_fixture"),
    ("insmod-fails", "static_call_x86_nokey_fixture"),
    ("echo", console.EXPECT_END),
    *_load_unload("static_call_x86_module_kunit")]

# Inline static calls only: a module calling another module's
# trampoline-only key is refused (EINVAL), and the key's own module is
# left working (its suite runs once the refusal is done).
INLINE = "CONFIG_HAVE_STATIC_CALL_INLINE"
PROVIDER = "static_call_foreign_tramp_kunit"
FOREIGN_TRAMP_STEPS = [
    ("insmod", PROVIDER),
    ("echo", console.EXPECT_BEGIN),
    ("insmod-fails", "static_call_foreign_tramp_fixture"),
    ("echo", console.EXPECT_END),
    ("write", f"/sys/module/{PROVIDER}/parameters/run_suite 1"),
    ("rmmod", PROVIDER)]

# Our arm64 white-box module suite.  It says where the module landed,
# and the plain functional boot must have it within branch range of the
# kernel (the far_modules boot, out of it).
ARM64_MODULE_TESTS = "CONFIG_STATIC_CALL_ARM64_KUNIT_MODULE_TESTS"
ARM64_MODULE = "static_call_arm64_module_kunit"
ARM64_NEAR = ("static_call_arm64_module: module within branch range of "
              "the kernel")
ARM64_FAR = ("static_call_arm64_module: module out of branch range of "
             "the kernel")
SELFTEST = {"CONFIG_STATIC_CALL_SELFTEST": ["static_call: selftest passed"]}

FUNCTIONAL = Boot(
    name="functional", threads=TCG,
    steps=[("insmod", AFTER), *_load_unload(MOD),
           ("write", f"/sys/module/{AFTER}/parameters/run_suite 1"),
           ("rmmod", AFTER), *_load_unload(MOD) * RELOADS],
    expect={"static_call": 1, "static_call_module": 1 + RELOADS,
            "static_call_after_unload": 1},
    optional={"static_call_x86": "CONFIG_STATIC_CALL_X86_KUNIT_TEST",
              "static_call_x86_module": X86_MODULE_TESTS,
              "static_call_foreign_tramp": INLINE,
              "static_call_arm64": "CONFIG_STATIC_CALL_ARM64_KUNIT_TEST",
              "static_call_arm64_module": ARM64_MODULE_TESTS},
    optional_steps={X86_MODULE_TESTS: X86_MODULE_STEPS,
                    INLINE: FOREIGN_TRAMP_STEPS,
                    ARM64_MODULE_TESTS: _load_unload(ARM64_MODULE)},
    optional_prints={**SELFTEST, ARM64_MODULE_TESTS: [ARM64_NEAR]})

RACE_BOOT = Boot(
    name="race", threads=TCG,
    steps=_load_unload(RACE), expect={"static_call_race": 1},
    filter_glob="static_call_race")

# arm64: the functional plan with every module allocated outside the
# +-128 MiB branch range of the kernel: no direct branch reaches between
# a module and the kernel.
FAR_MODULES = replace(
    FUNCTIONAL, name="far_modules", cmdline=["arm64_module_far_test"],
    optional_prints={**SELFTEST, ARM64_MODULE_TESTS: [ARM64_FAR]},
    requires="CONFIG_ARM64_MODULE_FAR_TEST")

# The functional plan again, with a tracepoint's static call updated at
# boot (enabling the event) and called at every module load, printed by
# tp_printk; and with the preemption models switched at boot.
TRACING = replace(
    FUNCTIONAL, name="tracing",
    cmdline=["trace_event=module:module_load", "tp_printk", "preempt=full"],
    must_print=["module_load: static_call_module_kunit", "Dynamic Preempt: full"])
PREEMPT_NONE = replace(
    FUNCTIONAL, name="preempt_none", cmdline=["preempt=none"],
    must_print=["Dynamic Preempt: none"])

# Mitigations the emulated CPU does not ask for, forced on, so that what
# static calls write depends on them at run time: return thunks (the
# sites are rewritten after alternatives, static_call_force_reinit()),
# and call depth tracking (calls go to accounting thunks).
RETHUNK = replace(
    FUNCTIONAL, name="rethunk", cmdline=["retbleed=force,unret"],
    must_print=["RETBleed: Mitigation: untrained return thunk"])
DEPTH_TRACKING = replace(
    FUNCTIONAL, name="depth_tracking",
    cmdline=["retbleed=force,stuff", "spectre_v2=retpoline"],
    qemu=["-cpu", "max,vendor=GenuineIntel"],
    must_print=["RETBleed: Mitigation: Stuffing"])

# ITS forced on: return thunks only for returns in the lower half of a
# cache line, so where a return is decides what static calls write.  The
# x86 white-box suite alone looks at that.
ITS = Boot(
    name="its", threads=TCG, steps=[], expect={},
    optional={"static_call_x86": "CONFIG_STATIC_CALL_X86_KUNIT_TEST"},
    filter_glob="static_call_x86",
    cmdline=["indirect_target_selection=force", "spectre_v2=retpoline"],
    qemu=["-cpu", "max,vendor=GenuineIntel"],
    must_print=["ITS: Mitigation: Aligned branch/return thunks"],
    # Only the white-box suite looks: a build without it (upstream's)
    # would boot for nothing.
    requires="CONFIG_STATIC_CALL_X86_KUNIT_TEST")

BOOTS = {b.name: b for b in (FUNCTIONAL, RACE_BOOT, FAR_MODULES, TRACING,
                             PREEMPT_NONE, RETHUNK, DEPTH_TRACKING, ITS)}

# Not a test: `scbench bench` boots this under -icount shift=0, where a
# guest nanosecond is one executed instruction.
BENCH = "static_call_bench"
BENCH_OOL = "static_call_bench_ool"
BENCH_BOOT = Boot(
    name="bench", threads="single",
    steps=[("insmod", BENCH), *_load_unload(BENCH_OOL), ("rmmod", BENCH)],
    expect={},
    cmdline=["kunit.enable=0", "spectre_v2=retpoline,generic"],
    qemu=["-icount", "shift=0"])
