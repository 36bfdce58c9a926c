"""The architecture records: consistent with the configs and plans."""
import re
import unittest

from .. import arches, kbuild, plans

# Symbols only our implementation declares (or, the selftest, only ours
# has on every architecture): upstream's build would report them lost,
# so no fragment upstream takes may name them.
OURS_ONLY = re.compile(r"^(# )?CONFIG_(ARM64_STATIC_CALL_\w+|"
                       r"STATIC_CALL_ARM64_\w+|ARM64_MODULE_FAR_TEST|"
                       r"STATIC_CALL_SITES_FROM_RELOCS|STATIC_CALL_X86_\w+|"
                       r"STATIC_CALL_SELFTEST|DEBUG_STATIC_CALL)\b", re.M)
ARM64_CHOICE = ("CONFIG_ARM64_STATIC_CALL_INLINE",
                "CONFIG_ARM64_STATIC_CALL_OOL",
                "CONFIG_ARM64_STATIC_CALL_NONE")


class Records(unittest.TestCase):
    def test_keys_are_unique_and_keep_the_build_directories(self):
        keys = [a.key for a in arches.ALL]
        self.assertEqual(sorted(keys), sorted(set(keys)))
        self.assertEqual(set(keys), {"x86_64", "i386", "arm64", "x86_64_big",
                                     "x86_64_tiny", "i386_tiny", "ppc32_tiny",
                                     "arm64_ool", "arm64_generic",
                                     "x86_64_debug", "arm64_debug"})

    def test_fragments_exist(self):
        for arch in arches.ALL:
            for name in arch.configs + arch.ours_configs:
                self.assertTrue((kbuild.CONFIG_DIR / name).exists(),
                                f"{arch.key}: {name}")

    def test_upstream_takes_no_symbol_only_ours_declares(self):
        for arch in arches.ALL:
            if arch.build_only:
                continue        # ours only
            fragment = kbuild._fragments(arch, "upstream")
            self.assertIsNone(OURS_ONLY.search(fragment), arch.key)

    def test_ours_only_fragments_are_ours_only(self):
        arm64 = arches.find("arm64_ool")
        self.assertIn("impl-ours-arm64_ool.config",
                      kbuild.fragment_names(arm64, "ours"))
        self.assertNotIn("impl-ours-arm64_ool.config",
                         kbuild.fragment_names(arm64, "upstream"))
        self.assertEqual(kbuild.fragment_names(arm64, "upstream"),
                         ["common.config", "arm64.config",
                          "impl-upstream-arm64.config"])

    def test_what_boots_can_boot(self):
        unknown = {}
        for arch in arches.ALL:
            booted = (arch.qemu, arch.console, arch.qemu_args)
            if arch.build_only:
                self.assertEqual(booted, (None, None, ()), arch.key)
            else:
                self.assertTrue(all(booted), arch.key)
            missing = set(arch.boots_for(True)) - set(plans.BOOTS)
            if missing:
                unknown[arch.key] = sorted(missing)
        self.assertEqual(unknown, {}, "boots plans.py does not define")

    def test_check_all_adds_boots_and_only_to_booted_records(self):
        for arch in arches.ALL:
            self.assertFalse(set(arch.boots) & set(arch.all_boots), arch.key)
            if arch.build_only:
                self.assertEqual(arch.all_boots, (), arch.key)
            self.assertEqual(arch.boots_for(False), arch.boots)
            self.assertEqual(arch.boots_for(True),
                             arch.boots + arch.all_boots)
            self.assertGreaterEqual(arch.slow, 1.0, arch.key)

    def test_packages_come_from_the_records(self):
        wanted = arches.packages()
        self.assertEqual(len(wanted), len(set(wanted)))
        for arch in arches.ALL:
            self.assertTrue(set(arch.packages) <= set(wanted), arch.key)
        self.assertTrue(set(arches.BASE_PACKAGES) <= set(wanted))

    def test_records_are_frozen(self):
        with self.assertRaises(AttributeError):
            arches.ALL[0].boots = ()


