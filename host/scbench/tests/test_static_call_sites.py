"""scripts/static_call_sites on small objects from aarch64-linux-gnu-gcc:
the table it appends, what it leaves alone and what it refuses.

The tool is compiled here, warnings as errors, as the kernel build will
compile it.  Each test works on its own copies of objects compiled once.
"""
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
from pathlib import Path

from .. import sitecheck

REPO = Path(__file__).resolve().parents[3]
SOURCE = REPO / "scripts" / "static_call_sites.c"
CROSS = "aarch64-linux-gnu-"
TOOLS = ["gcc", CROSS + "gcc", CROSS + "ld", CROSS + "readelf",
         CROSS + "objcopy", CROSS + "objdump"]
MISSING = [t for t in TOOLS if not shutil.which(t)]
needs_toolchain = unittest.skipIf(
    MISSING, f"not installed: {' '.join(MISSING)} "
    "(apt: gcc gcc-aarch64-linux-gnu)")

# Calls, tail calls (g's call and h's second one are the last thing they
# do: "b"), init text, and the key in the symbol table.
CALLS = r"""
extern void __SCT__foo(int);
struct k;
extern struct k __SCK__foo;
void *p = &__SCK__foo;
void f(int x) { __SCT__foo(x); __SCT__foo(x + 1); }
void g(int x) { __SCT__foo(x); }
__attribute__((section(".init.text"))) void h(int x)
{
	__SCT__foo(x);
	__SCT__foo(x);
}
"""

# A module given only the trampoline: no __SCK__bar anywhere.
NO_KEY = r"""
extern void __SCT__bar(int);
void k(int x) { __SCT__bar(x); __SCT__bar(x); }
"""

# After objcopy --strip-unneeded, .text.nosym has no section symbol: the
# sites must be named from m1, never from the weak m2.
NO_SECTION_SYMBOL = r"""
	.section .text.nosym, "ax"
	.globl	m1
	.type	m1, %function
m1:	nop
	bl	__SCT__baz
	ret
	.size	m1, . - m1
	.weak	m2
	.type	m2, %function
m2:	nop
	b	__SCT__baz
	.size	m2, . - m2
"""

# Branches, but none to a trampoline.
NO_SITES = r"""
extern void other(int);
extern void __SCK__foo(int);
void f(int x) { other(x); __SCK__foo(x); }
"""

_SHDR = re.compile(r"^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+"
                   r"[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)"
                   r"\s+(\d+)\s+(\d+)\s+(\d+)\s*$")

_work = None
OBJECTS = {}
TOOL = None


def build_tool(dest, flags=("-O2",), source=SOURCE,
               name="static_call_sites"):
    """The tool (or a program that includes its source), compiled with
    warnings as errors."""
    tool = Path(dest) / name
    subprocess.run(["gcc", *flags, "-Wall", "-Wextra", "-Werror",
                    "-std=gnu11", "-o", str(tool), str(source)],
                   check=True, capture_output=True, text=True)
    return tool


def compile_aarch64(dest, name, text, suffix=".c", flags=()):
    """dest/name.o from the source text."""
    src = Path(dest) / (name + suffix)
    src.write_text(text)
    obj = src.with_suffix(".o")
    subprocess.run([CROSS + "gcc", "-c", "-O2", *flags, "-o", str(obj),
                    str(src)], check=True, capture_output=True, text=True)
    return obj


def run_tool(tool, *paths):
    return subprocess.run([str(tool), *map(str, paths)],
                          capture_output=True, text=True)


def table(path):
    """.rela.static_call_sites as (offset, symbol name, addend), symbol
    names as readelf shows them (a section symbol by its section)."""
    sections, relsecs, symbols = sitecheck.read_relocatable(path, CROSS)
    out = []
    for name, _, relocs in relsecs:
        if name == ".rela.static_call_sites":
            for off, sym, type_, addend in relocs:
                assert type_ == "R_AARCH64_PREL32", type_
                sname, _, ndx = symbols[sym]
                if not sname and isinstance(ndx, int):
                    sname = sections[ndx][0]
                out.append((off, sname, addend))
    return out


def branches(path):
    """The branches to trampolines, from the relocations of code:
    (section index, section name, offset, tail, trampoline), sorted."""
    sections, relsecs, symbols = sitecheck.read_relocatable(path, CROSS)
    by_place = {(n, off): i for i, (n, off, _) in sections.items()}
    out = []
    for name, off, relocs in relsecs:
        target = sections[by_place[(name, off)]][2]
        for roff, sym, type_, _ in relocs:
            if type_ in ("R_AARCH64_CALL26", "R_AARCH64_JUMP26") and \
                    symbols[sym][0].startswith("__SCT__"):
                out.append((target, sections[target][0], roff,
                            type_ == "R_AARCH64_JUMP26", symbols[sym][0]))
    return sorted(out)


