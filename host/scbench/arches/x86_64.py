"""x86_64: inline static calls (HAVE_STATIC_CALL_INLINE)."""
from . import Arch

_X86_64 = dict(name="x86_64", kernel_arch="x86_64", cross_compile="")
_QEMU = dict(qemu="qemu-system-x86_64",
             qemu_args=("-M", "pc", "-cpu", "max", "-m", "512M"),
             console="ttyS0")
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
                "depth_tracking", "its"),
         upstream_in_check=False),
    # Build only: modules and SMP off, inline static calls and the
    # mitigations that change what they write on.
    Arch(**_X86_64, profile="tiny", image="vmlinux", packages=(),
         base_config="tinyconfig",
         configs=("tiny.config", "x86_64_tiny.config")),
)
