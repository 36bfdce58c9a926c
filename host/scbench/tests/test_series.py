"""The series generator's pure parts: configuration filtering and the
checkpatch reasons."""
import unittest

from .. import series


class Configuration(unittest.TestCase):
    def test_intermediate_builds_leave_out_test_symbols(self):
        fragment = ("CONFIG_KUNIT=y\nCONFIG_STATIC_CALL_KUNIT_TEST=y\n"
                    "CONFIG_STATIC_CALL_KUNIT_MODULE_TESTS=m\n"
                    "CONFIG_STATIC_CALL_X86_KUNIT_TEST=y\n"
                    "CONFIG_STATIC_CALL_BENCH=m\n"
                    "CONFIG_STATIC_CALL_SELFTEST=y\n")
        self.assertEqual(series.without_test_symbols(fragment),
                         "CONFIG_KUNIT=y\nCONFIG_STATIC_CALL_SELFTEST=y\n")


class Reasons(unittest.TestCase):
    def _finding(self, level):
        return series.Finding(level, "COMPLEX_MACRO",
                              "Macros with complex values should be "
                              "enclosed in parentheses",
                              "include/linux/static_call.h", 1)

    def test_an_error_needs_a_reason_of_its_level(self):
        check_only = series.Reason(type="COMPLEX_MACRO", reason="r")
        error = series.Reason(type="COMPLEX_MACRO", reason="r",
                              level="ERROR")
        found = [self._finding("ERROR")]
        series.explain(found, [check_only])
        self.assertEqual(series.unacceptable(found), found)
        series.explain(found, [error])
        self.assertEqual(series.unacceptable(found), [])


if __name__ == "__main__":
    unittest.main()
