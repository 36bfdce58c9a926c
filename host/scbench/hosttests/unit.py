"""The host tooling's unit tests (scbench/tests/), as one check each.

A bug in a console parser would fail every boot, or pass a broken one,
so the parsers are tested on recorded consoles before any kernel is
built, and every test case counts in `check`'s `N passed, N failed`.
A skipped case counts as failed, as a skipped KUnit case does.
"""
import contextlib
import io
import unittest
from pathlib import Path

from ..report import Outcome, diagnostics

TESTS = Path(__file__).resolve().parents[1] / "tests"
TOP = TESTS.parents[1]          # host/, where the scbench package is


class _Checks(unittest.TestResult):
    """Turns each test case's result into a check of an Outcome."""

    def __init__(self, outcome):
        super().__init__()
        self.outcome = outcome

    def _fail(self, test, why):
        """The end of a traceback is what says what went wrong."""
        tail = why.strip().splitlines()[-6:]
        self.outcome.check(False, test.id() + diagnostics(tail))

    def addSuccess(self, test):
        super().addSuccess(test)
        self.outcome.check(True, test.id())

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, self.errors[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._fail(test, f"skipped: {reason}")


def run():
    """Run every test under scbench/tests; return one Outcome."""
    outcome = Outcome("host/unit")
    suite = unittest.defaultTestLoader.discover(str(TESTS),
                                                top_level_dir=str(TOP))
    # What a test prints is not the report: its failure says what went wrong.
    with contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        suite.run(_Checks(outcome))
    return outcome
