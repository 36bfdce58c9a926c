"""sitecheck on a fake arm64 build: a vmlinux linked from objects that
scripts/static_call_sites processed, and a module (ld -r); then the same
with a table entry damaged or never written."""
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
from pathlib import Path

from .. import sitecheck
from .test_static_call_sites import (CALLS, CROSS, MISSING, NO_KEY,
                                     build_tool, compile_aarch64,
                                     needs_toolchain, run_tool)

# What vmlinux has besides the callers: the key, the trampoline, an entry.
DEFS = r"""
struct k { long a; };
struct k __SCK__foo;
void __SCT__foo(int x) { asm volatile("" : : "r"(x)); }
void f(int x);
void g(int x);
void h(int x);
void _start(void) { f(1); g(2); h(3); }
"""

# A table that the tool did not write: the section, empty.
EMPTY_TABLE = '\t.section .static_call_sites, "aw"\n'

# As the kernel's linker script does it: the table inside .rodata.
LINKER_SCRIPT = """
SECTIONS {
	. = 0x400000;
	.text : { *(.text .text.*) }
	.init.text : { *(.init.text) }
	.rodata : {
		*(.rodata .rodata.*)
		. = ALIGN(8);
		__start_static_call_sites = .;
		KEEP(*(.static_call_sites))
		__stop_static_call_sites = .;
	}
	.data : { *(.data .data.* .data.rel .data.rel.*) }
	.bss : { *(.bss .bss.*) }
}
"""

_work = None
BUILT = {}


def _link(out, *objs, relocatable=False, script=None):
    flags = ["-r"] if relocatable else ["-e", "_start"]
    if script:
        flags += ["-T", str(script)]
    subprocess.run([CROSS + "ld", *flags, "-o", str(out), *map(str, objs)],
                   check=True, capture_output=True)
    return out


def setUpModule():
    global _work
    if MISSING:
        return
    _work = tempfile.TemporaryDirectory(prefix="sitecheck-test-")
    d = Path(_work.name)
    tool = build_tool(d)
    calls = compile_aarch64(d, "calls", CALLS)
    no_key = compile_aarch64(d, "no_key", NO_KEY)
    defs = compile_aarch64(d, "defs", DEFS)
    empty = compile_aarch64(d, "empty", EMPTY_TABLE, suffix=".S")
    done = {}
    # no_key is module code: only there may a site name its trampoline.
    for name, obj, flags in (("calls", calls, ()),
                             ("no_key", no_key, ("--module",))):
        done[name] = d / f"{name}.done.o"
        shutil.copyfile(obj, done[name])
        if run_tool(tool, *flags, done[name]).returncode:
            raise RuntimeError(f"static_call_sites failed on {obj}")
    lds = d / "vmlinux.lds"
    lds.write_text(LINKER_SCRIPT)
    BUILT["vmlinux"] = _link(d / "vmlinux", done["calls"], defs,
                             script=lds)
    BUILT["vmlinux_own_section"] = _link(d / "vmlinux_own_section",
                                         done["calls"], defs)
    BUILT["vmlinux_untabled"] = _link(d / "vmlinux_untabled", calls, defs,
                                      empty, script=lds)
    BUILT["ko"] = _link(d / "fake.ko", done["calls"], done["no_key"],
                        relocatable=True)
    BUILT["ko_half"] = _link(d / "half.ko", calls, done["no_key"],
                             relocatable=True)


def tearDownModule():
    if _work:
        _work.cleanup()


