"""Judge one boot's console and print what it shows."""
import re
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
    for wanted, times in boot.counts(config):
        seen = text.count(wanted)
        out.check(seen >= times, f"console showed {wanted!r} {seen} times, "
                  f"not {times}")
    out.check(console.plan_completed(text), "/init did not finish its plan")
    judge_measures(out, boot, config, text)
    for step in console.init_failures(text):
        out.check(False, f"/init: {step} failed")
    problems = console.problems(text)
    out.check(not problems, "console reports problems:\n" + "\n".join(
        f"        [{kind}] {line}" for kind, line in problems[:20]))
    return out


# What /init and the churn updater measured (init/init.c,
# lib/static_call_churn_updater.c), and what the host requires of it.

_CHURN = re.compile(r"scbench-init: churn /lib/(?P<module>\S+)\.ko "
                    r"(?P<count>\d+): ok \((?P<cycles>\d+) cycles in "
                    r"(?P<seconds>\d+) s\)")
_FAULTS = re.compile(r"scbench-init: insmod-faults /lib/(?P<module>\S+)\.ko: "
                     r"ok \((?P<failed>\d+) failed loads:(?P<errnos>[^;]*); "
                     r"(?P<survived>\d+) loads survived their fault; "
                     r"loaded at (?P<last>\d+)\)")
_ERRNO = re.compile(r"errno (\d+) first at (\d+)")
_SLAB_GREW = re.compile(r"scbench-init: slab grew: (\S+) (\d+) -> (\d+)")
_SLAB_TRACE = re.compile(r"scbench-init: slab trace: (\S+) \+(\d+) (.*)")
_SLAB_DONE = re.compile(r"scbench-init: slab-compare: ok \((\d+) caches, "
                        r"(\d+) kmalloc, (\d+) grew\)")
_KMEMLEAK = re.compile(r"scbench-init: kmemleak-scan: ok \((\d+) suspected "
                       r"leaks\)")
_UPDATER = re.compile(r"\b(?P<module>\w+): stopped: (?P<updates>\d+) updates "
                      r"on CPU (?P<cpu>\d+), (?P<wrong>\d+) wrong")
# kmalloc-64, kmalloc-cg-64, kmalloc-rcl-64, dma-kmalloc-64,
# kmalloc-rnd-01-64: the caches of kmalloc(), which the core allocates
# its bookkeeping from.
_KMALLOC = re.compile(r"(^|-)kmalloc-")

# A failed load must say why with the error of a failed allocation:
# ENOMEM, or EFAULT where FAULT_INJECTION_USERCOPY makes a copy from user
# space fail.  Any other (EINVAL: the module found a key that did not
# work) is a failure.
# Of a cache over its budget, the stacks that grew most are shown.
SLAB_STACKS_SHOWN = 5

ENOMEM, EFAULT = 12, 14
FAULT_ERRNOS = {ENOMEM, EFAULT}


def churn_results(text):
    """{(module, count): (cycles, seconds)} of each churn step that ended."""
    return {(m["module"], int(m["count"])): (int(m["cycles"]),
                                             int(m["seconds"]))
            for m in _CHURN.finditer(text)}


def fault_results(text):
    """{module: (failed, {errno: first N}, survived, loaded at)}."""
    return {m["module"]: (int(m["failed"]),
                          {int(e): int(n) for e, n in
                           _ERRNO.findall(m["errnos"])},
                          int(m["survived"]), int(m["last"]))
            for m in _FAULTS.finditer(text)}


def slab_comparisons(text):
    """Each slab-compare's result, in order: (caches, kmalloc caches,
    {cache: (before, after)} of those that grew, {cache: [(growth,
    stack)]} of the stacks that grew in a cache that records them)."""
    found, grew, traces = [], {}, {}
    for line in text.splitlines():
        m = _SLAB_GREW.search(line)
        if m:
            grew[m[1]] = (int(m[2]), int(m[3]))
            continue
        m = _SLAB_TRACE.search(line)
        if m:
            traces.setdefault(m[1], []).append((int(m[2]), m[3].strip()))
            continue
        m = _SLAB_DONE.search(line)
        if m:
            found.append((int(m[1]), int(m[2]), grew, traces))
            grew, traces = {}, {}
    return found


def kmalloc_growth(grew):
    """(growth, cache) of each kmalloc cache that grew, largest first."""
    return sorted(((after - before, cache)
                   for cache, (before, after) in grew.items()
                   if _KMALLOC.search(cache)), reverse=True)


