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
faults      the churn module loaded with each allocation of its load
            failing in turn, then the module suite, then kmemleak.
churn       1000 load/update/unload cycles of the churn module while an
            updater thread retargets the kernel keys from the other CPU;
            slab counts compared before and after, kmemleak, the module
            suite.  churn_short: 100 cycles (CI).
stress      4 vCPUs: the SMP stress suite, 10^6 calls through every kind
            of site during 10^4 updates.

Every boot runs under single-threaded TCG: with multi-threaded TCG, QEMU
7.2 can execute a stale translation of code another vCPU has patched
(see host/README.md): an emulator artefact, not a kernel race, which hit
the race suite in 9 of 10 boots and, more rarely, any boot that patches
text (a jump label during boot).  SCBENCH_TCG=multi reproduces it.
The stress boot alone asks for multi-threaded TCG on arm64 (see its
definition); SCBENCH_TCG still decides every boot when it is set.
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
    # QEMU TCG: "multi" or "single"
    threads: str
    # (op, argument), or (op, argument, Kconfig symbol) for a step run
    # only where the symbol is built: see init/init.c and _line()
    steps: list
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
    # optional suite -> how many times it reports, if not once
    optional_runs: dict = field(default_factory=dict)
    # Kconfig symbol -> (text, n): the console must show text n times or
    # more where the symbol is built
    optional_counts: dict = field(default_factory=dict)
    smp: int = 2                    # vCPUs
    # A module whose unload prints how many updates its thread made and
    # how many calls ran a wrong target (static_call_churn_updater)
    updater: str = None

    def tcg_threads(self, arch):
        """The TCG mode this boot runs under on @arch: the same on all."""
        return self.threads

    def runs_on(self, config):
        """Whether a build with this .config runs the boot."""
        return self.requires is None or _built(config, self.requires)

    def expected(self, config):
        """Suites that must report, given the build's .config values."""
        extra = {suite: self.optional_runs.get(suite, 1)
                 for suite, symbol in self.optional.items()
                 if _built(config, symbol)}
        return {**self.expect, **extra}

    def all_steps(self, config):
        """(op, argument) of every step this build runs, in order."""
        steps = [step[:2] for step in self.steps
                 if len(step) == 2 or _built(config, step[2])]
        return steps + [step for symbol, steps in
                        self.optional_steps.items()
                        if _built(config, symbol) for step in steps]

    def left_out(self, config):
        """The conditional steps this build does not run: (op, symbol)."""
        return [(step[0], step[2]) for step in self.steps
                if len(step) == 3 and not _built(config, step[2])]

    def plan_lines(self, config):
        return [_line(op, arg) for op, arg in self.all_steps(config)]

    def modules(self, config):
        return sorted({_module(op, arg) for op, arg in self.all_steps(config)
                       if _module(op, arg)})

    def churns(self, config):
        """(module, cycles) of each churn step, in order."""
        return [arg for op, arg in self.all_steps(config) if op == "churn"]

    def slab_budgets(self, config, failed_loads=None):
        """For each slab-compare step, by how many objects a kmalloc
        cache may grow since the snapshot before it: half the loads
        between the two, the churn cycles and the loads insmod-faults
        made fail (@failed_loads: {module: count}, which only the
        console tells; report.judge_measures() says why)."""
        budgets, loads = [], 0
        for op, arg in self.all_steps(config):
            if op == "slab-snapshot":
                loads = 0
            elif op == "churn":
                loads += arg[1]
            elif op == "insmod-faults":
                loads += (failed_loads or {}).get(_module(op, arg), 0)
            elif op == "slab-compare":
                budgets.append(loads // 2)
        return budgets

    def ops(self, config, op):
        """The arguments of every step @op."""
        return [arg for o, arg in self.all_steps(config) if o == op]

    def prints(self, config):
        """Lines the console must show, given the build's .config."""
        return self.must_print + [line for symbol, lines in
                                  self.optional_prints.items()
                                  if _built(config, symbol) for line in lines]

    def counts(self, config):
        """(text, n) for each text the console must show n times."""
        return [count for symbol, counts in self.optional_counts.items()
                if _built(config, symbol) for count in counts]

    def refusals(self, config):
        """The console line each insmod-fails step must print."""
        return [f"scbench-init: {_line(op, arg)}: ok (errno {EINVAL})"
                for op, arg in self.all_steps(config) if op == "insmod-fails"]


MODULE_OPS = ("insmod", "insmod-fails", "insmod-faults")
EINVAL = 22


def _load_args(arg):
    """A module step's argument: the module, then any parameters."""
    name, _, params = arg.partition(" ")
    return f"/lib/{name}.ko" + (f" {params}" if params else "")


def _line(op, arg):
    """The /plan line of one step."""
    if op in MODULE_OPS:
        return f"{op} {_load_args(arg)}"
    if op == "churn":           # (module, cycles)
        return f"churn /lib/{arg[0]}.ko {arg[1]}"
    return op if arg is None else f"{op} {arg}"


def _module(op, arg):
    """The module a step loads, None if it loads none."""
    if op in MODULE_OPS:
        return arg.partition(" ")[0]
    return arg[0] if op == "churn" else None


def _built(config, symbol):
    return config.get(symbol) in ("y", "m")


def _load_unload(module):
    return [("insmod", module), ("rmmod", module)]


TCG = os.environ.get("SCBENCH_TCG") or "single"


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

# Ours: a module unloaded while keys still target it.  The fixture aims
# a kernel key and two keys of the suite's module at itself; its unload
# must retarget each (the lines the kernel prints, inside the expected
# window), and the suite, run afterwards, checks the keys.
GOING_TESTS = "CONFIG_STATIC_CALL_GOING_KUNIT_TEST"
GOING = "static_call_going_kunit"
GOING_FIXTURE = "static_call_going_fixture"
GOING_RUN = ("write", f"/sys/module/{GOING}/parameters/run_suite 1")
GOING_STEPS = [
    ("insmod", GOING),
    # A failed init: the module goes without ever having been live.
    ("echo", console.EXPECT_BEGIN),
    ("insmod-fails", f"{GOING_FIXTURE} fail_init=1"),
    ("echo", console.EXPECT_END),
    GOING_RUN,
    # An unload; the load retargets the key aimed at its init code.
    ("echo", console.EXPECT_BEGIN),
    ("insmod", GOING_FIXTURE),
    ("rmmod", GOING_FIXTURE),
    ("echo", console.EXPECT_END),
    GOING_RUN,
    ("rmmod", GOING)]


def _going_print(key, func, why="going away"):
    """Ours names a key as DEFINE_STATIC_CALL() did (kernel/static_call.c)."""
    return (f"static_call: {key} still targets {func} "
            f"[{GOING_FIXTURE}] of module {GOING_FIXTURE}, which is {why}: "
            "retargeted to __static_call_return0")


# The failed init and the unload each name these keys.
GOING_PRINTS = [_going_print(key, func) for key, func in (
    ("sc_test_shared", "going_target"),
    (f"sc_going_key [{GOING}]", "going_target"),
    (f"sc_going_cond [{GOING}]", "going_cond_target"))]
# The key aimed at the fixture's init code: retargeted as the failed init
# goes, and as the successful one is freed.
GOING_INIT_PRINTS = [
    _going_print(f"sc_going_init_key [{GOING}]", "going_init_target", why)
    for why in ("going away", "freeing its init code")]

FUNCTIONAL = Boot(
    name="functional", threads=TCG,
    # The module suite leaves a key of the after-unload module on one of
    # its functions, as KVM's vendor modules do: ours names the key as
    # the module goes.
    steps=[("insmod", AFTER), ("insmod", MOD),
           ("echo", console.EXPECT_BEGIN), ("rmmod", MOD),
           ("echo", console.EXPECT_END),
           ("write", f"/sys/module/{AFTER}/parameters/run_suite 1"),
           ("rmmod", AFTER), *_load_unload(MOD) * RELOADS],
    expect={"static_call": 1, "static_call_module": 1 + RELOADS,
            "static_call_after_unload": 1},
    optional={"static_call_x86": "CONFIG_STATIC_CALL_X86_KUNIT_TEST",
              "static_call_x86_module": X86_MODULE_TESTS,
              "static_call_foreign_tramp": INLINE,
              "static_call_arm64": "CONFIG_STATIC_CALL_ARM64_KUNIT_TEST",
              "static_call_arm64_module": ARM64_MODULE_TESTS,
              "static_call_going": GOING_TESTS},
    optional_runs={"static_call_going": 2},
    optional_steps={X86_MODULE_TESTS: X86_MODULE_STEPS,
                    INLINE: FOREIGN_TRAMP_STEPS,
                    ARM64_MODULE_TESTS: _load_unload(ARM64_MODULE),
                    GOING_TESTS: GOING_STEPS},
    optional_prints={**SELFTEST, ARM64_MODULE_TESTS: [ARM64_NEAR],
                     GOING_TESTS: GOING_PRINTS + GOING_INIT_PRINTS},
    optional_counts={GOING_TESTS: [(line, 2) for line in GOING_PRINTS]
                     + [(line, 1) for line in GOING_INIT_PRINTS]})

RACE_BOOT = Boot(
    name="race", threads=TCG,
    steps=_load_unload(RACE), expect={"static_call_race": 1},
    filter_glob="static_call_race")

# arm64: the functional plan with every module allocated outside the
# +-128 MiB branch range of the kernel: no direct branch reaches between
# a module and the kernel.
FAR_MODULES = replace(
    FUNCTIONAL, name="far_modules", cmdline=["arm64_module_far_test"],
    optional_prints={**SELFTEST, ARM64_MODULE_TESTS: [ARM64_FAR],
                     GOING_TESTS: GOING_PRINTS},
    optional_counts={GOING_TESTS: [(line, 2) for line in GOING_PRINTS]},
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

# The reliability boots (issue 10).  lib/static_call_churn_module.c checks
# at each load which function its call sites of kernel keys and of its own
# keys run, and refuses to load on a mismatch; static_call_churn_updater's
# thread retargets the kernel keys from another CPU until it is unloaded.
CHURN_MODULE = "static_call_churn_module"
CHURN_UPDATER = "static_call_churn_updater"
KMEMLEAK = "CONFIG_DEBUG_KMEMLEAK"
# Cycles before the slab snapshot: what the first loads allocate once
# (and keep) is not counted as growth.
CHURN_WARMUP = 10
# Every cache on its own: a kmalloc cache's count is then only kmalloc()'s
# objects, not those of a cache merged into it (vmap_area, which vfree()
# frees lazily, in batches).  The kmalloc caches record who allocated
# each object: /init counts them exactly from that, and says which
# stacks grew (/proc/slabinfo counts a CPU's whole slab as allocated).
SLAB_CMDLINE = ["slab_nomerge", "slab_debug=U,kmalloc-*"]
CHURN_CYCLES = 1000
CHURN_SHORT_CYCLES = 100


def _churn(name, cycles, timeout):
    """Load, check, unload the churn module @cycles times with the updater
    running on the other CPU; then slab counts, the module suite and
    kmemleak say whether anything stayed behind."""
    return Boot(
        name=name, threads=TCG,
        steps=[("kmemleak-clear", None, KMEMLEAK),
               ("insmod", CHURN_UPDATER),
               ("churn", (CHURN_MODULE, CHURN_WARMUP)),
               ("slab-snapshot", None),
               ("churn", (CHURN_MODULE, cycles)),
               ("rmmod", CHURN_UPDATER),
               ("slab-compare", None),
               *_load_unload(MOD),
               ("kmemleak-scan", None, KMEMLEAK)],
        expect={"static_call_module": 1}, filter_glob="static_call_module",
        cmdline=SLAB_CMDLINE,
        updater=CHURN_UPDATER, requires="CONFIG_SLUB_DEBUG",
        timeout=timeout)


# Timeouts from what the debug kernels took (Arch.slow multiplies them by
# 5): churn_short 144 s on x86_64_debug and 354 s on arm64_debug, whose
# cycle (0.86 s) is twice x86's; a plain kernel's cycle takes 0.2-0.3 s.
CHURN = _churn("churn", CHURN_CYCLES, 600)
CHURN_SHORT = _churn("churn_short", CHURN_SHORT_CYCLES, 150)

# The churn module loaded with each allocation of its load failing in
# turn (init/init.c, insmod-faults: /proc/thread-self/fail-nth with
# failslab and fail_page_alloc), between console markers inside which
# the allocator's failure reports are expected (console.py).  Then the
# module loaded a few times more and the module suite, which updates
# kernel keys and module keys and checks which function runs: the failed
# loads must have left every key working, and kmemleak must find nothing.
# Slab counts compared around the failed loads, after two warm-up loads
# (what a first load allocates once is not a leak): the budget is half
# the loads between, so a leak on any failure path fails.
FAULTS_WARMUP = 2
FAULTS = Boot(
    name="faults", threads=TCG,
    steps=[("kmemleak-clear", None, KMEMLEAK),
           ("churn", (CHURN_MODULE, FAULTS_WARMUP)),
           ("slab-snapshot", None),
           ("insmod-faults", CHURN_MODULE),
           ("churn", (CHURN_MODULE, 3)),
           ("slab-compare", None),
           *_load_unload(MOD),
           ("kmemleak-scan", None, KMEMLEAK)],
    expect={"static_call_module": 1}, filter_glob="static_call_module",
    # As the churn boots: a failed load that leaks grows a kmalloc cache
    # by an object each time, which /init counts exactly.
    cmdline=SLAB_CMDLINE,
    must_print=[console.FAULTS_BEGIN, console.FAULTS_END],
    # Ours: the allocations of the static call core itself failed, the
    # record of the module and at least one run of its sites, not only
    # the module loader's.
    optional_counts={"CONFIG_DEBUG_STATIC_CALL": [
        (f"static_call: cannot load {CHURN_MODULE}: -12", 2)]},
    # Only debug kernels inject faults: 5 times this, for a boot that took
    # 186 s on x86_64_debug and 459 s on arm64_debug.
    requires="CONFIG_FAULT_INJECTION", timeout=200)

# Four vCPUs: the suite's test thread updates keys while the three others
# call them through every kind of site (lib/static_call_stress_kunit.c);
# static_call_stress_ool holds the keys and the calls of their
# trampolines, so it loads first and goes last.  Single-threaded TCG on
# every architecture, as every boot (above).  arm64 ran it multi-threaded
# at first, and QEMU ran stale translations there too: 16,990,139 of
# 281,796,520 calls ran a target their key had left before the call
# began (the first: a static_call_cond() site still calling its target
# after the update to NULL had returned), against 0 of 2,217,251 on the
# same kernel single-threaded (host/README.md).
STRESS = "static_call_stress_kunit"
STRESS_OOL = "static_call_stress_ool"
STRESS_BOOT = Boot(
    name="stress", threads=TCG,
    steps=[("insmod", STRESS_OOL), *_load_unload(STRESS),
           ("rmmod", STRESS_OOL)],
    expect={"static_call_stress": 1}, filter_glob="static_call_stress",
    smp=4, timeout=500)

BOOTS = {b.name: b for b in (FUNCTIONAL, RACE_BOOT, FAR_MODULES, TRACING,
                             PREEMPT_NONE, RETHUNK, DEPTH_TRACKING, ITS,
                             FAULTS, CHURN, CHURN_SHORT, STRESS_BOOT)}

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
