"""Boot one kernel under QEMU (TCG) and capture its console."""
import subprocess
import sys
import threading

from .util import log


def command(arch, image, initrd, cmdline, threads, smp=2, extra=()):
    """QEMU's command line: @threads is the TCG mode ("single" or
    "multi"), @smp the number of vCPUs (Boot.smp)."""
    return [arch.qemu, *arch.qemu_args, "-smp", str(smp),
            "-accel", f"tcg,thread={threads}",
            "-kernel", str(image), "-initrd", str(initrd),
            "-append", cmdline, "-display", "none", "-serial", "stdio",
            "-monitor", "none", "-no-reboot", *extra]


def boot(cmd, log_path, timeout, echo=False):
    """Run QEMU; return (console text, timed_out)."""
    log("$ " + " ".join(f"'{c}'" if " " in c else c for c in cmd))
    lines = []
    with open(log_path, "w", errors="replace") as logf:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)

        def pump():
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").replace("\r", "")
                lines.append(line)
                logf.write(line)
                if echo:
                    sys.stdout.write(line)
                    sys.stdout.flush()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            timed_out = True
        reader.join(5)
    return "".join(lines), timed_out
