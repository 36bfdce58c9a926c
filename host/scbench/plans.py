"""Which boots a test run makes, what each loads, and what must report.

functional  every suite but the race suite.  The module suite runs once
            per load.  The after-unload module is loaded first and its
            suite run once the companion module is gone (see
            lib/test_static_call_after.c for why); then the companion
            is loaded and unloaded three more times.
race        the race suite alone.

Every boot runs under single-threaded TCG: with multi-threaded TCG, QEMU
7.2 can execute a stale translation of code another vCPU has patched
(see host/README.md): an emulator artefact, not a kernel race, which hit
the race suite in 9 of 10 boots and, more rarely, any boot that patches
text (a jump label during boot).  SCBENCH_TCG=multi reproduces it.
"""
import os
from dataclasses import dataclass, field, replace

MOD = "test_static_call_mod"
AFTER = "test_static_call_after"
RACE = "test_static_call_race"
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
    filter_glob: str = None
    timeout: int = 120
    cmdline: list = field(default_factory=list)
    qemu: list = field(default_factory=list)       # extra QEMU arguments
    must_print: list = field(default_factory=list)  # console must show

    def expected(self, config):
        """Suites that must report, given the build's .config values."""
        extra = {suite: 1 for suite, symbol in self.optional.items()
                 if config.get(symbol) == "y"}
        return {**self.expect, **extra}

    def plan_lines(self):
        return [f"insmod /lib/{arg}.ko" if op == "insmod" else f"{op} {arg}"
                for op, arg in self.steps]

    def modules(self):
        return sorted({m for op, m in self.steps if op == "insmod"})


def _load_unload(module):
    return [("insmod", module), ("rmmod", module)]


TCG = os.environ.get("SCBENCH_TCG", "single")

FUNCTIONAL = Boot(
    name="functional", threads=TCG,
    steps=[("insmod", AFTER), *_load_unload(MOD),
           ("write", f"/sys/module/{AFTER}/parameters/run_suite 1"),
           ("rmmod", AFTER), *_load_unload(MOD) * RELOADS],
    expect={"static_call": 1, "static_call_module": 1 + RELOADS,
            "static_call_after_unload": 1},
    optional={"static_call_x86": "CONFIG_STATIC_CALL_X86_KUNIT_TEST"})

RACE_BOOT = Boot(
    name="race", threads=TCG,
    steps=_load_unload(RACE), expect={"static_call_race": 1},
    filter_glob="static_call_race")

# The functional plan again, with a tracepoint's static call updated at
# boot (enabling the event) and called at every module load, printed by
# tp_printk; and with the preemption models switched at boot.
TRACING = replace(
    FUNCTIONAL, name="tracing",
    cmdline=["trace_event=module:module_load", "tp_printk", "preempt=full"],
    must_print=["module_load: test_static_call_mod", "Dynamic Preempt: full"])
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

BOOTS = {b.name: b for b in (FUNCTIONAL, RACE_BOOT, TRACING, PREEMPT_NONE,
                             RETHUNK, DEPTH_TRACKING)}
DEFAULT_BOOTS = ["functional", "race"]

# Not a test: `scbench bench` boots this under -icount shift=0, where a
# guest nanosecond is one executed instruction.
BENCH = "test_static_call_bench"
BENCH_OOL = "test_static_call_bench_ool"
BENCH_BOOT = Boot(
    name="bench", threads="single",
    steps=[("insmod", BENCH), *_load_unload(BENCH_OOL), ("rmmod", BENCH)],
    expect={},
    cmdline=["kunit.enable=0", "spectre_v2=retpoline,generic"],
    qemu=["-icount", "shift=0"])
