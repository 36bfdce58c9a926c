"""arm64: no static call support in 6.12, so the generic variant
(static_call() is a call through key.func)."""
ARCH = "arm64"
KERNEL_ARCH = "arm64"
CROSS_COMPILE = "aarch64-linux-gnu-"
IMAGE = "arch/arm64/boot/Image"
CONFIGS = ["common.config", "arm64.config"]
PACKAGES = ["qemu-system-arm", "gcc-aarch64-linux-gnu"]
QEMU = "qemu-system-aarch64"
QEMU_ARGS = ["-M", "virt", "-cpu", "max", "-m", "512M"]
CONSOLE = "ttyAMA0"