@needs_toolchain
class FakeBuild(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="sitecheck-build-")
        self.build = Path(self._dir.name)

    def tearDown(self):
        self._dir.cleanup()

    def make(self, vmlinux="vmlinux", ko="ko"):
        """A build directory with vmlinux and lib/fake.ko."""
        if vmlinux:
            shutil.copyfile(BUILT[vmlinux], self.build / "vmlinux")
        if ko:
            (self.build / "lib").mkdir()
            shutil.copyfile(BUILT[ko], self.build / "lib" / "fake.ko")
        return self.build

    def patch_entry(self, index, field, delta):
        """Add delta to one s32 field (0: site, 1: key) of vmlinux's
        table entry."""
        path = self.build / "vmlinux"
        elf = sitecheck.read_elf(path)
        off = sitecheck.site_table(elf)[1] + 8 * index + 4 * field
        data = bytearray(elf.data)
        (value,) = struct.unpack_from("<i", data, off)
        struct.pack_into("<i", data, off, value + delta)
        path.write_bytes(data)

    def check(self):
        return sitecheck.check_build(self.build, CROSS)

    def test_exact_tables(self):
        self.make()
        # vmlinux: calls.o's five sites; the module: those and two more.
        self.assertEqual(self.check(), (5 + 7, []))

    def test_table_in_its_own_section(self):
        self.make(vmlinux="vmlinux_own_section", ko=None)
        self.assertIsNone(sitecheck.read_elf(
            self.build / "vmlinux").sections.get(".rodata"))
        self.assertEqual(self.check(), (5, []))

    def test_table_inside_rodata(self):
        elf = sitecheck.read_elf(self.make(ko=None) / "vmlinux")
        self.assertNotIn(".static_call_sites", elf.sections)
        start, size = elf.sections[".rodata"][3], elf.sections[".rodata"][5]
        addr, _, length = sitecheck.site_table(elf)
        self.assertEqual(length, 5 * 8)
        self.assertTrue(start <= addr and addr + length <= start + size)
        self.assertEqual(self.check(), (5, []))

    def test_entry_pointing_elsewhere(self):
        self.make()
        self.patch_entry(0, 0, 4)
        n, problems = self.check()
        self.assertEqual(n, 12)
        self.assertEqual(len(problems), 2, problems)
        self.assertRegex(problems[0], r"^vmlinux: missing site: 0x[0-9a-f]+"
                         r" in f\+0x[0-9a-f]+ \(bl __SCT__foo\)$")
        self.assertRegex(problems[1], r"^vmlinux: extra site: ")

    def test_tail_flag_disagrees(self):
        self.make()
        self.patch_entry(1, 1, -1)      # b, listed as bl
        _, problems = self.check()
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("tail flag 0", problems[0])
        self.assertIn("disagrees with b __SCT__foo", problems[0])

    def test_wrong_key(self):
        self.make()
        self.patch_entry(0, 1, 8)
        _, problems = self.check()
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("not __SCK__foo", problems[0])

    def test_table_not_written(self):
        self.make(vmlinux="vmlinux_untabled", ko=None)
        n, problems = self.check()
        self.assertEqual(n, 0)
        self.assertIn("vmlinux: no static call sites in its table"
                      " (the table must not be empty)", problems)
        self.assertEqual(len([p for p in problems if "missing site" in p]),
                         5, problems)

    def test_module_object_not_processed(self):
        self.make(ko="ko_half")
        n, problems = self.check()
        self.assertEqual(n, 5 + 2)
        self.assertEqual(len(problems), 5, problems)
        for p in problems:
            self.assertRegex(p, r"^lib/fake\.ko: missing site: "
                             r"\.(init\.)?text\+0x[0-9a-f]+ \(bl? "
                             r"__SCT__foo\)$")

    def test_no_vmlinux(self):
        self.make(vmlinux=None)
        n, problems = self.check()
        self.assertEqual(n, 7)
        self.assertEqual(len(problems), 1)
        self.assertRegex(problems[0], "vmlinux: not found$")


if __name__ == "__main__":
    unittest.main()


class NonStandard(unittest.TestCase):
    def test_every_non_standard_module_of_ours_is_skipped(self):
        # kbuild leaves these objects to the trampolines on purpose: a
        # module missing from the list fails the site check of every
        # build that makes its table from relocations (arm64).  The
        # suite's modules are built there; x86's own are not.
        from .. import paths
        marked = set()
        for patch in (paths.REPO / "patches" / "suite").glob("*.patch"):
            marked |= {f"{name}.ko" for name in re.findall(
                r"^\+OBJECT_FILES_NON_STANDARD_(\w+)\.o\s*:=\s*y",
                patch.read_text(), re.M)}
        self.assertTrue(marked)
        self.assertEqual(marked, set(sitecheck.NON_STANDARD))
