"""arm64: our static calls, in the variant a Kconfig choice of ours picks
(arch/arm64/Kconfig): inline (the default), out of line (trampolines
only), or none (the generic variant, static_call() a call through
key.func).  Upstream 6.12 has no arm64 static calls: its generic variant
is the oracle, run on the default record.

Every arm64 kernel is built with pointer authentication and BTI, so a
branch to a place without a landing pad faults.  6.12's
ARM64_BTI_KERNEL depends on !CC_IS_GCC (GCC bug 106671), so the kernel
is compiled with clang (--target from CROSS_COMPILE; binutils stay GNU).
"""
from . import Arch

_ARM64 = dict(
    name="arm64", kernel_arch="arm64", cross_compile="aarch64-linux-gnu-",
    compiler="clang", image="arch/arm64/boot/Image",
    configs=("common.config", "arm64.config"),
    packages=("qemu-system-arm", "gcc-aarch64-linux-gnu",
              "libc6-dev-arm64-cross", "clang"),
    qemu="qemu-system-aarch64",
    # -cpu max has pointer authentication and BTI.
    qemu_args=("-M", "virt", "-cpu", "max", "-m", "512M"),
    console="ttyAMA0")

RECORDS = (
    # Inline: sites found per object by scripts/static_call_sites; the
    # module tests, and modules placed out of branch range of the kernel
    # (arm64_module_far_test) in the far_modules boot.
    Arch(**_ARM64, profile="default",
         ours_configs=("impl-ours-arm64_inline.config",),
         boots=("functional", "race", "far_modules", "tracing")),
    # Out of line: trampolines only.  Upstream would build the default
    # record's generic variant again: one oracle is enough.
    Arch(**_ARM64, profile="ool",
         ours_configs=("impl-ours-arm64_ool.config",),
         boots=("functional", "race"), upstream_in_check=False),
    # Our generic branch on arm64.  A cold build costs about seven
    # minutes: `check` builds it only when ARCH or PROFILE names it.
    Arch(**_ARM64, profile="generic",
         ours_configs=("impl-ours-arm64_generic.config",),
         boots=("functional",), upstream_in_check=False, in_check=False),
)
