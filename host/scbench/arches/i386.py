"""i386: out-of-line static calls (HAVE_STATIC_CALL, trampolines only)."""
ARCH = "i386"
KERNEL_ARCH = "i386"
CROSS_COMPILE = ""
IMAGE = "arch/x86/boot/bzImage"
CONFIGS = ["common.config", "i386.config"]
PACKAGES = ["qemu-system-x86", "gcc-i686-linux-gnu"]
QEMU = "qemu-system-i386"
# With -cpu max the 32-bit kernel sees an AMD K7 and WARNs that it is
# unfit for SMP (arch/x86/kernel/cpu/amd.c): present an Intel vendor.
QEMU_ARGS = ["-M", "pc", "-cpu", "max,vendor=GenuineIntel", "-m", "512M"]
CONSOLE = "ttyS0"
# The kernel builds with gcc -m32; /init needs a 32-bit libgcc, which
# the cross compiler has (gcc-multilib would conflict with arm64's).
INIT_CROSS_COMPILE = "i686-linux-gnu-"
# `check` without IMPL= leaves upstream out here: a cold build of it costs
# about nine minutes that cold CI cannot afford; x86_64_big and arm64 keep
# an upstream oracle each.  IMPL=upstream ARCH=i386 runs it.
UPSTREAM_IN_CHECK = False
