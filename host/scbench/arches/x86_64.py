"""x86_64: inline static calls (HAVE_STATIC_CALL_INLINE)."""
from . import DEBUG_ALL_BOOTS, DEBUG_BOOTS, DEBUG_MEMORY, DEBUG_SLOW, Arch

_X86_64 = dict(name="x86_64", kernel_arch="x86_64", cross_compile="")


def _qemu(memory):
    return dict(qemu="qemu-system-x86_64",
                qemu_args=("-M", "pc", "-cpu", "max", "-m", memory),
                console="ttyS0")


_QEMU = _qemu("512M")
_BOOTED = dict(image="arch/x86/boot/bzImage", packages=("qemu-system-x86",))

RECORDS = (
    Arch(**_X86_64, **_QEMU, **_BOOTED, profile="default",
         configs=("common.config", "x86_64.config"),
         boots=("functional", "race"),
         # big runs the same boots, and more, on a superset of this
         # configuration, ours and upstream's: a plain `check` leaves this
         # record (what `make boot` builds) out, to stay within CI's time.
         upstream_in_check=False, in_check=False),
    # The real users of static calls built in (see the config): trace
    # events switched on at boot update tracepoint static calls, each
    # preemption model retargets the preempt_schedule static calls, and
    # forced mitigations change what sites must hold.
    # Upstream's inline implementation runs here only when named
    # (IMPL=upstream): CI keeps one oracle, the generic variant on arm64,
    # and a cold build of this one is ten minutes of its eighty.
    Arch(**_X86_64, **_QEMU, **_BOOTED, profile="big",
         configs=("common.config", "x86_64.config", "x86_64_big.config"),
         boots=("functional", "race", "tracing", "preempt_none", "rethunk",
                "depth_tracking", "its", "stress"),
         upstream_in_check=False),
    # The kernel's checkers (configs/debug.config: lockdep, KASAN, UBSAN,
    # kmemleak, list and object debugging, fault injection) on the
    # default record's configuration, not big's: the real users would
    # add build and boot time, not static call paths the checkers see.
    # Upstream's run is a cold build more (IMPL=upstream runs it).
    Arch(**_X86_64, **_qemu(DEBUG_MEMORY), **_BOOTED, profile="debug",
         configs=("common.config", "x86_64.config", "debug.config"),
         ours_configs=("impl-ours-debug.config",),
         boots=DEBUG_BOOTS, all_boots=DEBUG_ALL_BOOTS, slow=DEBUG_SLOW,
         upstream_in_check=False),
    # Build only: modules and SMP off, inline static calls and the
    # mitigations that change what they write on.
    Arch(**_X86_64, profile="tiny", image="vmlinux", packages=(),
         base_config="tinyconfig",
         configs=("tiny.config", "x86_64_tiny.config")),
)
