"""i386: out-of-line static calls (HAVE_STATIC_CALL, trampolines only)."""
from . import Arch

_I386 = dict(name="i386", kernel_arch="i386", cross_compile="")

RECORDS = (
    Arch(**_I386, profile="default", image="arch/x86/boot/bzImage",
         configs=("common.config", "i386.config"),
         # The kernel builds with gcc -m32; /init needs a 32-bit libgcc,
         # which the cross compiler has (gcc-multilib would conflict with
         # arm64's), and the i386 uapi headers for nolibc.
         packages=("qemu-system-x86", "gcc-i686-linux-gnu",
                   "libc6-dev-i386-cross"),
         init_cross_compile="i686-linux-gnu-",
         boots=("functional", "race"), qemu="qemu-system-i386",
         # With -cpu max the 32-bit kernel sees an AMD K7 and WARNs that
         # it is unfit for SMP (arch/x86/kernel/cpu/amd.c): present an
         # Intel vendor.
         qemu_args=("-M", "pc", "-cpu", "max,vendor=GenuineIntel",
                    "-m", "512M"),
         console="ttyS0",
         # A cold build of upstream here costs about nine minutes that
         # cold CI cannot afford; IMPL=upstream ARCH=i386 runs it.
         upstream_in_check=False,
         # Xen may call static_call_update_early() before start_kernel():
         # until static_call_init() runs, the image must say it has not.
         zero_at_boot=("static_call_initialized",)),
    # Build only, modules off.  Out of line with modules off is also
    # ppc32_tiny, inline x86 with modules off x86_64_tiny: a plain check
    # leaves this one out, to stay within CI's time.
    Arch(**_I386, profile="tiny", image="vmlinux", packages=(),
         base_config="tinyconfig",
         configs=("tiny.config", "i386_tiny.config"),
         zero_at_boot=("static_call_initialized",), in_check=False),
)
