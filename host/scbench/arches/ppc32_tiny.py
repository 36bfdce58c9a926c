"""32-bit powerpc tinyconfig, build only: the other architecture with
out-of-line static calls in 6.12 (HAVE_STATIC_CALL if PPC32)."""
ARCH = "ppc32_tiny"
KERNEL_ARCH = "powerpc"
CROSS_COMPILE = "powerpc-linux-gnu-"
PACKAGES = ["gcc-powerpc-linux-gnu"]
BUILD_ONLY = True
BASE_CONFIG = "tinyconfig"
IMAGE = "vmlinux"
CONFIGS = ["tiny.config", "ppc32_tiny.config"]
ZERO_AT_BOOT = ["static_call_initialized"]
