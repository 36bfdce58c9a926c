"""Each architecture's facts as data: one file per architecture.

A file here (x86_64.py, arm64.py, ...) holds RECORDS, one Arch record per
configuration profile it is built in.  A profile is a configuration, not
an architecture: `--arch x86_64 --profile big` is x86_64 with the real
users of static calls built in, `--profile tiny` a tinyconfig build,
`--arch arm64 --profile ool` arm64 with out-of-line static calls.
Adding an architecture means adding a file, not editing branches.
"""
import importlib
import pkgutil
from dataclasses import dataclass

# The order profiles run in; "default" is an architecture's own config.
# debug (the kernel's checkers, configs/debug.config) comes last: its
# builds and boots are the slowest, and a plain configuration that fails
# says so sooner.
PROFILES = ("default", "big", "ool", "generic", "tiny", "debug")

# The debug profile's boots.  `check` (CI) runs on x86_64_debug the
# functional plan and the one that gives the checkers the most to see for
# its time (arm64_debug only in check-all; arches/arm64.py): every
# allocation of a module load failed in turn (faults: only these kernels
# can inject failures), with some 200 loads that survive their fault and
# 5 more, a slab comparison and kmemleak around them, so that a leak on
# the failure paths and on the path that loads shows.  Under KASAN,
# lockdep and kmemleak a boot runs several times slower, so `check-all`
# alone adds the long ones: 100 and 1000 load/update/unload cycles with
# an updater on the other CPU (churn_short, 129 s on x86_64_debug, and
# churn: what only piles up, such as lockdep's chains or kmemleak's
# pool), the race suite (which the plain records run in CI) and the
# stress boot (4 vCPUs).
DEBUG_BOOTS = ("functional", "faults")
DEBUG_ALL_BOOTS = ("churn_short", "race", "churn", "stress")
# Lockdep, KASAN (outline), kmemleak and the object debugging slow a boot
# under TCG by about 3-5 times: each boot's timeout is multiplied by this.
DEBUG_SLOW = 5.0
# KASAN's shadow takes an eighth of the memory, kmemleak and lockdep keep
# metadata for every object and lock: twice the plain records' 512M.
DEBUG_MEMORY = "1G"

# What the tooling itself needs, whatever it builds.
BASE_PACKAGES = ("make", "gcc", "libc6-dev", "flex", "bison", "bc",
                 "libelf-dev", "libssl-dev", "cpio", "ccache", "python3",
                 "git", "xz-utils",
                 # host/docs-check.sh renders our documentation
                 "python3-sphinx")


@dataclass(frozen=True)
class Arch:
    """One architecture in one configuration profile."""
    name: str                   # --arch
    profile: str                # --profile
    kernel_arch: str            # the kernel's ARCH=
    cross_compile: str          # CROSS_COMPILE= of the kernel build
    image: str                  # what to build, relative to the build dir
    configs: tuple              # fragments under host/configs, in order
    packages: tuple             # what apt must install for this record
    base_config: str = "allnoconfig"
    # Fragments only our implementation's build takes, after
    # impl-ours-<kernel ARCH>.config: symbols upstream lacks, which its
    # build would report lost.
    ours_configs: tuple = ()
    compiler: str = None        # CC= of the kernel, if not <cross>gcc
    boots: tuple = ()           # none: a build-only configuration
    # Boots only `check-all` adds to `boots` (too slow for CI).
    all_boots: tuple = ()
    qemu: str = None            # QEMU binary, for records that boot
    qemu_args: tuple = ()
    console: str = None         # serial console device
    init_cross_compile: str = None  # for /init, if not cross_compile
    zero_at_boot: tuple = ()    # symbols vmlinux must start as zero (ours)
    # How much slower than a plain kernel this one boots: each boot's
    # timeout is multiplied by it (debug kernels: DEBUG_SLOW).
    slow: float = 1.0
    # `check` without IMPL runs upstream's oracle here too; records whose
    # upstream run another record covers leave it out (a cold build each).
    upstream_in_check: bool = True
    # `check` with neither ARCH nor PROFILE builds this record at all;
    # False: only when ARCH or PROFILE names it.
    in_check: bool = True

    @property
    def key(self):
        """The record's one-word name: build-<key>, logs, labels."""
        return self.name if self.profile == "default" \
            else f"{self.name}_{self.profile}"

    @property
    def build_only(self):
        return not self.boots

    def boots_for(self, everything):
        """The boots `check` runs, and with @everything (`check-all`)
        those it adds."""
        return self.boots + (self.all_boots if everything else ())

    @property
    def init_compiler(self):
        return f"{self.init_cross_compile or self.cross_compile}gcc"


def _load_all():
    records = []
    for module in pkgutil.iter_modules(__path__):
        records += importlib.import_module(f"{__name__}.{module.name}").RECORDS
    return sorted(records, key=lambda r: (PROFILES.index(r.profile), r.name))


ALL = _load_all()
NAMES = sorted({r.name for r in ALL})
# What `check` runs when neither ARCH nor PROFILE narrows it.
CHECKED = [r for r in ALL if r.in_check]


def find(key):
    """The record named by its key (x86_64_big), as log names spell it."""
    for record in ALL:
        if record.key == key:
            return record
    raise SystemExit(f"unknown architecture {key!r}: one of "
                     + ", ".join(r.key for r in ALL))


def select(names, profiles):
    """Records of the named architectures in the named profiles.

    A name may also be a record's key (x86_64_big), which selects that
    record whatever the profiles.
    """
    for profile in profiles:
        if profile not in PROFILES:
            raise SystemExit(f"unknown profile {profile!r}: one of "
                             + ", ".join(PROFILES))
    keys = {r.key for r in ALL}
    for name in names:
        if name not in NAMES and name not in keys:
            raise SystemExit(f"unknown architecture {name!r}: one of "
                             + ", ".join(NAMES))
    chosen = [r for r in ALL if (r.name in names and r.profile in profiles)
              or (r.profile != "default" and r.key in names)]
    if not chosen:
        raise SystemExit(f"no configuration {'/'.join(names)} in profile "
                         f"{'/'.join(profiles)}: there are "
                         + ", ".join(r.key for r in ALL))
    return chosen


def packages():
    """Every package the tooling and the records need, once each."""
    wanted = list(BASE_PACKAGES)
    for record in ALL:
        wanted += [p for p in record.packages if p not in wanted]
    return wanted
