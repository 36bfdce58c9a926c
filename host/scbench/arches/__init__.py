"""Each architecture's facts, as data: one module per architecture.

A module defines ARCH (our name, also the file name), KERNEL_ARCH (the
kernel's ARCH=), CROSS_COMPILE, IMAGE (the boot image, relative to the
build directory), CONFIGS (fragments under host/configs), PACKAGES (what
apt must install), QEMU and QEMU_ARGS, CONSOLE (the serial console
device), KUNIT_EXTRA (kernel command line additions, if any).
"""
import importlib


def load(arch):
    try:
        return importlib.import_module(f"{__name__}.{arch}")
    except ModuleNotFoundError:
        raise SystemExit(f"unknown ARCH {arch!r}: add host/scbench/arches/"
                         f"{arch}.py")
