"""x86_64 with the real users of static calls built in (see the config)."""
from .x86_64 import (KERNEL_ARCH, CROSS_COMPILE, IMAGE, PACKAGES, QEMU,
                     QEMU_ARGS, CONSOLE)

ARCH = "x86_64_big"
CONFIGS = ["common.config", "x86_64.config", "x86_64_big.config"]
# Trace events switched on at boot update tracepoint static calls, each
# preemption model retargets the preempt_schedule static calls, and
# forced mitigations change what sites must hold.
BOOTS = ["functional", "race", "tracing", "preempt_none", "rethunk",
         "depth_tracking", "its"]
