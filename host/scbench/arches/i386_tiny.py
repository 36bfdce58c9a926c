"""i386 tinyconfig, build only: out-of-line static calls, modules off."""
from .i386 import KERNEL_ARCH, CROSS_COMPILE, PACKAGES

ARCH = "i386_tiny"
BUILD_ONLY = True
BASE_CONFIG = "tinyconfig"
IMAGE = "vmlinux"
CONFIGS = ["tiny.config", "i386_tiny.config"]
# Xen may call static_call_update_early() before start_kernel(): until
# static_call_init() runs, the image must say it has not.
ZERO_AT_BOOT = ["static_call_initialized"]
