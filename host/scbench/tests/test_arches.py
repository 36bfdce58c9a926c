"""The architecture records: consistent with the configs and plans."""
import unittest

from .. import arches, kbuild, plans


class Records(unittest.TestCase):
    def test_keys_are_unique_and_keep_the_build_directories(self):
        keys = [a.key for a in arches.ALL]
        self.assertEqual(sorted(keys), sorted(set(keys)))
        self.assertEqual(set(keys), {"x86_64", "i386", "arm64", "x86_64_big",
                                     "x86_64_tiny", "i386_tiny", "ppc32_tiny"})

    def test_fragments_exist(self):
        for arch in arches.ALL:
            for name in arch.configs:
                self.assertTrue((kbuild.CONFIG_DIR / name).exists(),
                                f"{arch.key}: {name}")

    def test_what_boots_can_boot(self):
        for arch in arches.ALL:
            booted = (arch.qemu, arch.console, arch.qemu_args)
            if arch.build_only:
                self.assertEqual(booted, (None, None, ()), arch.key)
            else:
                self.assertTrue(all(booted), arch.key)
                self.assertTrue(set(arch.boots) <= set(plans.BOOTS), arch.key)

    def test_packages_come_from_the_records(self):
        wanted = arches.packages()
        self.assertEqual(len(wanted), len(set(wanted)))
        for arch in arches.ALL:
            self.assertTrue(set(arch.packages) <= set(wanted), arch.key)
        self.assertTrue(set(arches.BASE_PACKAGES) <= set(wanted))

    def test_records_are_frozen(self):
        with self.assertRaises(AttributeError):
            arches.ALL[0].boots = ()
