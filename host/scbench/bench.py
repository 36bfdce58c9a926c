"""`bench`: instruction counts, ours and upstream side by side.

Not a test: each implementation boots the bench plan (plans.BENCH_BOOT)
under QEMU's -icount shift=0, where a guest nanosecond is one executed
instruction, and the table shows the median of the runs.
"""
import re

from . import base, paths, plans, runner

_BENCH = paths.REPO / "host" / "bench"
# Bench-only patches: time static_call_init() (both), and the share of it
# spent sorting vmlinux's site table (ours; upstream sorts inside it too).
BENCH_PATCHES = {
    "ours": [_BENCH / "x86-time-static-call-init.patch",
             _BENCH / "ours-time-static-call-sort.patch"],
    "upstream": [_BENCH / "x86-time-static-call-init.patch"],
}
# "static_call_bench: <measure> <value> <unit> [more words]", from the
# bench modules and from the bench patches' lines at boot.
FIGURE = re.compile(r"\bstatic_call_bench: (\w+) (\d+) (\S+)")
TSC_MHZ = re.compile(r"tsc: Detected ([\d.]+) MHz")


def figures(text):
    """{name: instructions} from one bench boot's console."""
    found = {}
    mhz = TSC_MHZ.search(text)
    for name, value, unit in FIGURE.findall(text):
        value = int(value)
        if unit.startswith("insn/100"):
            value = value / 100
        elif unit == "cycles" and mhz:
            # The TSC runs at its nominal rate of the virtual clock.
            value = value * 1000 / float(mhz.group(1))
        found[name.removesuffix("_tsc")] = value
    return found


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


def _collect(arch, impls, runs, extra):
    """{measure: {impl: [value of each run]}}."""
    table = {}
    for impl in impls:
        modules = runner.prepare(arch, impl, [*BENCH_PATCHES[impl], *extra])
        for run in range(runs):
            _, text = runner.run_boot(arch, impl, plans.BENCH_BOOT, modules,
                                      False, f"-{run}")
            for name, value in figures(text).items():
                table.setdefault(name, {}).setdefault(impl, []).append(value)
    return table


def cmd_bench(args):
    """Print the median of args.runs boots of each implementation."""
    if len(args.arches) != 1:
        raise SystemExit("bench runs one architecture at a time")
    arch = runner.bootable(args.arches[0])
    table = _collect(arch, args.impls, args.runs, args.extra_patch)
    lines = [f"instructions (QEMU -icount shift=0), {arch.key}, "
             f"median of {args.runs} boots, base {base.base_version()}",
             f"{'measure':<22}" + "".join(f"{impl:>14}"
                                         for impl in args.impls)]
    for name, per_impl in table.items():
        cells = [median(per_impl.get(impl, [])) for impl in args.impls]
        lines.append(f"{name:<22}" + "".join(
            f"{'-':>14}" if c is None else f"{c:>14.2f}" for c in cells))
    print("\n".join(lines))
    # The series' cover letter quotes the latest table.
    paths.RESULTS.mkdir(parents=True, exist_ok=True)
    (paths.RESULTS / f"bench-{arch.key}.txt").write_text("\n".join(lines)
                                                         + "\n")
    return 0
