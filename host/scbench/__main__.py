"""Command line: python3 -m scbench {compose,build,boot,check,trap}.

ARCH and IMPL narrow a run; each accepts a comma-separated list.
"""
import argparse
import dataclasses
import os
import re
import subprocess
import sys
import time

from . import arches, base, compose, console, initramfs, kbuild, paths, plans, qemu
from . import report
from .hosttests import sorttable
from .util import log, Timer

DEFAULT_ARCHES = ("x86_64,i386,x86_64_big,arm64,"
                  "x86_64_tiny,i386_tiny,ppc32_tiny")


def _list(value):
    return [v for v in value.split(",") if v]


def _prepare(arch, impl, extra):
    with Timer(f"compose {impl}"):
        compose.compose(impl, extra)
    kbuild.build(arch, impl)
    return kbuild.test_modules(arch, impl)


def _cmdline(arch, boot):
    words = [f"console={arch.CONSOLE}", "panic=-1", "oops=panic",
             "printk.devkmsg=on",
             *getattr(arch, "CMDLINE", []), *boot.cmdline]
    if boot.filter_glob:
        words.append(f"kunit.filter_glob={boot.filter_glob}")
    return " ".join(words)


def _run_boot(arch, impl, boot, modules, echo, tag="", with_text=False):
    build = paths.build_dir(impl, arch.ARCH)
    config = kbuild.built_config(arch, impl)
    cpio = initramfs.build_initramfs(arch, impl, boot, modules, config)
    paths.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    logfile = paths.RESULTS / f"{stamp}-{arch.ARCH}-{impl}-{boot.name}{tag}.log"
    cmd = qemu.command(arch, build / arch.IMAGE, cpio, _cmdline(arch, boot),
                       boot.threads, extra=boot.qemu)
    with Timer(f"boot {arch.ARCH}/{impl}/{boot.name}"):
        text, timed_out = qemu.boot(cmd, logfile, boot.timeout, echo)
    log(f"console log: {logfile}")
    outcome = report.judge(f"{arch.ARCH}/{impl}/{boot.name}", boot,
                           config, text, timed_out)
    return (outcome, text) if with_text else outcome