def symbols(path):
    """[(file offset of the entry, name, st_info, st_shndx)] of the symbol
    table, by index."""
    elf = sitecheck.read_elf(path)
    st = next(h for h in elf.heads if h[1] == sitecheck.SHT_SYMTAB)
    names = elf.heads[st[6]][4]
    out = []
    for off in range(st[4], st[4] + st[5], 24):
        name, info, _, shndx = struct.unpack_from("<IBBH", elf.data, off)
        out.append((off, elf._str(names, name), info, shndx))
    return out


def patch(path, off, fmt, value):
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, off, value)
    path.write_bytes(data)


def section_headers(path):
    """{name: (index, type, size, entsize, flags, link, info, align)}."""
    out = subprocess.run([CROSS + "readelf", "-SW", str(path)], check=True,
                         capture_output=True, text=True).stdout
    heads = {}
    for line in out.splitlines():
        m = _SHDR.match(line)
        if m:
            heads[m.group(2)] = (int(m.group(1)), m.group(3),
                                 int(m.group(4), 16), int(m.group(5), 16),
                                 m.group(6), int(m.group(7)),
                                 int(m.group(8)), int(m.group(9)))
    return heads


def compile_objects(dest):
    """The sample objects, by name, compiled in dest (also the fuzz
    test's seeds)."""
    d = Path(dest)
    objects = {"calls": compile_aarch64(d, "calls", CALLS),
               "no_key": compile_aarch64(d, "no_key", NO_KEY),
               "no_sites": compile_aarch64(d, "no_sites", NO_SITES)}
    asm = compile_aarch64(d, "nosym_full", NO_SECTION_SYMBOL, suffix=".S")
    objects["no_section_symbol"] = d / "nosym.o"
    subprocess.run([CROSS + "objcopy", "--strip-unneeded", str(asm),
                    str(objects["no_section_symbol"])], check=True)
    host = d / "host.c"
    host.write_text("void __SCT__foo(void); void f(void) { __SCT__foo(); }\n")
    objects["host"] = d / "host.o"
    subprocess.run(["gcc", "-c", "-O2", "-o", str(objects["host"]),
                    str(host)], check=True)
    return objects


def setUpModule():
    global _work, TOOL
    if MISSING:
        return
    _work = tempfile.TemporaryDirectory(prefix="scs-test-")
    TOOL = build_tool(_work.name)
    OBJECTS.update(compile_objects(_work.name))


def tearDownModule():
    if _work:
        _work.cleanup()


class _Case(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="scs-case-")
        self.dir = Path(self._dir.name)

    def tearDown(self):
        self._dir.cleanup()

    def copy(self, name, as_name=None):
        dest = self.dir / (as_name or OBJECTS[name].name)
        shutil.copyfile(OBJECTS[name], dest)
        return dest

    def process(self, name, *flags):
        obj = self.copy(name)
        r = run_tool(TOOL, *flags, obj)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        return obj

    def expected(self, name, key):
        """The table for the branches of the unprocessed object."""
        out = []
        for i, (_, sec, off, tail, tramp) in enumerate(
                branches(OBJECTS[name])):
            out += [(8 * i, sec, off),
                    (8 * i + 4, key or tramp, int(tail))]
        return out


