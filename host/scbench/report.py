"""Judge one boot's console and print what it shows."""
from dataclasses import dataclass, field

from . import console, ktap, printk


@dataclass
class Outcome:
    label: str
    passed: int = 0
    failed: int = 0
    lines: list = field(default_factory=list)

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.lines.append(f"  FAIL {what}")


MAX_DIAGNOSTICS = 8


def diagnostics(lines):
    shown = "".join(f"\n        {d}" for d in lines[:MAX_DIAGNOSTICS])
    if len(lines) > MAX_DIAGNOSTICS:
        shown += f"\n        ({len(lines) - MAX_DIAGNOSTICS} more lines)"
    return shown


def judge(label, boot, config, text, timed_out):
    """Count every test case and every whole-boot check of one boot.

    config is the build's .config as {symbol: value}: which suites and
    steps the plan had depends on it.
    """
    out = Outcome(label)
    text = printk.untangle(text)
    suites = ktap.parse(text)
    for suite in suites:
        c = suite.counts()
        out.lines.append(f"  {suite.name}: {c['pass']} passed, "
                         f"{c['fail']} failed, {c['skip']} skipped"
                         + ("" if suite.status != "incomplete"
                            else " (suite never finished)"))
        for case in suite.cases:
            # A skip is not a pass: every case here must run.
            out.check(case.status == "pass",
                      f"{suite.name}.{case.name}: {case.status}"
                      + diagnostics(case.diagnostics))
        out.check(suite.status != "incomplete",
                  f"{suite.name}: no suite result line")
    expected = boot.expected(config)
    for name, runs in expected.items():
        seen = sum(1 for s in suites if s.name == name)
        out.check(seen == runs, f"suite {name} reported {seen} of {runs} runs")
    unexpected = {s.name for s in suites} - set(expected)
    out.check(not unexpected, f"unexpected suites {sorted(unexpected)}")
    out.check(not timed_out, f"boot timed out after {boot.timeout}s")
    for wanted in boot.prints(config) + boot.refusals(config):
        out.check(wanted in text, f"console never showed {wanted!r}")
    out.check(console.plan_completed(text), "/init did not finish its plan")
    for step in console.init_failures(text):
        out.check(False, f"/init: {step} failed")
    problems = console.problems(text)
    out.check(not problems, "console reports problems:\n" + "\n".join(
        f"        [{kind}] {line}" for kind, line in problems[:20]))
    return out