class Arm64(unittest.TestCase):
    """Ours inline (default), out of line (ool), generic; upstream's
    generic variant is the oracle on the default record only."""

    def _ours(self, key):
        return kbuild.parse_config(kbuild._fragments(arches.find(key),
                                                     "ours"))

    def test_each_record_picks_its_variant(self):
        for key, variant in (("arm64", "CONFIG_ARM64_STATIC_CALL_INLINE"),
                             ("arm64_ool", "CONFIG_ARM64_STATIC_CALL_OOL"),
                             ("arm64_generic",
                              "CONFIG_ARM64_STATIC_CALL_NONE")):
            config = self._ours(key)
            chosen = [s for s in ARM64_CHOICE if config.get(s) == "y"]
            self.assertEqual(chosen, [variant], key)

    def test_what_each_variant_must_end_up_with(self):
        inline, ool, generic = (self._ours(key) for key in
                                ("arm64", "arm64_ool", "arm64_generic"))
        self.assertEqual(inline["CONFIG_HAVE_STATIC_CALL_INLINE"], "y")
        self.assertEqual(inline["CONFIG_STATIC_CALL_SITES_FROM_RELOCS"], "y")
        self.assertEqual(inline["CONFIG_ARM64_MODULE_FAR_TEST"], "y")
        self.assertEqual(ool["CONFIG_HAVE_STATIC_CALL"], "y")
        self.assertEqual(ool["CONFIG_HAVE_STATIC_CALL_INLINE"], "n")
        self.assertEqual(generic["CONFIG_HAVE_STATIC_CALL"], "n")
        upstream = kbuild.parse_config(kbuild._fragments(
            arches.find("arm64"), "upstream"))
        self.assertEqual(upstream["CONFIG_HAVE_STATIC_CALL"], "n")

    def test_tests_are_built_where_the_variant_has_arm64_code(self):
        # The white-box suite wants HAVE_STATIC_CALL, its module suite
        # HAVE_STATIC_CALL_INLINE (arch/arm64/Kconfig.debug).
        inline, ool, generic = (self._ours(key) for key in
                                ("arm64", "arm64_ool", "arm64_generic"))
        self.assertEqual(inline["CONFIG_STATIC_CALL_ARM64_KUNIT_TEST"], "y")
        self.assertEqual(
            inline["CONFIG_STATIC_CALL_ARM64_KUNIT_MODULE_TESTS"], "m")
        self.assertEqual(ool["CONFIG_STATIC_CALL_ARM64_KUNIT_TEST"], "y")
        self.assertNotIn("CONFIG_STATIC_CALL_ARM64_KUNIT_MODULE_TESTS", ool)
        self.assertFalse({"CONFIG_STATIC_CALL_ARM64_KUNIT_TEST",
                          "CONFIG_STATIC_CALL_ARM64_KUNIT_MODULE_TESTS",
                          "CONFIG_ARM64_MODULE_FAR_TEST"} & set(generic))

    def test_every_arm64_kernel_has_bti_and_pointer_authentication(self):
        # But the GCC-built one, which cannot have BTI in the kernel.
        for arch in arches.ALL:
            if arch.name != "arm64":
                continue
            for impl in ("ours", "upstream"):
                config = kbuild.parse_config(kbuild._fragments(arch, impl))
                for symbol in ("CONFIG_ARM64_PTR_AUTH",
                               "CONFIG_ARM64_PTR_AUTH_KERNEL",
                               "CONFIG_ARM64_BTI"):
                    self.assertEqual(config.get(symbol), "y",
                                     (arch.key, impl, symbol))
                self.assertEqual(config.get("CONFIG_ARM64_BTI_KERNEL"),
                                 "y" if arch.compiler == "clang" else "n",
                                 (arch.key, impl))

    def test_bti_in_the_kernel_needs_clang(self):
        # 6.12: ARM64_BTI_KERNEL depends on !CC_IS_GCC.  Only the debug
        # record is compiled with GCC, so that both compilers build our
        # arm64 code.
        for arch in arches.ALL:
            if arch.name == "arm64" and arch.profile != "debug":
                self.assertEqual(arch.compiler, "clang", arch.key)
                self.assertIn("clang", arch.packages, arch.key)
                self.assertIn("CC=ccache clang",
                              kbuild.make_args(arch, "ours"))
        debug = arches.find("arm64_debug")
        self.assertIsNone(debug.compiler)
        self.assertIn("CC=ccache aarch64-linux-gnu-gcc",
                      kbuild.make_args(debug, "ours"))
        self.assertIn("CC=ccache gcc",
                      kbuild.make_args(arches.find("x86_64"), "ours"))
        self.assertIn("CC=ccache powerpc-linux-gnu-gcc",
                      kbuild.make_args(arches.find("ppc32_tiny"), "ours"))

    def test_boots_and_oracles(self):
        default, ool, generic = (arches.find(key) for key in
                                 ("arm64", "arm64_ool", "arm64_generic"))
        self.assertEqual(default.boots, ("functional", "race", "far_modules",
                                         "tracing", "stress"))
        self.assertEqual(ool.boots, ("functional", "race"))
        self.assertEqual(generic.boots, ("functional",))
        self.assertEqual([a.upstream_in_check for a in (default, ool,
                                                        generic)],
                         [True, False, False])

    def test_generic_is_left_out_of_a_plain_check(self):
        self.assertNotIn(arches.find("arm64_generic"), arches.CHECKED)
        # x86_64's boots run on x86_64_big, a superset configuration.
        self.assertEqual([a.key for a in arches.ALL if not a.in_check],
                         ["x86_64", "arm64_generic", "i386_tiny",
                          "arm64_debug"])


