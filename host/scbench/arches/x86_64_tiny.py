"""x86_64 tinyconfig, build only: modules and SMP off, inline static
calls and the mitigations that change what they write on."""
from .x86_64 import KERNEL_ARCH, CROSS_COMPILE, PACKAGES

ARCH = "x86_64_tiny"
BUILD_ONLY = True
BASE_CONFIG = "tinyconfig"
IMAGE = "vmlinux"
CONFIGS = ["tiny.config", "x86_64_tiny.config"]
