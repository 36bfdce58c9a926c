"""Configure and build a composed tree out of tree, with ccache."""
import os
import re
import subprocess
import sys

from . import paths
from .util import log, run, Timer

CONFIG_DIR = paths.REPO / "host" / "configs"
FRAGMENT = "scbench.config"
_LINE = re.compile(r"^(CONFIG_\w+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_\w+) is not set$")


def make_env():
    env = dict(os.environ)
    env.update(CCACHE_DIR=str(paths.CCACHE_DIR),
               CCACHE_BASEDIR=str(paths.CACHE),
               CCACHE_NOHASHDIR="1",
               CCACHE_MAXSIZE="8G",
               # Fixed build identity: identical objects for identical
               # sources, so ccache hits across rebuilds and trees.
               KBUILD_BUILD_TIMESTAMP="2024-11-17",
               KBUILD_BUILD_USER="scbench",
               KBUILD_BUILD_HOST="scbench",
               KBUILD_BUILD_VERSION="1")
    return env


def make_args(arch, impl):
    cross = arch.cross_compile
    # clang takes its --target from CROSS_COMPILE; binutils stay GNU.
    compiler = arch.compiler or f"{cross}gcc"
    return ["make", "-C", paths.src_dir(impl),
            f"O={paths.build_dir(impl, arch.key)}",
            f"ARCH={arch.kernel_arch}", f"CROSS_COMPILE={cross}",
            f"CC=ccache {compiler}", "HOSTCC=ccache gcc",
            f"-j{os.cpu_count()}"]


def parse_config(text):
    """A .config (or a fragment) as {symbol: value}, "n" for unset."""
    values = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            values[m.group(1)] = m.group(2)
        m = _UNSET.match(line)
        if m:
            values[m.group(1)] = "n"
    return values


def fragment_names(arch, impl):
    """The record's fragments, then impl-<impl>-<kernel ARCH>.config,
    then (ours) the record's own ours-only fragments.

    Symbols only one implementation declares live in the last two: the
    other's build would report them lost.
    """
    names = list(arch.configs)
    extra = f"impl-{impl}-{arch.kernel_arch}.config"
    # Build-only configurations are exactly what their fragments say.
    if (CONFIG_DIR / extra).exists() and not arch.build_only:
        names.append(extra)
    if impl == "ours":
        names += arch.ours_configs
    return names


def _fragments(arch, impl):
    return "".join((CONFIG_DIR / name).read_text()
                   for name in fragment_names(arch, impl))


def configure(arch, impl):
    """allnoconfig plus our fragments; refuse a config that lost any."""
    build = paths.build_dir(impl, arch.key)
    build.mkdir(parents=True, exist_ok=True)
    fragment = _fragments(arch, impl)
    frag_file = build / FRAGMENT
    if (build / ".config").exists() and frag_file.exists() and \
            frag_file.read_text() == fragment:
        target = "olddefconfig"
    else:
        frag_file.write_text(fragment)
        target = arch.base_config
    run(make_args(arch, impl) + [f"KCONFIG_ALLCONFIG={frag_file}", target],
        env=make_env(), stdout=open(os.devnull, "w"))
    have = parse_config((build / ".config").read_text())
    missing = [f"{k}={v} (got {have.get(k, 'n')})"
               for k, v in parse_config(fragment).items()
               if have.get(k, "n") != v]
    if missing:
        raise SystemExit(f"{arch.key}/{impl}: config lost: "
                         + ", ".join(missing))


BUILD_LOG = "scbench-build.log"


def _targets(arch, impl):
    targets = [os.path.basename(arch.image)]
    if built_config(arch, impl).get("CONFIG_MODULES") == "y":
        targets.append("modules")
    return targets


def build(arch, impl, targets=None):
    """Build the image (and modules, where enabled); keep the output.

    The output is shown as it comes and kept in the build directory's
    scbench-build.log, for build_warnings().
    """
    configure(arch, impl)
    cmd = make_args(arch, impl) + (targets or _targets(arch, impl))
    logfile = paths.build_dir(impl, arch.key) / BUILD_LOG
    log("$ " + " ".join(str(c) for c in cmd))
    with Timer(f"build {arch.key}/{impl}"), open(logfile, "w") as keep:
        proc = subprocess.Popen([str(c) for c in cmd], env=make_env(),
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            sys.stdout.write(line)
            keep.write(line)
        if proc.wait():
            raise subprocess.CalledProcessError(proc.returncode, cmd)
    return paths.build_dir(impl, arch.key)


# Lines of a build's output that speak of static calls and a problem:
# compiler and objtool warnings in our files, and objtool's check that
# its copy of static_call_types.h matches the kernel's.
_OUR_WARNING = re.compile(r"(?i)(warning|error).*static_call|"
                          r"static_call.*(warning|error)|"
                          r"differs from latest version")


def build_warnings(arch, impl):
    logfile = paths.build_dir(impl, arch.key) / BUILD_LOG
    if not logfile.exists():
        return []
    return [line.strip() for line in logfile.read_text().splitlines()
            if _OUR_WARNING.search(line)]


def nonzero_at_boot(arch, impl, symbols):
    """Of @symbols, those vmlinux does not start with as zero (.bss)."""
    vmlinux = paths.build_dir(impl, arch.key) / "vmlinux"
    nm = subprocess.run([f"{arch.cross_compile}nm", str(vmlinux)],
                        check=True, text=True, stdout=subprocess.PIPE).stdout
    kinds = {}
    for line in nm.splitlines():
        words = line.split()
        if len(words) == 3:
            kinds[words[2]] = words[1]
    return [f"{sym} ({'missing' if sym not in kinds else 'in ' + kinds[sym]})"
            for sym in symbols if kinds.get(sym) not in ("b", "B")]


def built_config(arch, impl):
    """The .config of a build, as {symbol: value}."""
    build = paths.build_dir(impl, arch.key)
    return parse_config((build / ".config").read_text())


# The conformance suite's modules, and the white-box ones of an arch.
TEST_MODULE_GLOBS = ("lib/static_call_*.ko", "kernel/static_call_*.ko",
                     "arch/*/kernel/static_call_*.ko")


def test_modules(arch, impl):
    build = paths.build_dir(impl, arch.key)
    return {p.stem: p for pattern in TEST_MODULE_GLOBS
            for p in build.glob(pattern)}
