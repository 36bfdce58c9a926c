"""Check an arm64 build's static call site tables against binutils.

scripts/static_call_sites lists each object's branches to trampolines in
.static_call_sites from the object's relocations.  This check finds them
another way and compares:

- vmlinux, linked: the table is between __start_static_call_sites and
  __stop_static_call_sites (the kernel's linker script puts it inside
  another output section), or else the section of its own name.  Every
  `bl`/`b` that objdump disassembles to the exact
  address of a trampoline `__SCT__<name>` must have a table entry, with
  the tail flag set for `b` alone and the key `__SCK__<name>`; every
  entry must be such a branch.
- every *.ko, relocatable: readelf's R_AARCH64_CALL26/JUMP26 relocations
  against `__SCT__<name>` must be the sites that
  .rela.static_call_sites names, with the tail flag in the key addend and
  the key `__SCK__<name>` or the trampoline itself.

A site missing from the table is a call the kernel never patches (it
still works, through the trampoline, but slowly and unseen); an extra
entry is worse, the kernel would write a branch over whatever is there.
"""
import bisect
import re
import struct
import subprocess
from pathlib import Path

TRAMP = "__SCT__"
KEY = "__SCK__"
TAIL = 1                 # STATIC_CALL_SITE_TAIL, the key's low bit
SITE = struct.Struct("<ii")

EM_AARCH64 = 183
SHT_SYMTAB = 2
SHT_NOBITS = 8
STT_FUNC = 2
BOUNDS = ("__start_static_call_sites", "__stop_static_call_sites")

# objdump -d --no-show-raw-insn: "ffff800080010abc:\tbl\tffff80008... <sym>"
_BRANCH = re.compile(r"^\s*([0-9a-f]+):\s+(bl|b)\s+([0-9a-f]+)\s+<[^>]*>\s*$")

# readelf -SW: [Nr] Name Type Address Off Size ES Flg Lk Inf Al
_SECTION = re.compile(r"^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+"
                      r"([0-9a-f]+)\s+[0-9a-f]+\s+[0-9a-f]+\s+[A-Za-z]*"
                      r"\s+\d+\s+(\d+)\s+\d+\s*$")
# readelf -rW: the header of one relocation section, and one relocation
_RELSEC = re.compile(r"^Relocation section '([^']*)' at offset 0x([0-9a-f]+)")
_RELA = re.compile(r"^([0-9a-f]+)\s+([0-9a-f]+)\s+(R_\w+)\s+"
                   r"(?:[0-9a-f]+\s+(.*?)\s+([+-])\s*)?([0-9a-f]+)\s*$")
# readelf -sW: Num: Value Size Type Bind Vis [other] Ndx Name
_SYMBOL = re.compile(r"^\s*(\d+):\s+([0-9a-f]+)\s+\S+\s+(\S+)\s+\S+\s+\S+"
                     r"(?:\s+\[[^\]]*\])?\s+(\S+)\s?(.*)$")


# Modules whose objects kbuild marks OBJECT_FILES_NON_STANDARD: the tool
# skips them, as objtool does, so their branches to trampolines stay
# calls of the trampoline.  Each is a module of ours, with the reason.
NON_STANDARD = {
    "static_call_bench_ool.ko": "the bench measures calls of a trampoline",
    "static_call_stress_ool.ko": "the stress suite calls the trampolines "
                                 "while the keys change",
}


def check_build(build_dir: Path, cross_compile: str) -> tuple[int, list[str]]:
    """The number of sites checked in vmlinux and every module, and the
    problems found: none means every table is exact."""
    build_dir = Path(build_dir)
    count, problems = check_vmlinux(build_dir / "vmlinux", cross_compile)
    for ko in sorted(build_dir.rglob("*.ko")):
        if ko.name in NON_STANDARD:
            continue
        n, found = check_module(ko, cross_compile)
        count += n
        rel = ko.relative_to(build_dir)
        problems += [f"{rel}: {p}" for p in found]
    return count, problems


# ------------------------------------------------------------- vmlinux


class Elf:
    """The sections and symbols of a little-endian ELF64 file: sections
    by name, each its header's fields (name, type, flags, addr, offset,
    size, link, info, addralign, entsize)."""

    def __init__(self, path):
        self.data = d = Path(path).read_bytes()
        if d[:4] != b"\x7fELF" or d[4:6] != b"\x02\x01":
            raise ValueError("not a little-endian ELF64 file")
        (self.machine,) = struct.unpack_from("<H", d, 18)
        (shoff,) = struct.unpack_from("<Q", d, 40)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 58)
        self.heads = [struct.unpack_from("<IIQQQQIIQQ", d,
                                         shoff + i * shentsize)
                      for i in range(shnum)]
        names = self.heads[shstrndx][4]
        self.sections = {}
        for h in self.heads:
            self.sections.setdefault(self._str(names, h[0]), h)

    def _str(self, table_off, off):
        start = table_off + off
        return self.data[start:self.data.index(b"\0", start)].decode()

    def symbols(self):
        """(name, value, type) of each symbol of .symtab."""
        for h in self.heads:
            if h[1] != SHT_SYMTAB:
                continue
            strtab = self.heads[h[6]][4]
            for name, info, _, _, value, _ in struct.iter_unpack(
                    "<IBBHQQ", self.data[h[4]:h[4] + h[5]]):
                yield self._str(strtab, name), value, info & 0xf


