"""What each command does, once the command line is read (__main__.py).

Every function takes the parsed arguments, with args.arches (Arch
records) and args.impls resolved, and returns the exit status.
"""
import dataclasses
import importlib
from pathlib import Path

from . import arches, base, compose, console, kbuild, paths, plans, report
from . import runner
from .hosttests import docs, unit
from .util import log


def summary(outcomes, with_base=True):
    """Print each outcome, then the `N passed, N failed` line."""
    for o in outcomes:
        print(f"{o.label}: {o.passed} passed, {o.failed} failed")
        for line in o.lines:
            print(line)
    passed = sum(o.passed for o in outcomes)
    failed = sum(o.failed for o in outcomes)
    if with_base:
        print(f"base: linux-source-6.12 {base.base_version()}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not outcomes else 0


def cmd_compose(args):
    for impl in args.impls:
        print(compose.compose(impl, args.extra_patch))
    return 0


def cmd_build(args):
    for arch in args.arches:
        for impl in args.impls:
            compose.compose(impl, args.extra_patch)
            kbuild.build(arch, impl)
    return 0


def _everything(args):
    """Whether this is `check-all`: upstream and boots beyond `check`'s."""
    return getattr(args, "everything", False)


def _upstream_kernel(arch):
    """What upstream's build of @arch is made of: records alike in it
    build one kernel (upstream has no arm64 variants of its own)."""
    return (arch.kernel_arch, arch.base_config, arch.compiler, arch.image,
            tuple(kbuild.fragment_names(arch, "upstream")), arch.qemu_args)


def _upstream_elsewhere(arch, chosen):
    """An earlier record of @chosen whose upstream build is @arch's own
    and boots at least what @arch would: upstream's run of @arch would
    boot that kernel again (arm64_ool and arm64_generic: arm64's)."""
    for other in chosen[:chosen.index(arch)]:
        if _upstream_kernel(other) == _upstream_kernel(arch) and \
                set(arch.boots_for(True)) <= set(other.boots_for(True)):
            return other
    return None


def _wants_upstream(args, arch):
    """Upstream's oracle runs where IMPL asked for it, where the record
    asks for it in `check`, and in `check-all` on every booted record but
    those whose upstream kernel another record of the run boots."""
    if args.impl is not None:
        return True
    if _everything(args):
        return _upstream_elsewhere(arch, args.arches) is None
    return arch.upstream_in_check


def _pairs(args):
    """The (arch, impl) pairs a boot or check covers."""
    for arch in args.arches:
        for impl in args.impls:
            if arch.build_only and impl != "ours":
                continue        # the build matrix checks our implementation
            if impl == "upstream" and not _wants_upstream(args, arch):
                continue        # another record's upstream run covers it
            yield arch, impl


def _kernel_outcomes(args, echo):
    """Build each pair, then boot what it should; one outcome each."""
    for arch, impl in _pairs(args):
        built, modules = runner.build_outcome(arch, impl, args.extra_patch)
        yield built
        if modules is None or arch.build_only:
            continue
        config = kbuild.built_config(arch, impl)
        for name in args.boots or arch.boots_for(_everything(args)):
            boot = plans.BOOTS[name]
            if not boot.runs_on(config):
                log(f"{arch.key}/{impl}: no {boot.name} boot, the build "
                    f"lacks {boot.requires}")
                continue
            yield runner.run_boot(arch, impl, boot, modules, echo)[0]


def cmd_boot(args):
    return summary(list(_kernel_outcomes(args, echo=True)))


def cmd_check(args):
    """The host tests first (a parser bug would fail every boot), then
    every build and boot.  `check-all` too, with args.everything: every
    record, upstream on each, and the boots too slow for CI."""
    outcomes = [unit.run()]
    if args.host_only:
        return summary(outcomes, with_base=False)
    if "ours" in args.impls:
        outcomes.append(docs.run(args.extra_patch))
    return summary(outcomes + list(_kernel_outcomes(args, echo=False)))


def _one(args):
    """The single (arch, impl) a repeated command runs on."""
    if len(args.arches) != 1 or len(args.impls) != 1:
        raise SystemExit(f"{args.command} runs one architecture and one "
                         "implementation at a time")
    return runner.bootable(args.arches[0]), args.impls[0]


def _boots(arch, impl, boot, modules, runs, tag):
    """Boot @runs times: (run, outcome, console text) of each."""
    for run in range(runs):
        outcome, text = runner.run_boot(arch, impl, boot, modules, False,
                                        f"-{tag}{run}")
        yield run, outcome, text


def cmd_repeat(args):
    """Boot the build that is there again and again: count the flakes.

    Nothing is composed or built (the initramfs is, with its /init), so
    every boot runs the same kernel.
    """
    arch, impl = _one(args)
    boot = plans.BOOTS[args.boot]
    modules = runner.existing_build(arch, impl)
    if not boot.runs_on(kbuild.built_config(arch, impl)):
        raise SystemExit(f"{arch.key}/{impl} has no {boot.name} boot: the "
                         f"build lacks {boot.requires}")
    failed = 0
    for run, outcome, _ in _boots(arch, impl, boot, modules, args.runs,
                                  "repeat"):
        failed += bool(outcome.failed)
        print(f"run {run}: {'FAILED' if outcome.failed else 'passed'} "
              f"({outcome.passed} passed, {outcome.failed} failed)",
              flush=True)
        if outcome.failed:
            print("\n".join(outcome.lines), flush=True)
    print(f"{arch.key}/{impl}/{boot.name}, same kernel, tcg "
          f"thread={boot.threads}, {args.runs} boots:")
    print(f"{args.runs - failed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_trap(args):
    """Repeat the race boot under a chosen TCG mode and count crashes."""
    arch, impl = _one(args)
    modules = runner.prepare(arch, impl, args.extra_patch)
    boot = dataclasses.replace(plans.RACE_BOOT, threads=args.threads)
    failed = 0
    for run, outcome, text in _boots(arch, impl, boot, modules, args.runs,
                                     "trap"):
        failed += bool(outcome.failed)
        print(f"run {run}: {'FAILED' if outcome.failed else 'clean'}"
              + "".join(f"; {t}" for t in console.int3_traps(text)))
    print(f"{arch.key}/{impl} race suite, tcg thread={args.threads}: "
          f"{failed} of {args.runs} runs failed")
    return 0


# What `parse` may be told a log is of: every test boot, and the bench's.
PARSE_BOOTS = {**plans.BOOTS, plans.BENCH_BOOT.name: plans.BENCH_BOOT}


def _log_config(arch, impl, path):
    """The .config to judge a log with: the one given, else the build's."""
    if path is None:
        path = paths.build_dir(impl, arch.key) / ".config"
        if not path.exists():
            raise SystemExit(f"no {path}: pass --config (a .config, or only "
                             "the CONFIG_ lines the plans read)")
        log(f"judging with {path} (the build as it is now)")
    return kbuild.parse_config(Path(path).read_text(errors="replace"))


def _log_arch(args, named):
    if args.arch:
        return arches.select([args.arch], [args.profile or "default"])[0]
    return arches.find(named["arch"])


def _log_facts(args):
    """(arch, impl, boot) of a log: the options, else its file name."""
    named = runner.parse_log_name(Path(args.log).name)
    impl = args.impl or named.get("impl")
    boot = args.boot or named.get("boot")
    if not ((args.arch or named) and impl and boot):
        raise SystemExit(f"{args.log}: not named <stamp>-<arch>-<impl>-"
                         "<boot>[-tag].log: pass --arch, --impl and --boot")
    if boot not in PARSE_BOOTS:
        raise SystemExit(f"unknown boot {boot!r}: one of "
                         + ", ".join(PARSE_BOOTS))
    return _log_arch(args, named), impl, PARSE_BOOTS[boot]


def cmd_parse(args):
    """Judge a saved console log again, as the boot that wrote it did.

    Whether QEMU timed out is not in the log; a boot that did shows no
    "plan complete" either, unless it hung after its plan.
    """
    arch, impl, boot = _log_facts(args)
    config = _log_config(arch, impl, args.config)
    text = Path(args.log).read_text(errors="replace")
    outcome = report.judge(f"{arch.key}/{impl}/{boot.name}", boot, config,
                           text, timed_out=False)
    return summary([outcome], with_base=False)


def cmd_packages(args):
    print("\n".join(arches.packages()))
    return 0


def _series():
    """scbench.series, which is optional: a clear error if absent."""
    try:
        return importlib.import_module(f"{__package__}.series")
    except ModuleNotFoundError as e:
        if e.name != f"{__package__}.series":
            raise
        raise SystemExit("scbench.series is not there "
                         "(host/scbench/series.py): no series commands")


def cmd_series(args):
    return _series().make_series(args)


def cmd_series_check(args):
    return _series().series_check(args)