def kmemleak_counts(text):
    """The number of suspected leaks each kmemleak-scan reported."""
    return [int(n) for n in _KMEMLEAK.findall(text)]


def updater_results(text, module):
    """(updates, CPU, wrong) of each time @module stopped."""
    return [(int(m["updates"]), int(m["cpu"]), int(m["wrong"]))
            for m in _UPDATER.finditer(text) if m["module"] == module]


def judge_measures(out, boot, config, text):
    """Check what the plan's measuring steps reported.

    The slab rule: after each slab-compare, no kmalloc cache may have
    grown since the snapshot by more than half the churn cycles between
    them.  A leak of one object per cycle grows its cache by at least
    the number of cycles, twice the budget, so it cannot pass; what is
    left is constant however many cycles run (objects still waiting for
    an RCU grace period or a deferred free, the slabs /init's own reads
    touch), a few objects after the settling and shrinking /init does,
    far below the 50 objects of the shortest plan.  Other caches are
    shown, not judged: vmap_area, kernfs and the like keep objects that
    their owners free lazily.
    """
    cycles = 0
    results = churn_results(text)
    for module, count in boot.churns(config):
        cycles += count
        got = results.get((module, count))
        out.check(got is not None and got[0] == count,
                  f"churn {module} {count}: /init never reported "
                  f"{count} cycles")
        if got:
            out.lines.append(f"  churn {module}: {got[0]} cycles in "
                             f"{got[1]} s")

    faults = fault_results(text)
    for module in boot.ops(config, "insmod-faults"):
        got = faults.get(module)
        out.check(got is not None,
                  f"insmod-faults {module}: /init never reported the loop")
        if not got:
            continue
        failed, errnos, survived, last = got
        out.lines.append(f"  faults {module}: {failed} failed loads (errno "
                         + ", ".join(map(str, sorted(errnos)))
                         + f"), {survived} survived their fault, "
                         f"loaded at {last}")
        out.check(failed > 0, f"insmod-faults {module}: no injected "
                  "failure made a load fail")
        for err, n in sorted(errnos.items()):
            out.check(err in FAULT_ERRNOS,
                      f"insmod-faults {module}: a load failed with errno "
                      f"{err} (first at allocation {n}), not a failed "
                      "allocation's")

    if boot.updater:
        stops = updater_results(text, boot.updater)
        out.check(len(stops) == 1,
                  f"{boot.updater} reported {len(stops)} stops, not 1")
        for updates, cpu, wrong in stops:
            out.lines.append(f"  {boot.updater}: {updates} updates on CPU "
                             f"{cpu}, {wrong} wrong")
            out.check(wrong == 0, f"{boot.updater}: {wrong} calls ran a "
                      "wrong target")
            out.check(updates >= cycles,
                      f"{boot.updater}: {updates} updates in {cycles} "
                      "cycles: it did not keep updating")

    compares = slab_comparisons(text)
    budgets = boot.slab_budgets(config, {module: got[0] for module, got
                                         in faults.items()})
    if budgets:
        out.check(len(compares) == len(budgets),
                  f"slab-compare reported {len(compares)} times, not "
                  f"{len(budgets)}")
    for (caches, kmalloc, grew, traces), budget in zip(compares, budgets):
        growth = kmalloc_growth(grew)
        out.lines.append(f"  slab: {caches} caches, {kmalloc} kmalloc; "
                         + (f"largest kmalloc growth {growth[0][0]} "
                            f"({growth[0][1]})" if growth else
                            "no kmalloc cache grew")
                         + f", allowed {budget}")
        out.check(kmalloc > 0, "slab-compare saw no kmalloc cache")
        over = [(n, cache) for n, cache in growth if n > budget]
        out.check(not over, f"kmalloc caches grew by more than {budget} "
                  "objects: " + ", ".join(f"{cache} +{n}"
                                          for n, cache in over))
        for _, cache in over:
            for n, stack in sorted(traces.get(cache, []),
                                   reverse=True)[:SLAB_STACKS_SHOWN]:
                out.lines.append(f"    {cache} +{n}: {stack}")

    scans = kmemleak_counts(text)
    wanted = len(boot.ops(config, "kmemleak-scan"))
    if wanted:
        out.check(len(scans) == wanted,
                  f"kmemleak-scan reported {len(scans)} times, not {wanted}")
    for leaks in scans:
        out.lines.append(f"  kmemleak: {leaks} suspected leaks")
        out.check(leaks == 0, f"kmemleak: {leaks} suspected leaks")
    for op, symbol in boot.left_out(config):
        out.lines.append(f"  {op}: not run, the build lacks {symbol}")
