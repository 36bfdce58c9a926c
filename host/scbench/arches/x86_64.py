"""x86_64: inline static calls (HAVE_STATIC_CALL_INLINE)."""
ARCH = "x86_64"
KERNEL_ARCH = "x86_64"
CROSS_COMPILE = ""
IMAGE = "arch/x86/boot/bzImage"
CONFIGS = ["common.config", "x86_64.config"]
PACKAGES = ["qemu-system-x86", "gcc"]
QEMU = "qemu-system-x86_64"
QEMU_ARGS = ["-M", "pc", "-cpu", "max", "-m", "512M"]
CONSOLE = "ttyS0"
# `check` without IMPL= leaves upstream out here: x86_64_big runs the
# same upstream implementation on a superset of this configuration.
UPSTREAM_IN_CHECK = False
