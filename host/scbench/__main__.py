"""Command line: python3 -m scbench <command> [options] (host/README.md).

Each command has only its own options.  --arch, --profile and --impl
take comma-separated lists; ARCH, PROFILE and IMPL in the environment
(the Makefile passes them) are their defaults.
"""
import argparse
import os
import sys

from . import arches, bench, commands, compose, plans


def _list(value):
    return [v for v in value.split(",") if v]


def _env(name):
    """A list option's default from the environment, None if unset."""
    return _list(os.environ[name]) if os.environ.get(name) else None


def _impls(value):
    impls = _list(value)
    for impl in impls:
        if impl not in compose.IMPLS:
            raise argparse.ArgumentTypeError(
                f"unknown implementation {impl!r}: one of "
                + ", ".join(compose.IMPLS))
    return impls


def _boots(value):
    boots = _list(value)
    for boot in boots:
        if boot not in plans.BOOTS:
            raise argparse.ArgumentTypeError(
                f"unknown boot {boot!r}: one of " + ", ".join(plans.BOOTS))
    return boots


def _every_record(records):
    left_out = [r.key for r in arches.ALL if r not in records]
    return "every record" + (" but " + ", ".join(left_out)
                             + ", unless named" if left_out else "")


def _targets(p, every=None):
    """--arch and --profile.  every: the records to run with neither
    (arches.CHECKED for `check`, arches.ALL for `check-all`); None: the
    command runs x86_64 by default."""
    p.add_argument("--arch", type=_list, default=_env("ARCH"),
                   help="architectures (" + ", ".join(arches.NAMES) + ") "
                   "or record names such as x86_64_big (default: "
                   + (_every_record(every) if every else "x86_64") + ")")
    p.add_argument("--profile", type=_list, default=_env("PROFILE"),
                   help="configuration profiles (" + ", ".join(
                       arches.PROFILES) + "; default: default)")
    p.set_defaults(every_record=every)


def _impl(p, default, note=""):
    p.add_argument("--impl", type=_impls, default=_env("IMPL"),
                   help=f"ours, upstream or both (default: {default}{note})")
    p.set_defaults(impl_default=_list(default))


def _extra_patch(p):
    p.add_argument("--extra-patch", action="append", metavar="FILE",
                   default=_list(os.environ.get("SCBENCH_EXTRA_PATCHES", "")),
                   help="apply this patch last, e.g. a deliberate breakage "
                   "from host/breakage/ (also SCBENCH_EXTRA_PATCHES)")


def _runs(p, default):
    p.add_argument("--runs", type=int, default=default,
                   help=f"how many boots (default: {default})")


def _command(sub, name, func, text):
    p = sub.add_parser(name, help=text, description=text)
    p.set_defaults(func=func)
    return p


def _kernel_commands(sub):
    p = _command(sub, "compose", commands.cmd_compose,
                 "bring the composed tree(s) up to date")
    _impl(p, "ours")
    _extra_patch(p)
    p = _command(sub, "build", commands.cmd_build, "compose and build")
    _targets(p)
    _impl(p, "ours")
    _extra_patch(p)
    p = _command(sub, "boot", commands.cmd_boot,
                 "compose, build, boot the functional plan, console shown")
    _targets(p)
    _impl(p, "ours")
    _extra_patch(p)
    p.add_argument("--boots", type=_boots, default=["functional"],
                   help="boots to run (default: functional)")
    p = _command(sub, "check", commands.cmd_check,
                 "host tests, then every build and boot; ends with "
                 "`N passed, N failed`")
    _check_options(p, arches.CHECKED, ", upstream where the record asks "
                   "for it", "each record's")
    p = _command(sub, "check-all", commands.cmd_check,
                 "check, and what CI leaves out: every record, upstream "
                 "on each, each record's slow boots too")
    _check_options(p, arches.ALL, ", upstream on every record that boots "
                   "a kernel of its own", "each record's, and its "
                   "check-all boots")
    p.set_defaults(everything=True)


def _check_options(p, records, upstream, boots):
    _targets(p, records)
    _impl(p, "ours,upstream", upstream)
    _extra_patch(p)
    p.add_argument("--boots", type=_boots,
                   help=f"boots to run (default: {boots})")
    p.add_argument("--host-only", action="store_true",
                   help="only the host tooling's unit tests: no kernel")


def _repeated_commands(sub):
    p = _command(sub, "repeat", commands.cmd_repeat,
                 "boot the existing build N times, composing and building "
                 "nothing but the initramfs: count the flakes "
                 "(SCBENCH_TCG=multi: under multi-threaded TCG)")
    _targets(p)
    _impl(p, "ours")
    p.add_argument("--boot", choices=list(plans.BOOTS), default="functional",
                   help="which boot (default: functional)")
    _runs(p, 10)
    p = _command(sub, "trap", commands.cmd_trap,
                 "repeat the race boot under a chosen TCG mode, count "
                 "crashes")
    _targets(p)
    _impl(p, "ours")
    _extra_patch(p)
    p.add_argument("--threads", choices=["multi", "single"], default="multi",
                   help="QEMU TCG threads (default: multi)")
    _runs(p, 10)
    p = _command(sub, "bench", bench.cmd_bench,
                 "instruction counts of ours and upstream, same config")
    _targets(p)
    _impl(p, "ours,upstream")
    _extra_patch(p)
    _runs(p, 3)


def _log_commands(sub):
    p = _command(sub, "parse", commands.cmd_parse,
                 "judge a saved console log again")
    p.add_argument("log", help="a console log, e.g. from "
                   "~/.cache/scbench/results")
    p.add_argument("--arch", help="architecture or record name (default: "
                   "from the file name, <stamp>-<arch>-<impl>-<boot>"
                   "[-tag].log)")
    p.add_argument("--profile", choices=arches.PROFILES,
                   help="with --arch (default: default)")
    p.add_argument("--impl", choices=compose.IMPLS,
                   help="(default: from the file name)")
    p.add_argument("--boot", help="(default: from the file name)")
    p.add_argument("--config", help="the build's .config, or just its "
                   "CONFIG_ lines the plans read (default: the .config of "
                   "that build in the cache, as it is now)")
    _command(sub, "packages", commands.cmd_packages,
             "print what apt must install, one package a line")


def _series_commands(sub):
    p = _command(sub, "series", commands.cmd_series,
                 "write the patch series and run checkpatch on it")
    _series_out(p)
    p = _command(sub, "series-check", commands.cmd_series_check,
                 "apply, build and checkpatch the series patch by patch")
    _series_out(p)
    p.add_argument("--no-build", action="store_true",
                   help="apply and checkpatch only")


def _series_out(p):
    p.add_argument("--out", metavar="DIR",
                   help="where the patches go (default: out/series)")


def parser():
    p = argparse.ArgumentParser(prog="scbench", description=__doc__.split(
        "\n")[0].removeprefix("Command line: "))
    sub = p.add_subparsers(dest="command", required=True, metavar="command")
    _kernel_commands(sub)
    _repeated_commands(sub)
    _log_commands(sub)
    _series_commands(sub)
    return p


def resolve(args):
    """args.arches (Arch records) and args.impls from the options."""
    if "every_record" in args:
        if args.every_record and not args.arch and not args.profile:
            args.arches = list(args.every_record)
        else:
            names = args.arch or (arches.NAMES if args.every_record
                                  else ["x86_64"])
            args.arches = arches.select(names, args.profile or ["default"])
    if "impl_default" in args:
        args.impls = args.impl or args.impl_default
    return args


def main(argv=None):
    args = resolve(parser().parse_args(argv))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
