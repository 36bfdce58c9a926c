"""Bring one architecture and implementation to a built kernel, boot it.

The commands (commands.py, bench.py) are sequences of these steps.
"""
import dataclasses
import importlib
import re
import subprocess
import time

from . import compose, initramfs, kbuild, paths, qemu, report
from .util import log, Timer


def prepare(arch, impl, extra):
    """Compose and build; return the test modules {name: path}."""
    with Timer(f"compose {impl}"):
        compose.compose(impl, extra)
    kbuild.build(arch, impl)
    return kbuild.test_modules(arch, impl)


def bootable(arch):
    """arch, if it boots at all: build-only records have no QEMU."""
    if arch.build_only:
        raise SystemExit(f"{arch.key} is built only, never booted")
    return arch


def existing_build(arch, impl):
    """The test modules of a build already there, composing nothing.

    For boots repeated on a kernel that must not change between them.
    """
    image = paths.build_dir(impl, arch.key) / arch.image
    if not image.exists():
        raise SystemExit(f"no {arch.key}/{impl} build ({image} is missing): "
                         f"build it first (host/run build --arch {arch.name} "
                         f"--profile {arch.profile} --impl {impl})")
    return kbuild.test_modules(arch, impl)


# Builds whose site table a build step makes from each object's
# relocations (arm64 inline): the table is checked against what objdump
# shows (sitecheck.py).
SITES_FROM_RELOCS = "CONFIG_STATIC_CALL_SITES_FROM_RELOCS"


def build_outcome(arch, impl, extra):
    """Compose and build; judge the build.  Returns (outcome, modules)."""
    out = report.Outcome(f"{arch.key}/{impl}/build")
    try:
        modules = prepare(arch, impl, extra)
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
    if arch.zero_at_boot and impl == "ours":
        bad = kbuild.nonzero_at_boot(arch, impl, arch.zero_at_boot)
        out.check(not bad, f"not zero before boot: {', '.join(bad)}")
    if kbuild.built_config(arch, impl).get(SITES_FROM_RELOCS) == "y":
        out.check(*site_check(arch, impl))
    return out, modules


def _sitecheck():
    """scbench.sitecheck, None if that file is not there."""
    name = f"{__package__}.sitecheck"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        return None


def site_check(arch, impl):
    """(ok, what) of the cross-check of a build's site table."""
    sitecheck = _sitecheck()
    if sitecheck is None:
        return False, ("site table not checked: host/scbench/sitecheck.py "
                       "is missing")
    build = paths.build_dir(impl, arch.key)
    try:
        sites, problems = sitecheck.check_build(build, arch.cross_compile)
    except (OSError, subprocess.CalledProcessError) as e:
        return False, f"site table not checked: {e}"
    if not problems:
        log(f"{arch.key}/{impl}: site table agrees with objdump "
            f"({sites} sites)")
        return True, "site table agrees with objdump"
    return False, (f"site table does not agree with objdump ({sites} sites)"
                   + report.diagnostics(problems))


def cmdline(arch, boot):
    """The kernel command line of one boot."""
    words = [f"console={arch.console}", "panic=-1", "oops=panic",
             # /init writes its markers to /dev/kmsg: never rate limited.
             "printk.devkmsg=on", *boot.cmdline]
    if boot.filter_glob:
        words.append(f"kunit.filter_glob={boot.filter_glob}")
    return " ".join(words)


def log_name(arch, impl, boot, tag=""):
    """<stamp>-<arch key>-<impl>-<boot><tag>.log, which `parse` reads."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{arch.key}-{impl}-{boot.name}{tag}.log"


_LOG_NAME = re.compile(r"\d{8}-\d{6}-(?P<arch>[^-]+)-(?P<impl>[^-]+)-"
                       r"(?P<boot>\w+)(-.*)?\.log")


def parse_log_name(name):
    """{arch, impl, boot} from a log's file name, {} if not ours."""
    m = _LOG_NAME.fullmatch(name)
    return {k: m.group(k) for k in ("arch", "impl", "boot")} if m else {}


def scaled(arch, boot):
    """@boot with its timeout stretched for a slow kernel (Arch.slow:
    debug kernels), so that the judgement names the timeout it had."""
    slow = getattr(arch, "slow", 1) or 1
    return dataclasses.replace(boot, timeout=round(boot.timeout * slow))


def run_boot(arch, impl, boot, modules, echo, tag=""):
    """Boot once and judge it; return (outcome, console text)."""
    boot = scaled(arch, boot)
    config = kbuild.built_config(arch, impl)
    cpio = initramfs.build_initramfs(arch, impl, boot, modules, config)
    paths.RESULTS.mkdir(parents=True, exist_ok=True)
    logfile = paths.RESULTS / log_name(arch, impl, boot, tag)
    image = paths.build_dir(impl, arch.key) / arch.image
    cmd = qemu.command(arch, image, cpio, cmdline(arch, boot),
                       boot.tcg_threads(arch), smp=boot.smp, extra=boot.qemu)
    with Timer(f"boot {arch.key}/{impl}/{boot.name}"):
        text, timed_out = qemu.boot(cmd, logfile, boot.timeout, echo)
    log(f"console log: {logfile}")
    outcome = report.judge(f"{arch.key}/{impl}/{boot.name}", boot, config,
                           text, timed_out)
    return outcome, text