def _print(outcomes):
    for o in outcomes:
        print(f"{o.label}: {o.passed} passed, {o.failed} failed")
        for line in o.lines:
            print(line)
    passed = sum(o.passed for o in outcomes)
    failed = sum(o.failed for o in outcomes)
    print(f"base: linux-source-6.12 {base.base_version()}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not outcomes else 0


def cmd_compose(args):
    for impl in _list(args.impl):
        print(compose.compose(impl, args.extra_patch))


def cmd_build(args):
    for name in _list(args.arch):
        for impl in _list(args.impl):
            compose.compose(impl, args.extra_patch)
            kbuild.build(arches.load(name), impl)


def _build_outcome(arch, impl, extra):
    """Compose and build; judge the build.  Returns (outcome, modules)."""
    out = report.Outcome(f"{arch.ARCH}/{impl}/build")
    try:
        modules = _prepare(arch, impl, extra)
    except subprocess.CalledProcessError as e:
        out.check(False, f"build failed: {' '.join(map(str, e.cmd[-3:]))}")
        return out, None
    except SystemExit as e:     # a configuration that lost an option
        out.check(False, str(e))
        return out, None
    out.check(True, "built")
    warnings = kbuild.build_warnings(arch, impl)
    out.check(not warnings, "static call warnings in the build output"
              + report.diagnostics(warnings))
    zero = getattr(arch, "ZERO_AT_BOOT", [])
    if zero and impl == "ours":
        bad = kbuild.nonzero_at_boot(arch, impl, zero)
        out.check(not bad, f"not zero before boot: {', '.join(bad)}")
    return out, modules


def _host_tests(extra):
    """Our host programs, on their own, before any kernel is built."""
    compose.compose("ours", extra)
    with Timer("host tests"):
        return [sorttable.run(paths.src_dir("ours"))]


def cmd_run(args, echo):
    outcomes = []
    if args.command == "check" and "ours" in _list(args.impl):
        outcomes += _host_tests(args.extra_patch)
    for name in _list(args.arch):
        arch = arches.load(name)
        for impl in _list(args.impl):
            if getattr(arch, "BUILD_ONLY", False) and impl != "ours":
                continue        # the matrix checks our implementation
            if impl == "upstream" and not args.impl_given and \
                    not getattr(arch, "UPSTREAM_IN_CHECK", True):
                continue        # another arch's upstream run covers it
            built, modules = _build_outcome(arch, impl, args.extra_patch)
            outcomes.append(built)
            if modules is None or getattr(arch, "BUILD_ONLY", False):
                continue
            boots = _list(args.boots) if args.boots else \
                getattr(arch, "BOOTS", plans.DEFAULT_BOOTS)
            for boot in boots:
                outcomes.append(_run_boot(arch, impl, plans.BOOTS[boot],
                                          modules, echo))
    return _print(outcomes)


def cmd_trap(args):
    """Repeat the race boot under a chosen TCG mode and count crashes."""
    arch = arches.load(_list(args.arch)[0])
    impl = _list(args.impl)[0]
    modules = _prepare(arch, impl, args.extra_patch)
    boot = dataclasses.replace(plans.RACE_BOOT, threads=args.threads)
    results = []
    for i in range(args.runs):
        o, text = _run_boot(arch, impl, boot, modules, False, f"-trap{i}",
                            with_text=True)
        results.append(o)
        print(f"run {i}: {'clean' if not o.failed else 'FAILED'}"
              + "".join(f"; {t}" for t in console.int3_traps(text)))
    bad = sum(1 for o in results if o.failed)
    print(f"{arch.ARCH}/{impl} race suite, tcg thread={args.threads}: "
          f"{bad} of {args.runs} runs failed")


BENCH_PATCH = paths.REPO / "host" / "bench" / "x86-time-static-call-init.patch"
BENCH_LINE = re.compile(r"scbench-bench: (\S+) (\d+) (.*)")
TSC_MHZ = re.compile(r"tsc: Detected ([\d.]+) MHz")


def _bench_figures(text):
    """{name: instructions} from one bench boot's console."""
    figures = {}
    mhz = TSC_MHZ.search(text)
    for name, value, unit in BENCH_LINE.findall(text):
        value = int(value)
        if unit.startswith("insn/100"):
            value = value / 100
        elif unit == "cycles" and mhz:
            # The TSC runs at its nominal rate of the virtual clock.
            value = value * 1000 / float(mhz.group(1))
        figures[name.removesuffix("_tsc")] = value
    return figures


def cmd_bench(args):
    """Instruction counts, ours and upstream side by side, same config."""
    arch = arches.load(_list(args.arch)[0])
    impls = _list(args.impl)
    table = {}
    for impl in impls:
        modules = _prepare(arch, impl, [BENCH_PATCH, *args.extra_patch])
        for run in range(args.runs):
            _, text = _run_boot(arch, impl, plans.BENCH_BOOT, modules, False,
                                f"-{run}", with_text=True)
            for name, value in _bench_figures(text).items():
                table.setdefault(name, {}).setdefault(impl, []).append(value)
    print(f"instructions (QEMU -icount shift=0), {arch.ARCH}, "
          f"median of {args.runs} boots, base {base.base_version()}")
    print(f"{'measure':<22}" + "".join(f"{impl:>14}" for impl in impls))
    for name, per_impl in table.items():
        cells = []
        for impl in impls:
            values = sorted(per_impl.get(impl, []))
            cells.append(f"{values[len(values) // 2]:>14.2f}" if values
                         else f"{'-':>14}")
        print(f"{name:<22}" + "".join(cells))
    return 0


def main():
    p = argparse.ArgumentParser(prog="scbench")
    p.add_argument("command",
                   choices=["compose", "build", "boot", "check", "trap",
                            "bench"])
    p.add_argument("--arch", default=os.environ.get("ARCH"))
    p.add_argument("--impl", default=os.environ.get("IMPL") or "ours")
    p.add_argument("--boots", default=None,
                   help="boots to run (default: functional for boot, "
                        "all for check)")
    p.add_argument("--extra-patch", action="append",
                   default=_list(os.environ.get("SCBENCH_EXTRA_PATCHES", "")),
                   help="apply this patch last (e.g. a deliberate breakage)")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--threads", default="multi")
    args = p.parse_args()
    args.impl_given = bool(os.environ.get("IMPL") or "--impl" in sys.argv)
    if args.command in ("check", "bench") and not args.impl_given:
        args.impl = "ours,upstream"
    if not args.arch:
        args.arch = DEFAULT_ARCHES if args.command == "check" else "x86_64"
    if args.boots is None and args.command == "boot":
        args.boots = "functional"
    if args.command == "compose":
        return cmd_compose(args)
    if args.command == "build":
        return cmd_build(args)
    if args.command == "trap":
        return cmd_trap(args)
    if args.command == "bench":
        if args.runs == 10:
            args.runs = 3
        return cmd_bench(args)
    return cmd_run(args, echo=args.command == "boot")


if __name__ == "__main__":
    sys.exit(main())
