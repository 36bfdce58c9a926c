"""Fuzz scripts/static_call_sites with mutated objects, under ASan and UBSan.

Every input must end in one of two ways: a clear error (exit status 1,
one line `static_call_sites: <file>: <why>`, the file byte for byte as
it was), or a correct output (exit status 0, no message, the file either
unchanged because it has nothing to do, or with a site table that
`expect()` and `check_output()` below, an ELF reader of their own that
shares no code with the tool, find exact).  A sanitizer report, a signal,
a hang, a leak or an open file left behind fails the test.

The outcome classes it counts: "rejected" (an error, and expect() finds
the input malformed too), "rejected, stricter" (an error where expect()
could have made a table: only a symbol after a site could name it, and
the tool looks for one before), "unchanged" (nothing to do, and expect()
agrees) and "table".  Each must be common.

The seeds are the sample objects of test_static_call_sites and a few
more; each input is one seed with one or more mutations: truncation, byte
flips, bytes inserted or removed, and corruptions of one field that know
the ELF layout (header, section header, symbol, relocation, string table
terminators, sections moved onto each other or past the end, symbols
renamed to trampolines and keys, relocations duplicated, branches
changed).  Input i of seed S is made from random.Random(f"{S}/{i}")
alone, so a failure names S and i and reproduces with

    SCBENCH_FUZZ_SEED=S SCBENCH_FUZZ_FIRST=i SCBENCH_FUZZ_INPUTS=1 \\
        python3 -m unittest scbench.tests.test_static_call_sites_fuzz

(from host/).  `check` runs SCBENCH_FUZZ_INPUTS=10000 inputs of seed
SCBENCH_FUZZ_SEED=1, the defaults; set them for a longer campaign.

Under ASan, starting a process costs some 17 ms here, 3 minutes for 10^4
inputs, so the tool runs inside one driver process (its main() renamed,
its source included) that takes an input per line on stdin: a sanitizer
report ends the driver with a distinct status, and the harness restarts
it for the next input.  Leaks are caught per input from ASan's count of
allocated bytes, which must be back where it was after each run.
test_driver_agrees_with_the_tool checks the driver against the tool
proper, run as its own process.
"""
import collections
import os
import random
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from .. import sitecheck
from . import test_static_call_sites as samples

SEED = int(os.environ.get("SCBENCH_FUZZ_SEED", "1"))
INPUTS = int(os.environ.get("SCBENCH_FUZZ_INPUTS", "10000"))
FIRST = int(os.environ.get("SCBENCH_FUZZ_FIRST", "0"))
TIMEOUT = 5.0                   # seconds per input

