"""The test initramfs: a nolibc /init, the plan it runs, the modules."""
from . import paths
from .util import run

INIT_SRC = paths.REPO / "host" / "init" / "init.c"


def build_init(arch, impl):
    """Compile /init for the target with the tree's own nolibc."""
    build = paths.build_dir(impl, arch.key)
    nolibc = paths.src_dir(impl) / "tools" / "include" / "nolibc" / "nolibc.h"
    init = build / "scbench-init"
    if init.exists() and init.stat().st_mtime > INIT_SRC.stat().st_mtime:
        return init
    run([arch.init_compiler, "-static", "-nostdlib", "-Os",
         "-fno-asynchronous-unwind-tables", "-fno-ident",
         "-fno-stack-protector", "-include", nolibc, "-o", init, INIT_SRC,
         "-lgcc"])
    return init


def build_initramfs(arch, impl, boot, modules, config):
    """Write the cpio for one boot; return its path.

    /dev/kmsg is there for /init's markers (the kernel has no devtmpfs);
    /init mounts sysfs on /sys and proc on /proc.
    """
    build = paths.build_dir(impl, arch.key)
    plan = build / f"scbench-plan-{boot.name}"
    plan.write_text("".join(line + "\n" for line in boot.plan_lines(config)))
    entries = ["dir /dev 0755 0 0", "nod /dev/console 0600 0 0 c 5 1",
               "nod /dev/kmsg 0600 0 0 c 1 11",
               "dir /lib 0755 0 0", "dir /sys 0755 0 0",
               "dir /proc 0755 0 0",
               f"file /init {build_init(arch, impl)} 0755 0 0",
               f"file /plan {plan} 0644 0 0"]
    for name in boot.modules(config):
        entries.append(f"file /lib/{name}.ko {modules[name]} 0644 0 0")
    listing = build / f"scbench-initramfs-{boot.name}.list"
    listing.write_text("\n".join(entries) + "\n")
    cpio = build / f"scbench-initramfs-{boot.name}.cpio"
    with open(cpio, "wb") as f:
        run([build / "usr" / "gen_init_cpio", listing], stdout=f)
    return cpio
