"""`bench`: instruction counts, ours and upstream side by side.

Not a test: each implementation boots the bench plan (plans.BENCH_BOOT)
under QEMU's -icount shift=0, where a guest nanosecond is one executed
instruction, and the table shows the median of the runs.

A default record brings along the records of its architecture whose
profile configures only ours another way (COMPANION_PROFILES): `bench
--arch arm64` boots ours inline (arm64), ours out of line (arm64_ool)
and upstream, in columns ours, ours-ool and upstream.
"""
import re

from . import arches, base, paths, plans, runner

_BENCH = paths.REPO / "host" / "bench"
# Bench-only patches.  Every architecture builds from the one composed
# tree, so each patch applies everywhere and prints only where it means
# something: static_call_init() timed in x86's setup_arch(), or else in
# start_kernel(); and the share of it spent sorting vmlinux's site table
# (ours; upstream sorts inside it too).
_INIT = [_BENCH / "x86-time-static-call-init.patch",
         _BENCH / "time-static-call-init-in-start-kernel.patch"]
BENCH_PATCHES = {
    "ours": [*_INIT, _BENCH / "ours-time-static-call-sort.patch"],
    "upstream": _INIT,
}
# Profiles a bench of the default record boots too, ours only: they
# differ from it in how ours is configured, not in the kernel around it.
COMPANION_PROFILES = ("ool",)
# "static_call_bench: <measure> <value> <unit> [more words]", from the
# bench modules and from the bench patches' lines at boot.
FIGURE = re.compile(r"\bstatic_call_bench: (\w+) (\d+) (\S+)")
# The rate of the counter that get_cycles() reads: the TSC, arm64's timer.
CLOCK_MHZ = re.compile(r"(?:tsc: Detected |arch_timer: .*timer\(s\) "
                       r"running at )([\d.]+) ?MHz")


def figures(text):
    """{name: instructions} from one bench boot's console."""
    found = {}
    mhz = CLOCK_MHZ.search(text)
    for name, value, unit in FIGURE.findall(text):
        value = int(value)
        if unit.startswith("insn/100"):
            value = value / 100
        elif unit == "cycles" and mhz:
            # The counter runs at its nominal rate of the virtual clock.
            value = value * 1000 / float(mhz.group(1))
        found[name] = value
    return found


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


def with_companions(chosen):
    """The records to boot: the chosen ones, each default record followed
    by its bootable companions."""
    found = []
    for record in chosen:
        found.append(record)
        if record.profile == "default":
            found += [r for r in arches.ALL if r.name == record.name
                      and r.profile in COMPANION_PROFILES and r.boots]
    return list(dict.fromkeys(found))


def columns(records, impls):
    """[(label, record, impl)]: each implementation on each record, but
    upstream once per kernel: records that differ only in ours' own
    fragments (ours_configs) give upstream the same build."""
    upstream_kernels = set()
    cols = []
    for impl in impls:
        for record in records:
            if impl == "upstream":
                kernel = (record.name, record.base_config, record.configs)
                if kernel in upstream_kernels:
                    continue
                upstream_kernels.add(kernel)
            label = impl if record.profile == "default" \
                else f"{impl}-{record.profile}"
            cols.append((label, record, impl))
    return cols


def _collect(cols, runs, extra):
    """{measure: {label: [value of each run]}}."""
    table = {}
    for label, record, impl in cols:
        modules = runner.prepare(record, impl, [*BENCH_PATCHES[impl], *extra])
        for run in range(runs):
            _, text = runner.run_boot(record, impl, plans.BENCH_BOOT, modules,
                                      False, f"-{run}")
            for name, value in figures(text).items():
                table.setdefault(name, {}).setdefault(label, []).append(value)
    return table


def render(table, labels, title):
    """The table's lines: a title, a header, one line per measure."""
    lines = [title, f"{'measure':<22}" + "".join(f"{label:>14}"
                                                 for label in labels)]
    for name, per_label in table.items():
        cells = [median(per_label.get(label, [])) for label in labels]
        lines.append(f"{name:<22}" + "".join(
            f"{'-':>14}" if c is None else f"{c:>14.2f}" for c in cells))
    return lines


def cmd_bench(args):
    """Print the median of args.runs boots of each column."""
    records = [runner.bootable(r) for r in with_companions(args.arches)]
    if len({r.name for r in records}) != 1:
        raise SystemExit("bench runs one architecture at a time")
    cols = columns(records, args.impls)
    table = _collect(cols, args.runs, args.extra_patch)
    lines = render(table, [label for label, _, _ in cols],
                   "instructions (QEMU -icount shift=0), "
                   f"{', '.join(r.key for r in records)}, "
                   f"median of {args.runs} boots, base {base.base_version()}")
    print("\n".join(lines))
    # The series' cover letter quotes the latest table.
    paths.RESULTS.mkdir(parents=True, exist_ok=True)
    (paths.RESULTS / f"bench-{records[0].key}.txt").write_text(
        "\n".join(lines) + "\n")
    return 0
