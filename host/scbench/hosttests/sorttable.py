"""scripts/static_call_sorttable against malformed ELF files.

The tool rewrites vmlinux in place at link time.  Built with ASan and
UBSan, it must sort a good image, and end every malformed one with its
own error message and exit status 1: never a crash, a sanitizer report
or a hang.  The mutations are seeded, so a failure reproduces.
"""
import random
import struct
import subprocess
import tempfile
from pathlib import Path

from .. import paths
from ..report import Outcome

SAMPLE = r"""
/* Three sites, out of key order, in a table of the shape vmlinux has. */
int key_a[2], key_b[2];
void site(void) { }
asm(".section .rodata\n\t.balign 8\n\t"
    ".globl __start_static_call_sites\n__start_static_call_sites:\n\t"
    ".long site - ., key_b + 1 - .\n\t"
    ".long site - ., key_a - .\n\t"
    ".long site - ., key_b - .\n\t"
    ".globl __stop_static_call_sites\n__stop_static_call_sites:\n\t"
    ".previous");
int main(void) { site(); return key_a[0] + key_b[0]; }
"""
RUNS = 400
TIMEOUT = 10


def _build(tmp, src):
    tool = tmp / "sorttable"
    subprocess.run(["gcc", "-O1", "-g", "-fsanitize=address,undefined",
                    "-fno-sanitize-recover=all",
                    f"-I{src / 'tools' / 'include'}",
                    "-o", tool, src / "scripts" / "static_call_sorttable.c"],
                   check=True)
    sample_c = tmp / "sample.c"
    sample_c.write_text(SAMPLE)
    sample = tmp / "sample"
    subprocess.run(["gcc", "-no-pie", "-o", sample, sample_c], check=True)
    return tool, sample.read_bytes()


def _run(tool, image, tmp):
    """(returncode, stderr) of the tool on a copy of @image."""
    path = tmp / "image"
    path.write_bytes(image)
    try:
        p = subprocess.run([tool, path], stderr=subprocess.PIPE, text=True,
                           timeout=TIMEOUT, errors="replace")
    except subprocess.TimeoutExpired:
        return -1, "timed out"
    return p.returncode, p.stderr


def _clean(code, err):
    """Sorted, or refused with the tool's own message; nothing else."""
    if "Sanitizer" in err or "runtime error" in err:
        return False
    return code == 0 or (code == 1 and "static_call_sorttable:" in err)


def _put(image, offset, fmt, value):
    data = bytearray(image)
    struct.pack_into(fmt, data, offset, value)
    return bytes(data)


def _named_mutations(image):
    """Mutations each of which once crashed a tool like this one."""
    shoff = struct.unpack_from("<Q", image, 0x28)[0]
    shnum = struct.unpack_from("<H", image, 0x3c)[0]
    cases = {f"truncated to {n} bytes": image[:n]
             for n in (0, 4, 16, 63, 64, len(image) // 2)}
    cases["section headers at 2^64 - 16"] = _put(image, 0x28, "<Q",
                                                 2**64 - 16)
    cases["65535 section headers"] = _put(image, 0x3c, "<H", 0xffff)
    for i in range(1, shnum):
        sh = shoff + i * 64
        cases[f"section {i} offset near 2^64"] = _put(image, sh + 0x18, "<Q",
                                                      2**64 - 8)
        cases[f"section {i} size near 2^64"] = _put(image, sh + 0x20, "<Q",
                                                    2**64 - 8)
        cases[f"section {i} linked to section 65535"] = _put(
            image, sh + 0x28, "<I", 0xffff)
    return cases


def _random_mutations(image, runs):
    """Byte changes in the ELF header, the section headers and the
    symbol table, where the tool's reading decisions come from."""
    rng = random.Random(7)
    shoff = struct.unpack_from("<Q", image, 0x28)[0]
    regions = [(0, 64), (shoff, len(image) - shoff)]
    for n in range(runs):
        data = bytearray(image)
        for _ in range(rng.randint(1, 8)):
            start, size = rng.choice(regions)
            at = start + rng.randrange(size)
            data[at] = rng.choice((0, 0xff, 0x7f, 0x80, rng.randrange(256)))
        yield f"random mutation {n}", bytes(data)


def run(src):
    """One Outcome: a check per named case, one for the random ones."""
    out = Outcome("host/static_call_sorttable")
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        tool, image = _build(tmp, Path(src))
        code, err = _run(tool, image, tmp)
        out.check(code == 0, f"a good image: exit {code}: {err.strip()}")
        sorted_image = (tmp / "image").read_bytes()
        out.check(sorted_image != image, "a good image was not sorted")
        code, err = _run(tool, sorted_image, tmp)
        out.check(code == 0 and (tmp / "image").read_bytes() == sorted_image,
                  "sorting a sorted image changed it")
        for name, bad in _named_mutations(image).items():
            code, err = _run(tool, bad, tmp)
            out.check(_clean(code, err), f"{name}: exit {code}: "
                      + err.strip()[-300:])
        dirty = []
        for name, bad in _random_mutations(image, RUNS):
            code, err = _run(tool, bad, tmp)
            if not _clean(code, err):
                dirty.append(f"{name}: exit {code}: {err.strip()[-200:]}")
        out.check(not dirty, f"{len(dirty)} of {RUNS} random mutations "
                  "crashed: " + "; ".join(dirty[:3]))
    return out
