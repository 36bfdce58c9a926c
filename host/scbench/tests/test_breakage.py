"""The deliberate breakages in host/breakage/ still apply.

A breakage that no longer applies fails only when someone runs it
(compose refuses it), so the proof it stands for is lost without a
sign.  Each ours-*.patch whose files are all ours must apply to them
as they are; the others patch the base or upstream's files, which
composing checks.
"""
import subprocess
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BREAKAGE = REPO / "host" / "breakage"


def _touched(patch):
    return [line[len("+++ b/"):].strip()
            for line in patch.read_text().splitlines()
            if line.startswith("+++ b/")]


def _ours_only():
    return [p for p in sorted(BREAKAGE.glob("ours-*.patch"))
            if all((REPO / f).is_file() for f in _touched(p))]


class Breakages(unittest.TestCase):
    def test_each_breakage_of_our_files_applies(self):
        patches = _ours_only()
        self.assertGreaterEqual(len(patches), 20)
        for patch in patches:
            result = subprocess.run(
                ["git", "apply", "--check", str(patch)], cwd=REPO,
                capture_output=True, text=True)
            self.assertEqual(result.returncode, 0,
                             f"{patch.name}: {result.stderr.strip()}")

    def test_each_breakage_says_what_it_breaks(self):
        for patch in sorted(BREAKAGE.glob("*.patch")):
            self.assertIn("BREAKAGE", patch.read_text(), patch.name)
