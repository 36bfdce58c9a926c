"""32-bit powerpc: the other architecture with out-of-line static calls
in 6.12 (HAVE_STATIC_CALL if PPC32), built only, in tinyconfig."""
from . import Arch

RECORDS = (
    Arch(name="ppc32", profile="tiny", kernel_arch="powerpc",
         cross_compile="powerpc-linux-gnu-", image="vmlinux",
         packages=("gcc-powerpc-linux-gnu",), base_config="tinyconfig",
         configs=("tiny.config", "ppc32_tiny.config"),
         zero_at_boot=("static_call_initialized",)),
)
