"""arm64: our static calls, in the variant a Kconfig choice of ours picks
(arch/arm64/Kconfig): inline (the default), out of line (trampolines
only), or none (the generic variant, static_call() a call through
key.func).  Upstream 6.12 has no arm64 static calls: its generic variant
is the oracle, run on the default record.

Every arm64 kernel is built with pointer authentication and, but for
the debug record, BTI, so a branch to a place without a landing pad
faults.  6.12's ARM64_BTI_KERNEL depends on !CC_IS_GCC (GCC bug 106671),
so those kernels are compiled with clang (--target from CROSS_COMPILE;
binutils stay GNU).  The debug record is compiled with GCC: our arm64
code then meets both compilers, and GCC builds it in about half the time.
"""
from . import DEBUG_ALL_BOOTS, DEBUG_BOOTS, DEBUG_MEMORY, DEBUG_SLOW, Arch

_CONFIGS = ("common.config", "arm64.config")


def _arm64(memory, compiler="clang"):
    return dict(
        name="arm64", kernel_arch="arm64", cross_compile="aarch64-linux-gnu-",
        compiler=compiler, image="arch/arm64/boot/Image",
        packages=("qemu-system-arm", "gcc-aarch64-linux-gnu",
                  "libc6-dev-arm64-cross") + ((compiler,) if compiler else ()),
        qemu="qemu-system-aarch64",
        # -cpu max has pointer authentication and BTI.  pauth-impdef:
        # QEMU's own cheap hash instead of QARMA5 for the signatures,
        # which TCG computes slowly: with KASAN's call at every access
        # (each one signing and authenticating its return address) the
        # debug kernel reached its console after 59 s instead of 5 s.
        # The instructions and what they check stay the same.
        qemu_args=("-M", "virt", "-cpu", "max,pauth-impdef=on",
                   "-m", memory),
        console="ttyAMA0")


_ARM64 = dict(**_arm64("512M"), configs=_CONFIGS)

RECORDS = (
    # Inline: sites found per object by scripts/static_call_sites; the
    # module tests, and modules placed out of branch range of the kernel
    # (arm64_module_far_test) in the far_modules boot.
    Arch(**_ARM64, profile="default",
         ours_configs=("impl-ours-arm64_inline.config",),
         boots=("functional", "race", "far_modules", "tracing", "stress")),
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
    # The kernel's checkers (configs/debug.config) on the default
    # record's inline variant, compiled with GCC (no BTI in the kernel,
    # configs/arm64-gcc.config).  Not in a plain check (CI): a cold build
    # takes 500-600 s, which cold CI has no room for, and what its boots
    # add to x86_64_debug's is the arm64 transform under the checkers
    # (the core's bookkeeping is the same code).  check-all runs it, with
    # the far_modules and tracing boots the default record runs; its
    # boots took 55 s (functional), 459 s (faults), 354 s (churn_short).
    Arch(**_arm64(DEBUG_MEMORY, compiler=None), profile="debug",
         configs=_CONFIGS + ("arm64-gcc.config", "debug.config"),
         ours_configs=("impl-ours-arm64_inline.config",
                       "impl-ours-debug.config"),
         boots=DEBUG_BOOTS,
         all_boots=DEBUG_ALL_BOOTS + ("far_modules", "tracing"),
         slow=DEBUG_SLOW, upstream_in_check=False, in_check=False),
)