def read_elf(path):
    return Elf(path)


def site_table(elf):
    """(address, file offset, size) of a linked file's site table, or
    None."""
    bounds = {}
    for name, value, _ in elf.symbols():
        if name in BOUNDS:
            bounds[name] = value
    if len(bounds) == 2:
        start, stop = (bounds[b] for b in BOUNDS)
        for h in elf.heads:
            addr, off, size = h[3:6]
            if h[1] != SHT_NOBITS and addr <= start <= stop <= addr + size:
                return start, off + start - addr, stop - start
    sec = elf.sections.get(".static_call_sites")
    return sec[3:6] if sec else None


def check_vmlinux(path, cross_compile):
    """Sites checked and problems of a linked vmlinux."""
    if not path.is_file():
        return 0, [f"{path}: not found"]
    try:
        elf = read_elf(path)
    except (ValueError, struct.error) as e:
        return 0, [f"{path}: {e}"]
    if elf.machine != EM_AARCH64:
        return 0, [f"{path}: not an AArch64 file"]

    funcs, tramps, keys = [], {}, {}
    for name, value, type_ in elf.symbols():
        if name.startswith(TRAMP):
            tramps[value] = name
        elif name.startswith(KEY):
            keys[name] = value
        if type_ == STT_FUNC:
            funcs.append((value, name))
    funcs.sort()
    key_names = {v: k for k, v in keys.items()}

    def where(addr):
        i = bisect.bisect_right(funcs, (addr, "\uffff")) - 1
        if i < 0:
            return f"{addr:#x}"
        return f"{addr:#x} in {funcs[i][1]}+{addr - funcs[i][0]:#x}"

    table = {}
    problems = []
    where_table = site_table(elf)
    if where_table:
        addr, off, size = where_table
        if size % SITE.size:
            problems.append(f"vmlinux: .static_call_sites is {size} bytes, "
                            f"not whole entries")
        for i in range(size // SITE.size):
            entry = addr + i * SITE.size
            site, key = SITE.unpack_from(elf.data, off + i * SITE.size)
            site = (entry + site) & (2**64 - 1)
            key = (entry + 4 + key) & (2**64 - 1)
            if site in table:
                problems.append(f"vmlinux: site {where(site)} listed twice")
            table[site] = (key & ~TAIL, bool(key & TAIL))
    if not table:
        problems.append("vmlinux: no static call sites in its table"
                        " (the table must not be empty)")

    branches = {}
    # Streamed: the whole disassembly of a vmlinux is some 200 MB.
    with subprocess.Popen([f"{cross_compile}objdump", "-d",
                           "--no-show-raw-insn", str(path)],
                          stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            if "<" + TRAMP not in line:
                continue
            m = _BRANCH.match(line)
            if m and int(m.group(3), 16) in tramps:
                branches[int(m.group(1), 16)] = (
                    tramps[int(m.group(3), 16)], m.group(2) == "b")
    if proc.returncode:
        problems.append(f"vmlinux: objdump failed ({proc.returncode})")

    for site, (tramp, tail) in sorted(branches.items()):
        if site not in table:
            problems.append(f"vmlinux: missing site: {where(site)} "
                            f"({'b' if tail else 'bl'} {tramp})")
            continue
        key, flag = table[site]
        if flag != tail:
            problems.append(f"vmlinux: tail flag {int(flag)} of site "
                            f"{where(site)} disagrees with "
                            f"{'b' if tail else 'bl'} {tramp}")
        want = KEY + tramp[len(TRAMP):]
        if keys.get(want) != key:
            named = key_names.get(key) or tramps.get(key) or f"{key:#x}"
            problems.append(f"vmlinux: site {where(site)} calls {tramp} "
                            f"but its key is {named}, not {want}")
    for site in sorted(set(table) - set(branches)):
        problems.append(f"vmlinux: extra site: {where(site)} is no branch "
                        f"to a trampoline")
    return len(table), problems


# ------------------------------------------------------------- modules


def read_relocatable(path, cross_compile):
    """Sections, relocation sections and symbols of a relocatable file:
    {index: (name, offset, info)}, [(name, offset, [relocation])] and
    {index: (name, value, ndx)}, a relocation being
    (offset, symbol index, type, addend)."""
    out = subprocess.run([f"{cross_compile}readelf", "-SrsW", str(path)],
                         check=True, text=True,
                         stdout=subprocess.PIPE).stdout
    sections, relsecs, symbols = {}, [], {}
    mode = None
    for line in out.splitlines():
        if line.startswith("Section Headers:"):
            mode = "S"
            continue
        m = _RELSEC.match(line)
        if m:
            mode = "r"
            relsecs.append((m.group(1), int(m.group(2), 16), []))
            continue
        if line.startswith("Symbol table"):
            mode = "s"
            continue
        if mode == "S":
            m = _SECTION.match(line)
            if m:
                sections[int(m.group(1))] = (m.group(2), int(m.group(4), 16),
                                             int(m.group(5)))
        elif mode == "r":
            m = _RELA.match(line)
            if m:
                addend = int(m.group(6), 16)
                relsecs[-1][2].append((int(m.group(1), 16),
                                       int(m.group(2), 16) >> 32,
                                       m.group(3),
                                       -addend if m.group(5) == "-"
                                       else addend))
        elif mode == "s":
            m = _SYMBOL.match(line)
            if m:
                ndx = m.group(4)
                symbols[int(m.group(1))] = (m.group(5),
                                            int(m.group(2), 16),
                                            int(ndx) if ndx.isdigit()
                                            else ndx)
    return sections, relsecs, symbols


def module_sites(path, cross_compile):
    """The branches to trampolines and the table entries of a relocatable
    object, each {(section index, offset): (tail, name)}: the trampoline
    a branch goes to, the symbol an entry's key names.  Also the
    problems met reading the table."""
    sections, relsecs, symbols = read_relocatable(path, cross_compile)
    by_place = {(n, off): i for i, (n, off, _) in sections.items()}
    branches, table, problems = {}, {}, []

    def name(i):
        return sections[i][0] if i in sections else f"section {i}"

    for relname, off, relocs in relsecs:
        index = by_place.get((relname, off))
        if index is None:
            problems.append(f"{relname}: no such section")
            continue
        target = sections[index][2]
        if relname == ".rela.static_call_sites":
            pairs = len(relocs) // 2
            if len(relocs) % 2:
                problems.append("odd number of .rela.static_call_sites "
                                "entries")
            relocs = sorted(relocs)
            for i in range(pairs):
                site, key = relocs[2 * i], relocs[2 * i + 1]
                if (site[0], key[0]) != (8 * i, 8 * i + 4) or \
                        site[2] != key[2] or site[2] != "R_AARCH64_PREL32":
                    problems.append(f"entry {i}: relocations at "
                                    f"{site[0]:#x}, {key[0]:#x} are not "
                                    f"an entry's two PREL32 fields")
                    continue
                sname, value, ndx = symbols.get(site[1], ("?", 0, "UND"))
                if not isinstance(ndx, int):
                    problems.append(f"entry {i}: site names {sname}, "
                                    f"which is not in a section")
                    continue
                place = (ndx, value + site[3])
                if place in table:
                    problems.append(f"{name(ndx)}+{place[1]:#x} listed "
                                    f"twice")
                table[place] = (bool(key[3] & TAIL),
                                symbols.get(key[1], ("?",))[0])
                if key[3] & ~TAIL:
                    problems.append(f"entry {i}: key addend {key[3]:#x}")
            continue
        for offset, sym, type_, addend in relocs:
            if type_ not in ("R_AARCH64_CALL26", "R_AARCH64_JUMP26"):
                continue
            sname = symbols.get(sym, ("",))[0]
            if sname.startswith(TRAMP) and addend == 0:
                branches[(target, offset)] = (type_ == "R_AARCH64_JUMP26",
                                              sname)
    return branches, table, problems, name


def check_module(path, cross_compile):
    """Sites checked and problems of one module."""
    branches, table, problems, name = module_sites(path, cross_compile)
    for place, (tail, tramp) in sorted(branches.items()):
        where = f"{name(place[0])}+{place[1]:#x}"
        insn = "b" if tail else "bl"
        if place not in table:
            problems.append(f"missing site: {where} ({insn} {tramp})")
            continue
        flag, key = table[place]
        if flag != tail:
            problems.append(f"tail flag {int(flag)} of site {where} "
                            f"disagrees with {insn} {tramp}")
        suffix = tramp[len(TRAMP):]
        if key not in (KEY + suffix, tramp):
            problems.append(f"site {where} calls {tramp} but its key is "
                            f"{key}")
    for place in sorted(set(table) - set(branches)):
        problems.append(f"extra site: {name(place[0])}+{place[1]:#x} is no "
                        f"branch to a trampoline")
    return len(table), problems