SANITIZE = ["-g", "-O1", "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]
ASAN_EXIT, UBSAN_EXIT = 86, 87
SANITIZER_ENV = {
    "ASAN_OPTIONS": f"exitcode={ASAN_EXIT}:halt_on_error=1:detect_leaks=1"
                    ":abort_on_error=0",
    "UBSAN_OPTIONS": f"exitcode={UBSAN_EXIT}:halt_on_error=1"
                     ":print_stacktrace=1",
}
SANITIZER_REPORT = re.compile(r"ERROR: AddressSanitizer|runtime error:|"
                              r"LeakSanitizer|ERROR: \w+Sanitizer")

# The driver: the tool's source with main() renamed.  A request is one
# line, "T\tPATH\tERR" (the tool on PATH), "M\tPATH\tERR" (with
# --module) or "S\tWHAT\tERR" (a self-test: a deliberate bug, to show
# that the harness sees it); the tool's stderr goes to the file ERR.  The
# reply is "STATUS LEAKED FDS": the tool's return value, the bytes it
# left allocated, and 1 if it left a file descriptor open.
DRIVER = r"""
#define main static_call_sites_main
#include "@SOURCE@"
#undef main

#include <limits.h>
#include <sanitizer/lsan_interface.h>

size_t __sanitizer_get_current_allocated_bytes(void);

static volatile int sink;
static void *volatile keep;

static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static int self_test(const char *what)
{
	volatile int big = INT_MAX;
	char *p;

	if (!strcmp(what, "asan")) {
		p = malloc(big - INT_MAX + 4);	/* a size UBSan cannot see */
		sink = p[4];
		free(p);
	} else if (!strcmp(what, "ubsan")) {
		sink = big + 1;
	} else if (!strcmp(what, "leak")) {
		keep = malloc(24);
		keep = NULL;
	} else if (!strcmp(what, "fd")) {
		sink = open("/dev/null", O_RDONLY);
	} else if (!strcmp(what, "hang")) {
		for (;;)
			pause();
	}
	return 0;
}

int main(void)
{
	char line[8192];
	FILE *reply = fdopen(dup(1), "w");
	int null = open("/dev/null", O_WRONLY);

	if (!reply || null < 0 || dup2(null, 1) < 0)
		return 2;
	close(null);
	while (fgets(line, sizeof(line), stdin)) {
		char *what = strtok(line, "\t\n");
		char *path = strtok(NULL, "\t\n");
		char *err = strtok(NULL, "\t\n");
		char *argv[4] = { "static_call_sites" };
		int argc = 1, fd, fds, ret;
		size_t before, after;

		if (!what || !path || !err)
			return 2;
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 2) < 0)
			return 2;
		close(fd);
		fds = lowest_free_fd();
		before = __sanitizer_get_current_allocated_bytes();
		if (what[0] == 'S') {
			ret = self_test(path);
		} else {
			for_module = false;
			if (what[0] == 'M')
				argv[argc++] = "--module";
			argv[argc++] = path;
			ret = static_call_sites_main(argc, argv);
		}
		after = __sanitizer_get_current_allocated_bytes();
		if (after != before)
			__lsan_do_recoverable_leak_check();
		fprintf(reply, "%d %zd %d\n", ret, (ssize_t)(after - before),
			lowest_free_fd() != fds);
		fflush(reply);
	}
	return 0;
}
"""

# Seeds beyond test_static_call_sites's samples.  MANY has more sites
# than the tool's first allocation (64) and tail calls to three
# trampolines; MIXED has a key for one trampoline only (a module).
MANY = "struct k;\nextern struct k __SCK__a, __SCK__b, __SCK__c;\n" + \
    "void *keys[] = { &__SCK__a, &__SCK__b, &__SCK__c };\n" + \
    "extern void __SCT__a(int), __SCT__b(int), __SCT__c(int);\n" + \
    "".join(f"void f{i}(int x) {{ __SCT__a(x); __SCT__b(x + {i}); "
            f"__SCT__c(x); }}\n" for i in range(24))
MIXED = r"""
struct k;
extern struct k __SCK__foo;
void *p = &__SCK__foo;
extern void __SCT__foo(int), __SCT__bar(int);
void f(int x) { __SCT__foo(x); __SCT__bar(x); }
void g(int x) { __SCT__bar(x); __SCT__foo(x); }
"""

# ------------------------------------------------------------------ ELF

EM_AARCH64, ET_REL = 183, 1
SHT_NULL, SHT_SYMTAB, SHT_STRTAB, SHT_RELA = 0, 2, 3, 4
SHT_NOBITS, SHT_REL, SHT_SYMTAB_SHNDX = 8, 9, 18
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
CODE = SHF_ALLOC | SHF_EXECINSTR
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 0, 1, 2, 3, 4
STB_LOCAL, STB_GLOBAL = 0, 1
SHN_LORESERVE = 0xff00
R_PREL32, R_JUMP26, R_CALL26 = 261, 282, 283
TRAMP, KEY = "__SCT__", "__SCK__"
SITES, RELA_SITES = ".static_call_sites", ".rela.static_call_sites"

EHDR_SHOFF, EHDR_SHENTSIZE, EHDR_SHNUM, EHDR_SHSTRNDX = 40, 58, 60, 62
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
RELA = struct.Struct("<QQq")
SHDR_FIELDS = ("name", "type", "flags", "addr", "offset", "size", "link",
               "info", "addralign", "entsize")
Shdr = collections.namedtuple("Shdr", SHDR_FIELDS)
# Each field's offset in a section header and its struct format.
SHDR_AT = {f: (struct.calcsize("<" + SHDR.format[1:1 + i]),
               "<" + SHDR.format[1 + i])
           for i, f in enumerate(SHDR_FIELDS)}
Sym = collections.namedtuple("Sym", "name type bind shndx value")


class Bad(Exception):
    """The input is malformed in a way that leaves its table undefined:
    the tool must refuse it."""


def kind(data):
    """What the tool must do with a file, from its ELF identification:
    "reject" it, "skip" it (a 32-bit, other machine or other type of
    object, or a big-endian one of another machine) or read it ("elf")."""
    if len(data) < 16 or data[:4] != b"\x7fELF":
        return "reject"
    if data[4] == 1:
        return "skip"
    if data[4] != 2 or len(data) < 64:
        return "reject"
    if data[5] == 2:
        return "reject" if data[18:20] == b"\x00\xb7" else "skip"
    if data[5] != 1:
        return "reject"
    type_, machine = struct.unpack_from("<HH", data, 16)
    return "elf" if (type_, machine) == (ET_REL, EM_AARCH64) else "skip"


def anchor_ok(sym):
    """Can a relocation against this symbol name a place in its section:
    a local section symbol, or a local or global (not weak) function,
    object or untyped symbol, which no other object can replace?"""
    if sym.type == STT_SECTION:
        return sym.bind == STB_LOCAL
    return sym.type in (STT_NOTYPE, STT_OBJECT, STT_FUNC) and \
        sym.bind in (STB_LOCAL, STB_GLOBAL)


class Obj:
    """A little-endian ELF64 relocatable file, read strictly: whatever
    the table depends on must make sense, or Bad.  A site is an
    R_AARCH64_CALL26 (bl) or _JUMP26 (b) relocation, in an SHT_RELA
    section, against a symbol other than 0 named __SCT__*, of a place in
    an SHF_ALLOC|SHF_EXECINSTR section that holds that very branch, with
    addend 0, and a symbol that anchor_ok() to name it by.  Sections may
    overlap each other: the linker reads the bytes the tool read, so the
    table is still right for them."""

    def __init__(self, data):
        self.data = data
        (self.shoff,) = struct.unpack_from("<Q", data, EHDR_SHOFF)
        entsize, shnum, self.shstrndx = struct.unpack_from("<HHH", data,
                                                           EHDR_SHENTSIZE)
        if shnum == 0:
            raise Bad("no section headers, or extended numbering")
        if entsize != SHDR.size:
            raise Bad(f"section header size {entsize}")
        if self.shoff + shnum * SHDR.size > len(data):
            raise Bad("section headers past the end")
        self.sh = [Shdr._make(SHDR.unpack_from(data,
                                               self.shoff + i * SHDR.size))
                   for i in range(shnum)]
        for i, s in enumerate(self.sh):
            if s.type not in (SHT_NULL, SHT_NOBITS) and \
                    s.offset + s.size > len(data):
                raise Bad(f"section {i} past the end")
            if s.type == SHT_SYMTAB_SHNDX:
                raise Bad("SHT_SYMTAB_SHNDX")
        if not 0 < self.shstrndx < shnum or \
                self.sh[self.shstrndx].type != SHT_STRTAB:
            raise Bad("no section name table")
        self.names = [self.string(self.shstrndx, s.name) for s in self.sh]
        symtabs = [i for i, s in enumerate(self.sh) if s.type == SHT_SYMTAB]
        if len(symtabs) > 1:
            raise Bad("two symbol tables")
        self.symtab = symtabs[0] if symtabs else 0
        self.syms = self._symbols() if self.symtab else []

    def string(self, sec, off):
        s = self.sh[sec]
        end = self.data.find(b"\0", s.offset + off, s.offset + s.size)
        if off >= s.size or end < 0:
            raise Bad(f"string {off:#x} of section {sec}")
        return self.data[s.offset + off:end].decode("latin-1")

    def _symbols(self):
        st = self.sh[self.symtab]
        if st.entsize != SYM.size or st.size % SYM.size:
            raise Bad("symbol size")
        if not 0 < st.link < len(self.sh) or \
                self.sh[st.link].type != SHT_STRTAB:
            raise Bad("symbol names")
        syms = []
        for name, info, _, shndx, value, _ in SYM.iter_unpack(
                self.data[st.offset:st.offset + st.size]):
            if len(self.sh) <= shndx < SHN_LORESERVE:
                raise Bad(f"symbol in section {shndx}")
            syms.append(Sym(self.string(st.link, name), info & 0xf,
                            info >> 4, shndx, value))
        return syms

    def relocations(self, sec):
        s = self.sh[sec]
        return [(off, info & 0xffffffff, info >> 32, addend)
                for off, info, addend in RELA.iter_unpack(
                    self.data[s.offset:s.offset + s.size])]

    def expect(self, module):
        """The sites a correct table lists: {(section, offset): (tail,
        trampoline, key)}, the key a name or, when the entry is to name
        the trampoline, the index of the branch's symbol."""
        if SITES in self.names or RELA_SITES in self.names:
            raise Bad("a site table already")
        sites = {}
        for i, rs in enumerate(self.sh):
            if i == 0 or rs.type not in (SHT_RELA, SHT_REL):
                continue
            if rs.info >= len(self.sh):
                raise Bad(f"section {i} relocates section {rs.info}")
            target = self.sh[rs.info]
            if target.flags & CODE != CODE:
                continue
            if rs.type == SHT_REL:
                raise Bad("SHT_REL relocations of code")
            if rs.entsize != RELA.size or rs.size % RELA.size or \
                    not self.symtab or rs.link != self.symtab:
                raise Bad(f"relocation section {i}")
            for off, type_, sym, addend in self.relocations(i):
                if type_ not in (R_CALL26, R_JUMP26):
                    continue
                if sym >= len(self.syms):
                    raise Bad("relocation against no symbol")
                # Symbol 0 is no symbol, whatever its entry holds.
                tramp = self.syms[sym].name
                if sym == 0 or not tramp.startswith(TRAMP):
                    continue
                self._site(sites, rs.info, off, type_ == R_JUMP26, addend)
                sites[(rs.info, off)] = (type_ == R_JUMP26, tramp,
                                         self._key(tramp, module, sym))
        return sites

    def _site(self, sites, sec, off, tail, addend):
        target = self.sh[sec]
        if addend or (sec, off) in sites or off % 4 or \
                target.type in (SHT_NULL, SHT_NOBITS) or \
                off + 4 > target.size:
            raise Bad(f"site {sec}+{off:#x}")
        (insn,) = struct.unpack_from("<I", self.data, target.offset + off)
        if insn >> 26 != (0x05 if tail else 0x25):
            raise Bad(f"no branch at {sec}+{off:#x}")
        if not any(s.shndx == sec and anchor_ok(s) for s in self.syms[1:]):
            raise Bad(f"no symbol in section {sec}")

    def _key(self, tramp, module, sym):
        key = KEY + tramp[len(TRAMP):]
        if any(s.name == key and s.type not in (STT_SECTION, STT_FILE)
               for s in self.syms[1:]):
            return key
        if module:
            return sym
        raise Bad(f"no {key}")


def expect(data, module):
    """("reject", why), ("skip", None) or ("sites", (Obj, sites))."""
    what = kind(data)
    if what != "elf":
        return what, None
    try:
        obj = Obj(data)
        return "sites", (obj, obj.expect(module))
    except Bad as e:
        return "reject", str(e)


def check_output(before, sites, out):
    """What is wrong with the tool's output for an input read as `before`
    (an Obj) whose sites are `sites`: [] when nothing is."""
    inp = before.data
    n = len(before.sh)
    if len(out) <= len(inp) or out[64:len(inp)] != inp[64:]:
        return ["the input's bytes were changed"]
    head = bytearray(out[:64])
    head[EHDR_SHOFF:EHDR_SHOFF + 8] = inp[EHDR_SHOFF:EHDR_SHOFF + 8]
    head[EHDR_SHNUM:EHDR_SHNUM + 2] = inp[EHDR_SHNUM:EHDR_SHNUM + 2]
    if head != inp[:64]:
        return ["the ELF header was changed beyond e_shoff and e_shnum"]
    try:
        obj = Obj(out)
    except Bad as e:
        return [f"the output is malformed: {e}"]
    if len(obj.sh) != n + 2 or obj.shoff < len(inp):
        return ["not two sections more, in new section headers"]
    problems = []
    for i in range(n):
        old, new = before.sh[i], obj.sh[i]
        if i == before.shstrndx:
            new = new._replace(offset=old.offset, size=old.size)
            copy = out[obj.sh[i].offset:][:old.size]
            if obj.sh[i].size < old.size or copy != inp[old.offset:][
                    :old.size]:
                problems.append("the section names were not copied whole")
        if new != old:
            problems.append(f"section {i}'s header was changed")
    sec, rel = obj.sh[n], obj.sh[n + 1]
    regions = sorted([(obj.sh[before.shstrndx].offset,
                       obj.sh[before.shstrndx].size),
                      (sec.offset, sec.size), (rel.offset, rel.size),
                      (obj.shoff, len(obj.sh) * SHDR.size)])
    if regions[0][0] < len(inp) or any(
            a[0] + a[1] > b[0] for a, b in zip(regions, regions[1:])):
        problems.append("the new sections overlap the old file or each "
                        "other")
    count = len(sites)
    want_sec = (SITES, 1, SHF_ALLOC | SHF_WRITE, 8 * count, 0, 0, 8)
    if (obj.names[n], sec.type, sec.flags, sec.size, sec.link, sec.info,
            sec.entsize) != want_sec or sec.addralign not in (4, 8):
        problems.append(f"{SITES}'s header: {sec}")
    elif out[sec.offset:sec.offset + sec.size] != bytes(sec.size):
        problems.append(f"{SITES} is not zeroes")
    if (obj.names[n + 1], rel.type, rel.size, rel.link, rel.info,
            rel.entsize) != (RELA_SITES, SHT_RELA, 2 * RELA.size * count,
                             before.symtab, n, RELA.size) or rel.offset % 8:
        problems.append(f"{RELA_SITES}'s header: {rel}")
    if problems:
        return problems

    fields = {}
    for off, type_, sym, addend in obj.relocations(n + 1):
        if type_ != R_PREL32 or off in fields or off % 4 or \
                off >= 8 * count or sym >= len(obj.syms) or sym == 0:
            problems.append(f"bad relocation at {off:#x}: type {type_}, "
                            f"symbol {sym}")
        fields[off] = (sym, addend)
    if problems:
        return problems
    seen = set()
    for i in range(count):
        (site, s_add), (k_sym, k_add) = fields[8 * i], fields[8 * i + 4]
        site, key = obj.syms[site], obj.syms[k_sym]
        place = (site.shndx, (site.value + s_add) % 2**64)
        if not anchor_ok(site) or place not in sites:
            problems.append(f"entry {i}: {site.name or site.shndx}"
                            f"{s_add:+#x} ({place[0]}+{place[1]:#x}) is "
                            f"no site")
            continue
        if place in seen:
            problems.append(f"entry {i}: {place} listed twice")
        seen.add(place)
        tail, tramp, want = sites[place]
        if (k_sym != want if isinstance(want, int) else
                key.name != want or key.type in (STT_SECTION, STT_FILE)) or \
                k_add != int(tail):
            problems.append(f"entry {i} ({tramp}, tail {tail}): key "
                            f"{key.name} (symbol {k_sym}){k_add:+d}, not "
                            f"{want}")
    return problems


# --------------------------------------------------------------- seeds


class Seed:
    """One seed object and where its structures are, for the mutators."""

    def __init__(self, name, data):
        self.name, self.data = name, data
        obj = self.obj = Obj(data)
        self.shdrs = [obj.shoff + i * SHDR.size for i in range(len(obj.sh))]
        st = obj.sh[obj.symtab]
        self.syms = [st.offset + i * SYM.size for i in range(len(obj.syms))]
        self.strtab = obj.sh[st.link]
        self.special = [i for i, s in enumerate(obj.syms)
                        if s.name.startswith((TRAMP, KEY)) or
                        (s.shndx < len(obj.sh) and
                         obj.sh[s.shndx].flags & CODE == CODE)]
        self.names = sorted({SYM.unpack_from(data, off)[0]
                             for off in self.syms})
        self.relocs, self.sites, self.insns, self.site_secs = [], [], [], []
        for i, s in enumerate(obj.sh):
            if s.type != SHT_RELA:
                continue
            for j, (off, type_, sym, _) in enumerate(obj.relocations(i)):
                at = s.offset + j * RELA.size
                self.relocs.append(at)
                if type_ in (R_CALL26, R_JUMP26) and \
                        obj.syms[sym].name.startswith(TRAMP):
                    self.sites.append(at)
                    self.insns.append(obj.sh[s.info].offset + off)
                    self.site_secs.append(s.info)


def _value(rng, bits, orig, *related):
    top = (1 << bits) - 1
    return rng.choice([0, 1, 2, 4, top, top >> 1, (top >> 1) + 1,
                       rng.getrandbits(bits), rng.getrandbits(8),
                       orig + 1, orig - 1, orig + 2, orig + 4, orig - 4,
                       orig + 24, orig - 24, orig * 2, orig ^ (1 << bits - 1),
                       *related]) & top


def _put(buf, off, fmt, value):
    if off + struct.calcsize(fmt) <= len(buf):
        struct.pack_into(fmt, buf, off, value)


class Mutator:
    """The mutations of one input; each returns what it did."""

    def __init__(self, rng, seed):
        self.rng, self.seed = rng, seed

    def truncate(self, buf):
        size = self.rng.choice([self.rng.randrange(len(buf)),
                                self.rng.randrange(64),
                                len(buf) - self.rng.randrange(1, 256)])
        del buf[max(size, 0):]
        return f"truncated to {len(buf)}"

    def flip(self, buf):
        done = []
        for _ in range(self.rng.choice([1, 1, 2, 4, 8])):
            where = self.rng.choice([(0, 64), (self.seed.shdrs[0],
                                               len(self.seed.data)),
                                     (0, len(buf))])
            at = self.rng.randrange(where[0], min(where[1], len(buf)))
            if self.rng.random() < 0.5:
                buf[at] ^= 1 << self.rng.randrange(8)
            else:
                buf[at] = self.rng.randrange(256)
            done.append(f"{at:#x}")
        return "bytes changed at " + ",".join(done)

    def splice(self, buf):
        at = self.rng.randrange(len(buf))
        n = self.rng.choice([1, 4, 8, 24, 64])
        if self.rng.random() < 0.5:
            buf[at:at] = bytes(self.rng.randrange(256) for _ in range(n))
            return f"{n} bytes inserted at {at:#x}"
        del buf[at:at + n]
        return f"{n} bytes removed at {at:#x}"

    def ehdr(self, buf):
        rng, obj = self.rng, self.seed.obj
        n = len(obj.sh)
        field, off, fmt, value = rng.choice([
            ("e_shoff", EHDR_SHOFF, "<Q", _value(
                rng, 64, obj.shoff, len(buf), len(buf) - 64,
                obj.shoff + 64, obj.shoff - 64, len(buf) - n * 64 + 1)),
            ("e_shentsize", EHDR_SHENTSIZE, "<H", rng.choice(
                [0, 40, 63, 65, 128, 0xffff])),
            ("e_shnum", EHDR_SHNUM, "<H", rng.choice(
                [0, 1, 2, n - 1, n + 1, n + 2, 0xff00, 0xffff,
                 rng.randrange(0x10000)])),
            ("e_shstrndx", EHDR_SHSTRNDX, "<H", rng.choice(
                [0, n - 1, n, n + 1, 0xffff, rng.randrange(n),
                 obj.symtab, obj.sh[obj.symtab].link])),
            ("e_ident", rng.choice([4, 5]), "<B", rng.randrange(4)),
            ("e_type", 16, "<H", rng.choice([0, 2, 3, 0xff00])),
            ("e_machine", 18, "<H", rng.choice([0, 62, 0xb700])),
            ("big-endian", 5, "<B", 2),
        ])
        _put(buf, off, fmt, value)
        if field == "big-endian":
            _put(buf, 18, ">H", EM_AARCH64)
        return f"{field} = {value:#x}"

    def shdr(self, buf, index=None, field=None):
        rng, obj = self.rng, self.seed.obj
        n = len(obj.sh)
        i = rng.randrange(n) if index is None else index
        s = obj.sh[i]
        others = [rng.choice(obj.sh)]
        field = field or rng.choice(SHDR_FIELDS[:3] + SHDR_FIELDS[4:])
        orig = getattr(s, field)
        if field == "type":
            value = rng.choice([0, 1, 2, 3, 4, 8, 9, 11, 17, 18,
                                rng.getrandbits(32)])
        elif field == "flags":
            value = rng.choice([orig ^ SHF_EXECINSTR, orig ^ SHF_ALLOC,
                                orig | CODE, 0, rng.getrandbits(64)])
        elif field in ("link", "info"):
            value = _value(rng, 32, orig, n - 1, n, obj.symtab,
                           rng.randrange(n), obj.shstrndx)
        elif field == "name":
            value = _value(rng, 32, orig, others[0].name,
                           obj.sh[obj.shstrndx].size,
                           obj.sh[obj.shstrndx].size - 1)
        elif field == "entsize":
            value = rng.choice([0, 1, 8, 23, 24, 25, 48, 64, 2**64 - 1])
        else:
            value = _value(rng, 64, orig, getattr(others[0], field),
                           len(buf) - s.offset, len(buf) - s.offset + 1,
                           len(buf) - s.size, len(buf))
        off, fmt = SHDR_AT[field]
        _put(buf, self.seed.shdrs[i] + off, fmt, value)
        return f"section {i} {self.seed.obj.names[i]} sh_{field} = " \
               f"{value:#x}"

    def overlap(self, buf):
        rng, obj = self.rng, self.seed.obj
        i = rng.randrange(1, len(obj.sh))
        s, other = obj.sh[i], rng.choice(obj.sh)
        if rng.random() < 0.5:
            value = rng.choice([other.offset, other.offset + other.size - 1,
                                len(buf) - s.size + rng.randrange(1, 9)])
            field = "offset"
        else:
            value = len(buf) - s.offset + rng.randrange(9)
            field = "size"
        _put(buf, self.seed.shdrs[i] + SHDR_AT[field][0], "<Q",
             value & (2**64 - 1))
        return f"section {i} sh_{field} = {value:#x}"

    def sym(self, buf):
        rng, seed = self.rng, self.seed
        obj = seed.obj
        i = rng.choice(seed.special if rng.random() < 0.6 else
                       range(len(seed.syms)))
        at = seed.syms[i]
        s = obj.syms[i]
        field = rng.choice(["name", "info", "shndx", "value", "rename"])
        if field in ("name", "rename"):
            name = rng.choice(seed.names)
            value = (name + rng.choice([0, 0, 1, 7, 8])
                     if field == "rename" else
                     _value(rng, 32, name, seed.strtab.size,
                            seed.strtab.size - 1))
            _put(buf, at, "<I", value)
        elif field == "info":
            value = rng.choice([rng.randrange(256),
                                rng.choice([0, 1, 2, 10]) << 4 | s.type,
                                s.bind << 4 | rng.choice(
                                    [0, 1, 2, 3, 4, 5, 6, 10])])
            _put(buf, at + 4, "<B", value)
        elif field == "shndx":
            n = len(obj.sh)
            value = rng.choice([0, n - 1, n, rng.randrange(n), 0xff00,
                                0xfff1, 0xfff2, 0xffff,
                                rng.randrange(0x10000)])
            _put(buf, at + 6, "<H", value)
        else:
            value = _value(rng, 64, s.value, 2**63)
            _put(buf, at + 8, "<Q", value)
        return f"symbol {i} {s.name} {field} = {value:#x}"

    def rela(self, buf):
        rng, seed = self.rng, self.seed
        at = rng.choice(seed.sites if seed.sites and rng.random() < 0.7
                        else seed.relocs)
        off, info, addend = RELA.unpack_from(seed.data, at)
        field = rng.choice(["offset", "symbol", "type", "addend", "copy"])
        if field == "offset":
            other = RELA.unpack_from(seed.data, rng.choice(seed.relocs))[0]
            value = _value(rng, 64, off, other, off + 2, 2**64 - 4)
            _put(buf, at, "<Q", value)
        elif field == "symbol":
            sym = info >> 32
            value = _value(rng, 32, sym, len(seed.syms),
                           len(seed.syms) - 1, rng.choice(seed.special))
            _put(buf, at + 12, "<I", value)
        elif field == "type":
            type_ = info & 0xffffffff
            value = rng.choice([type_ ^ 1, 0, R_PREL32, 257, 1024,
                                0xffffffff, rng.getrandbits(32)])
            _put(buf, at + 8, "<I", value)
        elif field == "addend":
            value = rng.choice([1, 4, -4, -2**63, rng.getrandbits(63)])
            _put(buf, at + 16, "<q", value)
        else:
            value = rng.choice(seed.relocs)
            if max(at, value) + RELA.size <= len(buf):
                buf[value:value + RELA.size] = buf[at:at + RELA.size]
            return f"relocation at {at:#x} copied to {value:#x}"
        return f"relocation at {at:#x} {field} = {value:#x}"

    def orphan(self, buf):
        """Spoil the symbols of a section with sites, one way or another
        each: weak, IFUNC, TLS, OS or processor specific, not local (a
        section symbol), moved past the sites or to another section."""
        rng, seed = self.rng, self.seed
        obj = seed.obj
        sec = rng.choice(sorted(set(seed.site_secs)) or [1])
        done = []
        for i, sym in enumerate(obj.syms):
            if sym.shndx != sec or rng.random() < 0.2:
                continue
            at = seed.syms[i]
            how = rng.choice(["weak", "ifunc", "tls", "unique", "global",
                              "os", "past", "elsewhere"])
            info = {"weak": 0x20 | sym.type, "ifunc": sym.bind << 4 | 10,
                    "tls": sym.bind << 4 | 6, "unique": 0xa0 | sym.type,
                    "global": 0x10 | sym.type,
                    "os": rng.randrange(10, 16) << 4 | sym.type}.get(how)
            if info is not None:
                _put(buf, at + 4, "<B", info)
            elif how == "past":
                _put(buf, at + 8, "<Q", obj.sh[sec].size)
            else:
                _put(buf, at + 6, "<H", rng.randrange(len(obj.sh)))
            done.append(f"{i} {how}")
        return f"symbols of section {sec}: " + ", ".join(done)

    def null_symbol(self, buf):
        """A site's relocation against symbol 0, given a trampoline's name:
        symbol 0 is no symbol (STN_UNDEF), whatever its entry holds."""
        seed = self.seed
        if not seed.sites:
            return self.rela(buf)
        at = self.rng.choice(seed.sites)
        name = SYM.unpack_from(seed.data, seed.syms[RELA.unpack_from(
            seed.data, at)[1] >> 32])[0]
        _put(buf, seed.syms[0], "<I", name)
        _put(buf, at + 12, "<I", 0)
        return f"relocation at {at:#x} against symbol 0, named {name:#x}"

    def strings(self, buf):
        rng, obj = self.rng, self.seed.obj
        sec = rng.choice([obj.shstrndx, obj.sh[obj.symtab].link])
        s = obj.sh[sec]
        how = rng.choice(["end", "nul", "shrink", "rename"])
        if how == "end":
            buf[s.offset + s.size - 1] = ord("x")
        elif how == "nul":
            nuls = [i for i in range(s.offset, s.offset + s.size)
                    if buf[i] == 0]
            buf[rng.choice(nuls)] = ord(rng.choice("_x."))
        elif how == "shrink":
            return self.shdr(buf, sec, "size")
        else:
            buf[rng.randrange(s.offset, s.offset + s.size)] = \
                ord(rng.choice("_SCTKx\0\n\x1b"))
        return f"section {sec}'s strings: {how}"

    def insn(self, buf):
        rng = self.rng
        if not self.seed.insns:
            return self.flip(buf)
        at = rng.choice(self.seed.insns)
        value = rng.choice([
            struct.unpack_from("<I", buf, at)[0] ^ 0x80000000,
            0xd503201f, rng.getrandbits(32)])
        _put(buf, at, "<I", value)
        return f"instruction at {at:#x} = {value:#x}"

    def stack(self, buf):
        done = []
        for _ in range(self.rng.randrange(2, 4)):
            mutate = self.pick(stacked=True)
            # After a truncation some places are gone: skip what needs them.
            try:
                done.append(mutate(buf) if buf else "nothing (empty)")
            except (IndexError, ValueError, struct.error):
                done.append(f"nothing ({mutate.__name__})")
        return "; ".join(done)

    def pick(self, stacked=False):
        weights = {self.truncate: 1, self.flip: 3, self.splice: 1,
                   self.ehdr: 2, self.shdr: 6, self.overlap: 1,
                   self.sym: 5, self.rela: 6, self.strings: 2,
                   self.insn: 1, self.null_symbol: 0.5, self.orphan: 1}
        if not stacked:
            weights[self.stack] = 4
        funcs = list(weights)
        return self.rng.choices(funcs, [weights[f] for f in funcs])[0]


def make_input(seeds, seed, index):
    """Input `index` of campaign `seed`: (seed name, --module, bytes,
    what was done)."""
    rng = random.Random(f"{seed}/{index}")
    # The object with a table already mostly tests one check.
    s = rng.choices(seeds, [0.2 if s.name == "done" else 1 for s in seeds])[0]
    module = rng.random() < 0.5
    buf = bytearray(s.data)
    what = Mutator(rng, s).pick()(buf)
    return s.name, module, bytes(buf), what


def make_seeds(dest):
    """The seed objects, compiled in dest."""
    objects = samples.compile_objects(dest)
    del objects["host"]           # not AArch64: no structure to mutate
    for name, text in (("many", MANY), ("mixed", MIXED)):
        objects[name] = samples.compile_aarch64(dest, name, text)
    done = Path(dest) / "done.o"
    shutil.copyfile(objects["calls"], done)
    tool = samples.build_tool(dest, name="static_call_sites-O2")
    subprocess.run([str(tool), str(done)], check=True)
    objects["done"] = done        # already has a table
    return [Seed(name, Path(p).read_bytes())
            for name, p in sorted(objects.items())]


# -------------------------------------------------------------- harness


class Driver:
    """The driver process, restarted after it dies."""

    def __init__(self, exe, work):
        self.exe, self.work = exe, Path(work)
        self.path, self.err = self.work / "obj.o", self.work / "err"
        self.proc = None

    def start(self):
        env = dict(os.environ, **SANITIZER_ENV)
        self.proc = subprocess.Popen([str(self.exe)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env)

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.proc = None

    def request(self, what, arg, timeout=TIMEOUT):
        """("exit", status, leaked bytes, fd left open) or ("died",
        status) or ("timeout", None); and the stderr."""
        if not self.proc:
            self.start()
        out = self.proc.stdout.fileno()
        os.write(self.proc.stdin.fileno(),
                 f"{what}\t{arg}\t{self.err}\n".encode())
        reply = b""
        deadline = time.monotonic() + timeout
        while not reply.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([out], [], [], left)[0]:
                self.stop()
                return ("timeout", None), self._stderr()
            chunk = os.read(out, 256)
            if not chunk:
                status = self.proc.wait()
                self.stop()
                return ("died", status), self._stderr()
            reply += chunk
        status, leaked, fds = map(int, reply.split())
        return ("exit", status, leaked, fds), self._stderr()

    def _stderr(self):
        try:
            return self.err.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def run(self, data, module):
        self.path.write_bytes(data)
        return self.request("M" if module else "T", self.path)


def judge(driver, data, module):
    """Run one input; its outcome class and the problems found."""
    (how, *result), err = driver.run(data, module)
    out = driver.path.read_bytes()
    left = sorted(set(os.listdir(driver.work)) -
                  {driver.path.name, driver.err.name})
    want, detail = expect(data, module)
    problems = []
    if how == "timeout":
        return "crash", [f"no answer in {TIMEOUT} s"]
    if how == "died":
        return "crash", [f"the driver died (status {result[0]}):\n{err}"]
    status, leaked, fds = result
    if SANITIZER_REPORT.search(err):
        problems.append(f"sanitizer report:\n{err}")
    if leaked:
        problems.append(f"{leaked} bytes left allocated:\n{err}")
    if fds:
        problems.append("a file descriptor left open")
    if left:
        problems.append(f"files left behind: {left}")
    if status not in (0, 1):
        problems.append(f"return value {status}")
    if status:
        line = re.escape(f"static_call_sites: {driver.path}: ")
        if not re.fullmatch(line + r"[^\0-\x1f\x7f]*\S[^\0-\x1f\x7f]*\n",
                            err):
            problems.append(f"not one clear line naming the file: {err!r}")
        if out != data:
            problems.append("refused, but the file was changed")
        return ("rejected" if want == "reject" else "rejected, stricter"), \
            problems
    if err:
        problems.append(f"accepted with a message: {err!r}")
    if want == "reject":
        problems.append(f"accepted (exit 0) what is malformed: {detail}")
        return "accepted, malformed", problems
    if out == data:
        if want == "sites" and detail[1]:
            problems.append(f"left alone with {len(detail[1])} sites")
        return "unchanged", problems
    if want == "skip":
        problems.append("changed a file it must leave alone")
        return "table", problems
    return "table", problems + check_output(detail[0], detail[1], out)


class _Built:
    """The seeds, the driver and the tool under ASan, built once."""
    work = seeds = tool = driver = None


def setUpModule():
    if samples.MISSING:
        return
    _Built.work = tempfile.TemporaryDirectory(prefix="scs-fuzz-")
    work = Path(_Built.work.name)
    (work / "run").mkdir()
    _Built.seeds = make_seeds(work)
    driver = work / "driver.c"
    driver.write_text(DRIVER.replace("@SOURCE@", str(samples.SOURCE)))
    _Built.driver = Driver(samples.build_tool(work, SANITIZE, driver,
                                              "driver"), work / "run")
    _Built.tool = samples.build_tool(work, SANITIZE,
                                     name="static_call_sites-asan")


def tearDownModule():
    if _Built.work:
        _Built.driver.stop()
        _Built.work.cleanup()


class _Harness(unittest.TestCase):
    def setUp(self):
        self.seeds, self.driver, self.tool = \
            _Built.seeds, _Built.driver, _Built.tool


@samples.needs_toolchain
class Harness(_Harness):
    def test_sanitizer_reports_leaks_and_hangs_are_seen(self):
        for what, status in (("asan", ASAN_EXIT), ("ubsan", UBSAN_EXIT)):
            with self.subTest(what):
                (how, code), err = self.driver.request("S", what)
                self.assertEqual((how, code), ("died", status))
                self.assertRegex(err, SANITIZER_REPORT)
        (how, status, leaked, fds), err = self.driver.request("S", "leak")
        self.assertEqual((how, status, leaked, fds), ("exit", 0, 24, 0))
        self.assertIn("LeakSanitizer", err)
        (how, status, leaked, fds), _ = self.driver.request("S", "fd")
        self.assertEqual((how, fds), ("exit", 1))
        self.assertEqual(self.driver.request("S", "hang", 0.5)[0][0],
                         "timeout")

    def test_seeds(self):
        """Unmutated, each seed is done right (binutils agree), and the
        oracle is no rubber stamp: a wrong table fails it."""
        for seed in self.seeds:
            for module in (False, True):
                with self.subTest(seed=seed.name, module=module):
                    outcome, problems = judge(self.driver, seed.data, module)
                    self.assertEqual(problems, [])
                    want = {"done": "rejected", "no_sites": "unchanged"}
                    if not module and seed.name in ("no_key", "mixed",
                                                    "no_section_symbol"):
                        want[seed.name] = "rejected"
                    self.assertEqual(outcome, want.get(seed.name, "table"))
                    if outcome == "table":
                        self.assertEqual(sitecheck.check_module(
                            self.driver.path, samples.CROSS),
                            (len(expect(seed.data, module)[1][1]), []))
        seed = next(s for s in self.seeds if s.name == "many")
        self.assertGreater(len(seed.sites), 64)
        self.driver.run(seed.data, False)
        good = self.driver.path.read_bytes()
        obj, sites = expect(seed.data, False)[1]
        self.assertEqual(check_output(obj, sites, good), [])
        rela = Obj(good).sh[-1].offset
        for what, at, fmt, value in (
                ("tail flag", rela + 48 * 3 + 24 + 16, "<q", 1),
                ("site", rela + 16, "<q", 4),
                ("key", rela + 24 + 12, "<I", 1),
                ("type", rela + 8, "<I", R_CALL26)):
            with self.subTest(what):
                bad = bytearray(good)
                struct.pack_into(fmt, bad, at,
                                 struct.unpack_from(fmt, bad, at)[0] ^ value)
                self.assertNotEqual(check_output(obj, sites, bytes(bad)), [])
        obj, sites = expect(seed.data, False)[1]
        del sites[max(sites)]
        self.assertNotEqual(check_output(obj, sites, good), [])

    def test_driver_agrees_with_the_tool(self):
        """The tool run as its own process, on 40 inputs, does what the
        driver does."""
        d = Path(_Built.work.name) / "alone"
        d.mkdir(exist_ok=True)
        env = dict(os.environ, **SANITIZER_ENV)
        for i in range(40):
            name, module, data, _ = make_input(self.seeds, SEED, i)
            path = d / "obj.o"
            path.write_bytes(data)
            (_, status, *_), err = self.driver.run(data, module)
            r = subprocess.run([str(self.tool), *["--module"] * module,
                                str(path)], env=env, capture_output=True,
                               text=True)
            with self.subTest(input=i):
                self.assertEqual(r.returncode, status)
                self.assertEqual(r.stderr, err.replace(
                    str(self.driver.path), str(path)))
                self.assertEqual(path.read_bytes(),
                                 self.driver.path.read_bytes())


@samples.needs_toolchain
class Fuzz(_Harness):
    def test_mutated_objects(self):
        counts = collections.Counter()
        failures = []
        start = time.monotonic()
        for i in range(FIRST, FIRST + INPUTS):
            name, module, data, what = make_input(self.seeds, SEED, i)
            outcome, problems = judge(self.driver, data, module)
            counts[outcome] += 1
            if problems:
                failures.append(
                    f"SCBENCH_FUZZ_SEED={SEED} SCBENCH_FUZZ_FIRST={i}: "
                    f"{name}{' --module' if module else ''}, {what}: "
                    + "; ".join(problems))
        took = time.monotonic() - start
        print(f"\nfuzz: seed {SEED}, inputs {FIRST}..{FIRST + INPUTS - 1}, "
              f"{took:.1f} s: " + ", ".join(
                  f"{k} {v}" for k, v in sorted(counts.items())),
              file=sys.stderr)
        self.assertEqual(failures[:20], [], f"{len(failures)} failures:\n"
                         + "\n".join(failures[:20]))
        if INPUTS >= 1000:
            for outcome in ("rejected", "unchanged", "table"):
                self.assertGreater(counts[outcome], INPUTS // 100, outcome)


if __name__ == "__main__":
    unittest.main()
