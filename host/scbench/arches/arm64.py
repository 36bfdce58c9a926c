"""arm64: no static call support in 6.12, so the generic variant
(static_call() is a call through key.func)."""
from . import Arch

RECORDS = (
    Arch(name="arm64", profile="default", kernel_arch="arm64",
         cross_compile="aarch64-linux-gnu-", image="arch/arm64/boot/Image",
         configs=("common.config", "arm64.config"),
         packages=("qemu-system-arm", "gcc-aarch64-linux-gnu",
                   "libc6-dev-arm64-cross"),
         boots=("functional", "race"), qemu="qemu-system-aarch64",
         qemu_args=("-M", "virt", "-cpu", "max", "-m", "512M"),
         console="ttyAMA0"),
)