@needs_toolchain
class Table(_Case):
    def test_calls_and_tail_calls_name_their_section_and_key(self):
        found = branches(OBJECTS["calls"])
        # The fixture has what it is meant to: calls, tail calls, init.
        self.assertEqual(len(found), 5)
        self.assertEqual({(sec, tail) for _, sec, _, tail, _ in found},
                         {(".text", False), (".text", True),
                          (".init.text", False), (".init.text", True)})
        obj = self.process("calls")
        self.assertEqual(table(obj), self.expected("calls", "__SCK__foo"))

    def test_the_two_sections(self):
        obj = self.process("calls")
        heads = section_headers(obj)
        symtab = heads[".symtab"][0]
        sites = heads[".static_call_sites"]
        rela = heads[".rela.static_call_sites"]
        self.assertEqual(sites[1:], ("PROGBITS", 5 * 8, 8, "WA", 0, 0, 4))
        self.assertEqual(rela[1:], ("RELA", 10 * 24, 24, "I", symtab,
                                    sites[0], 8))
        self.assertEqual(rela[0], sites[0] + 1)
        # The other sections are as they were.
        before = section_headers(OBJECTS["calls"])
        self.assertEqual({k: v for k, v in heads.items()
                          if k not in (".static_call_sites",
                                       ".rela.static_call_sites",
                                       ".shstrtab")},
                         {k: v for k, v in before.items()
                          if k != ".shstrtab"})
        # Zeroes: the relocations fill the table in when linked.
        elf = sitecheck.read_elf(obj)
        off, size = elf.sections[".static_call_sites"][4:6]
        self.assertEqual(elf.data[off:off + size], bytes(size))

    def test_without_the_key_the_trampoline_is_named(self):
        obj = self.process("no_key", "--module")
        self.assertEqual(table(obj), self.expected("no_key", None))
        self.assertEqual([sym for off, sym, _ in table(obj) if off % 8],
                         ["__SCT__bar", "__SCT__bar"])

    def test_built_in_code_without_the_key_is_refused(self):
        # vmlinux's table is used as it is: a site must name its key.
        obj = self.copy("no_key")
        before = obj.read_bytes()
        r = run_tool(TOOL, obj)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no symbol __SCK__bar", r.stderr)
        self.assertEqual(obj.read_bytes(), before)

    def test_section_without_section_symbol(self):
        symbols = subprocess.run([CROSS + "readelf", "-sW",
                                  str(OBJECTS["no_section_symbol"])],
                                 check=True, capture_output=True,
                                 text=True).stdout
        self.assertNotRegex(symbols, r"SECTION.*\.text\.nosym",
                            "objcopy left the section symbol")
        obj = self.process("no_section_symbol", "--module")
        self.assertEqual(table(obj), [(0, "m1", 4), (4, "__SCT__baz", 0),
                                      (8, "m1", 0x10),
                                      (12, "__SCT__baz", 1)])

    def test_ld_r_concatenates_tables(self):
        a = self.process("calls")
        b = self.process("no_key", "--module")
        merged = self.dir / "merged.o"
        subprocess.run([CROSS + "ld", "-r", "-o", str(merged), str(a),
                        str(b)], check=True)
        first, second = table(a), table(b)
        size = 4 * len(first)
        # The keys, one after the other; the sites move with their text.
        self.assertEqual([e for e in table(merged) if e[0] % 8],
                         [e for e in first if e[0] % 8] +
                         [(off + size, sym, add)
                          for off, sym, add in second if off % 8])
        self.assertEqual(section_headers(merged)[".static_call_sites"][2],
                         size + 4 * len(second))
        self.assertEqual(sitecheck.check_module(merged, CROSS),
                         (len(first + second) // 2, []))

    def test_file_mode_kept_and_nothing_left_behind(self):
        obj = self.copy("calls")
        os.chmod(obj, 0o640)
        self.assertEqual(run_tool(TOOL, obj).returncode, 0)
        self.assertEqual(obj.stat().st_mode & 0o7777, 0o640)
        self.assertEqual([p.name for p in self.dir.iterdir()], [obj.name])


@needs_toolchain
class Damaged(_Case):
    """What the fuzz test (test_static_call_sites_fuzz) found, each on
    the smallest change to a sample that shows it."""

    def section_symbol(self, obj, section):
        index = section_headers(obj)[section][0]
        return next(i for i, (_, _, info, shndx) in enumerate(symbols(obj))
                    if info & 0xf == 3 and shndx == index)

    def test_section_symbol_with_a_value(self):
        # The linker adds a section symbol's value too: the addend must
        # take it off.
        obj = self.copy("calls")
        text = self.section_symbol(obj, ".text")
        patch(obj, symbols(obj)[text][0] + 8, "<Q", 8)
        self.assertEqual(run_tool(TOOL, obj).returncode, 0)
        self.assertEqual(sitecheck.check_module(obj, CROSS), (5, []))
        self.assertEqual([(sym, add) for off, sym, add in table(obj)
                          if off % 8 == 0][:3],
                         [(".text", 0x10 - 8), (".text", 0x20 - 8),
                          (".text", 0x24 - 8)])

    def test_symbols_that_cannot_name_a_site(self):
        # Neither an IFUNC, a TLS or a GNU_UNIQUE symbol (m1, in the
        # section without a section symbol) nor a global section symbol
        # (.text's) can stand for a place in its section.
        for info in (0x1a, 0x16, 0xa2):
            with self.subTest(info=info):
                obj = self.copy("no_section_symbol")
                m1 = next(off for off, name, _, _ in symbols(obj)
                          if name == "m1")
                patch(obj, m1 + 4, "<B", info)
                self.assertEqual(run_tool(TOOL, "--module", obj).returncode,
                                 0)
                self.assertEqual({sym for off, sym, _ in table(obj)
                                  if off % 8 == 0}, {"$x"})
                self.assertEqual(sitecheck.check_module(obj, CROSS),
                                 (2, []))
        obj = self.copy("calls")
        text = self.section_symbol(obj, ".text")
        patch(obj, symbols(obj)[text][0] + 4, "<B", 0x13)
        self.assertEqual(run_tool(TOOL, obj).returncode, 0)
        self.assertEqual([sym for off, sym, _ in table(obj) if off % 8 == 0],
                         ["f", "f", "g", ".init.text", ".init.text"])
        self.assertEqual(sitecheck.check_module(obj, CROSS), (5, []))

    def test_symbol_0_is_no_trampoline(self):
        # A branch relocated against symbol 0 goes to no symbol, even if
        # symbol 0's entry has a trampoline's name.
        obj = self.copy("calls")
        syms = symbols(obj)
        tramp = next(off for off, name, _, _ in syms if name == "__SCT__foo")
        patch(obj, syms[0][0], "<I",
              struct.unpack_from("<I", obj.read_bytes(), tramp)[0])
        rela = sitecheck.read_elf(obj).sections[".rela.text"][4]
        patch(obj, rela + 12, "<I", 0)          # .text+0x10's relocation
        self.assertEqual(run_tool(TOOL, obj).returncode, 0)
        self.assertEqual([(sym, add) for off, sym, add in table(obj)
                          if off % 8 == 0],
                         [(".text", 0x20), (".text", 0x24),
                          (".init.text", 0x10), (".init.text", 0x20)])

    def test_a_name_with_a_newline_is_one_line(self):
        obj = self.copy("no_key")
        data = obj.read_bytes()
        obj.write_bytes(data.replace(b"__SCT__bar\0", b"__SCT__b\nr\0"))
        r = run_tool(TOOL, obj)
        self.assertEqual((r.returncode, r.stderr),
                         (1, f"static_call_sites: {obj}: no symbol "
                             "__SCK__b?r: vmlinux sites name keys\n"))
        self.assertEqual(obj.read_bytes(), data.replace(b"__SCT__bar\0",
                                                        b"__SCT__b\nr\0"))


@needs_toolchain
class LeftAlone(_Case):
    def assertUntouched(self, obj):
        before = obj.read_bytes()
        r = run_tool(TOOL, obj)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(obj.read_bytes(), before)

    def test_no_sites(self):
        self.assertUntouched(self.copy("no_sites"))

    def test_x86_object(self):
        self.assertUntouched(self.copy("host"))

    def test_32_bit_object(self):
        obj = self.copy("calls")
        data = bytearray(obj.read_bytes())
        data[4] = 1                     # EI_CLASS: ELFCLASS32
        obj.write_bytes(data)
        self.assertUntouched(obj)


@needs_toolchain
class Refused(_Case):
    def assertRefused(self, obj, why=""):
        before = obj.read_bytes()
        r = run_tool(TOOL, obj)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, "^static_call_sites: " +
                         re.escape(str(obj)) + ": " + why)
        self.assertEqual(obj.read_bytes(), before)
        self.assertEqual([p.name for p in self.dir.iterdir()], [obj.name])

    def test_second_run(self):
        obj = self.process("calls")
        self.assertRefused(obj, "already has a site table")

    def test_truncated(self):
        whole = OBJECTS["calls"].read_bytes()
        obj = self.dir / "calls.o"
        for size in (0, 3, 20, 63, 64, len(whole) // 2, len(whole) - 1):
            with self.subTest(size=size):
                obj.write_bytes(whole[:size])
                self.assertRefused(obj)

    def test_garbage(self):
        obj = self.dir / "garbage.o"
        rnd = random.Random(0)
        obj.write_bytes(bytes(rnd.randrange(256) for _ in range(4096)))
        self.assertRefused(obj, "not an ELF file")
        # An ELF header in front of garbage.
        obj.write_bytes(OBJECTS["calls"].read_bytes()[:64] +
                        bytes(rnd.randrange(256) for _ in range(4096)))
        self.assertRefused(obj)

    def test_other_files_still_done(self):
        good = self.copy("calls")
        bad = self.dir / "bad.o"
        bad.write_bytes(b"\x7fELF")
        r = run_tool(TOOL, bad, good)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(bad.read_bytes(), b"\x7fELF")
        self.assertEqual(len(table(good)), 10)


if __name__ == "__main__":
    unittest.main()