class Debug(unittest.TestCase):
    """The debug profile: the kernel's checkers on the default records."""

    DEBUG = ("x86_64_debug", "arm64_debug")
    CHECKERS = {"CONFIG_PROVE_LOCKING": "y", "CONFIG_DEBUG_ATOMIC_SLEEP": "y",
                "CONFIG_KASAN": "y", "CONFIG_KASAN_GENERIC": "y",
                "CONFIG_UBSAN": "y", "CONFIG_UBSAN_BOUNDS": "y",
                "CONFIG_UBSAN_SHIFT": "y", "CONFIG_DEBUG_KMEMLEAK": "y",
                "CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN": "n",
                "CONFIG_DEBUG_LIST": "y", "CONFIG_DEBUG_OBJECTS": "y",
                "CONFIG_DEBUG_FS": "y", "CONFIG_FAULT_INJECTION": "y",
                "CONFIG_FAILSLAB": "y", "CONFIG_FAIL_PAGE_ALLOC": "y",
                "CONFIG_FAULT_INJECTION_DEBUG_FS": "y",
                "CONFIG_SLUB_DEBUG": "y"}

    def test_each_checker_in_both_implementations(self):
        for key in self.DEBUG:
            for impl in ("ours", "upstream"):
                config = kbuild.parse_config(kbuild._fragments(
                    arches.find(key), impl))
                for symbol, value in self.CHECKERS.items():
                    self.assertEqual(config.get(symbol), value,
                                     (key, impl, symbol))

    def test_the_bookkeeping_audit_is_ours_only(self):
        for key in self.DEBUG:
            arch = arches.find(key)
            self.assertIn("impl-ours-debug.config",
                          kbuild.fragment_names(arch, "ours"))
            self.assertNotIn("impl-ours-debug.config",
                             kbuild.fragment_names(arch, "upstream"))
            config = kbuild.parse_config(kbuild._fragments(arch, "ours"))
            self.assertEqual(config["CONFIG_DEBUG_STATIC_CALL"], "y")

    def test_on_the_default_records_configuration(self):
        for key in self.DEBUG:
            debug = arches.find(key)
            default = arches.find(debug.name)
            # arm64's is compiled with GCC, which cannot have BTI.
            gcc = ("arm64-gcc.config",) if key == "arm64_debug" else ()
            self.assertEqual(debug.configs,
                             default.configs + gcc + ("debug.config",), key)
            self.assertEqual(debug.ours_configs, default.ours_configs
                             + ("impl-ours-debug.config",), key)
            self.assertEqual((debug.image, debug.qemu),
                             (default.image, default.qemu), key)
            self.assertEqual(debug.compiler,
                             None if gcc else default.compiler, key)

    def test_boots_memory_time_and_oracle(self):
        # CI: the reduced plan on x86_64; arm64_debug only in check-all
        # (or named); check-all: every reliability boot on both.
        self.assertTrue(arches.find("x86_64_debug").in_check)
        self.assertFalse(arches.find("arm64_debug").in_check)
        for key in self.DEBUG:
            self.assertEqual(arches.find(key).boots,
                             ("functional", "faults"), key)
            arch = arches.find(key)
            self.assertTrue({"functional", "faults", "churn_short", "race",
                             "churn", "stress"} <=
                            set(arch.boots_for(everything=True)), key)
            self.assertEqual(arch.qemu_args[-2:], ("-m", "1G"), key)
            self.assertGreater(arch.slow, 1.0, key)
            self.assertFalse(arch.upstream_in_check, key)
        self.assertTrue({"far_modules", "tracing"} <=
                        set(arches.find("arm64_debug").all_boots))
        for key in ("x86_64_big", "arm64"):
            self.assertIn("stress", arches.find(key).boots, key)
