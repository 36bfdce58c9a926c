"""The patch series: our change as kernel-style patches against the base.

`make series` writes out/series/: 0000-cover-letter.patch and one patch
per logical change, generated from the repository, never edited by hand.
host/series/ says how the repository splits into patches:

  NN-<name>.txt   one per patch, in order: RFC 822 style headers
                  (Subject:, Files:, optionally Pending:), a blank line,
                  then the body that says why.  Files: lists overlay
                  paths and patches/ files (fnmatch globs allowed).  A
                  spec with a Pending: header is left out of the series.
  checks.txt      why each remaining checkpatch CHECK is acceptable,
                  keyed by type, file glob and message pattern
  cover-letter.txt  the cover letter: a Subject: header, a blank line,
                  then the text, a string.Template ($$ for a dollar) with
                  $base_version, $count, $arch_status (from arches/),
                  $bench (the newest <cache>/results/bench-*.txt) and
                  $checks (every CHECK that remains, with its reason)

Every overlay file and every patches/ file must belong to exactly one
patch, and no patch may be empty, or the generator fails.  The commits
are written without a work tree (a temporary index in the base
repository, like compose.py), and the tip must equal the composed `ours`
tree, so the series is exactly what `make check` tests.

`make series-check` applies the patches one by one with `git am` to the
`series` worktree (a checkout of the base), builds x86_64 incrementally
after each (work/series/build-x86_64, same shape as the other
implementations so ccache hits), and wants 0 errors and 0 warnings from
checkpatch --strict and a recorded reason for every CHECK.
"""
import email.parser
import fnmatch
import importlib
import os
import pkgutil
import re
import string
import subprocess
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from . import arches, base, compose, kbuild, paths
from .util import log, out, run, Timer

SERIES_DATA = paths.REPO / "host" / "series"
SPEC_GLOB = "[0-9][0-9]-*.txt"
COVER_TEMPLATE = SERIES_DATA / "cover-letter.txt"
CHECK_REASONS = SERIES_DATA / "checks.txt"
DEFAULT_OUT = paths.REPO / "out" / "series"
PATCHES_DIR = "patches"

IMPL = "series"            # work/series/src and work/series/build-<arch>
BUILD_ARCH = "x86_64"
CONFIG_LIKE = "ours"       # the series builds with ours' configuration
SERIES_REF = "refs/scbench/series"

AUTHOR_NAME = "Static call team"
AUTHOR_EMAIL = "static-calls@localhost"
SIGN_OFF = f"Signed-off-by: {AUTHOR_NAME} <{AUTHOR_EMAIL}>"

MAX_LOG_LINE = 75          # checkpatch: "Possible unwrapped commit description"
SUBJECT = re.compile(r"^[\w.-]+(/[\w.-]+)*: \S")
FINDING = re.compile(r"^(ERROR|WARNING|CHECK):(\w+): (.*)$")
WHERE = re.compile(r"^#\d+: FILE: (.+?):(\d+):")
KCONFIG_SYMBOL = re.compile(r"^\s*(?:menu)?config\s+(\w+)")


class SeriesError(SystemExit):
    """A repository the series cannot be generated from."""


# ---------------------------------------------------------------- data


@dataclass
class PatchSpec:
    """One logical patch as host/series/NN-<name>.txt describes it."""
    name: str
    subject: str
    body: str
    entries: list
    pending: str = ""
    files: list = field(default_factory=list)


def _parse_spec(path):
    """Read one spec file: headers, blank line, body."""
    msg = email.parser.Parser().parsestr(path.read_text())
    subject = " ".join((msg["Subject"] or "").split())
    body = msg.get_payload().strip("\n")
    return PatchSpec(name=path.stem, subject=subject, body=body,
                     entries=(msg["Files"] or "").split(),
                     pending=" ".join((msg["Pending"] or "").split()))


def _spec_problems(spec):
    """What makes a spec unusable as a kernel-style commit message."""
    problems = []
    if not SUBJECT.match(spec.subject):
        problems.append(f"subject {spec.subject!r} is not "
                        "'subsystem: summary'")
    if not spec.body:
        problems.append("no body saying why")
    if not spec.entries:
        problems.append("no Files:")
    for line in spec.body.splitlines():
        if len(line) > MAX_LOG_LINE:
            problems.append(f"body line longer than {MAX_LOG_LINE}: {line!r}")
    return problems


def load_specs():
    """The specs in series order, pending ones left out (and logged)."""
    specs = []
    problems = []
    for path in sorted(SERIES_DATA.glob(SPEC_GLOB)):
        spec = _parse_spec(path)
        if spec.pending:
            log(f"series: {spec.name} left out, pending: {spec.pending}")
            continue
        problems += [f"{path.name}: {p}" for p in _spec_problems(spec)]
        specs.append(spec)
    if not specs:
        problems.append(f"no {SPEC_GLOB} in {SERIES_DATA}")
    if problems:
        raise SeriesError("series: bad spec(s):\n  " + "\n  ".join(problems))
    return specs


@dataclass
class Reason:
    """Why a checkpatch CHECK may stay: checks.txt, one block each."""
    type: str
    reason: str
    file: str = "*"
    match: str = ""
    # A CHECK unless the block says otherwise: an ERROR or WARNING needs a
    # block that names its level, and the cover letter shows it as such.
    level: str = "CHECK"
    used: int = 0

    def explains(self, finding):
        """Whether this reason covers @finding."""
        return (finding.level == self.level and
                finding.type == self.type and
                fnmatch.fnmatch(finding.file or "", self.file) and
                re.search(self.match, finding.message) is not None)


def _blocks(text):
    """Blank-line separated blocks of 'Key: value' lines, continued by
    indented lines; '#' lines are comments."""
    block, key = {}, None
    for line in text.splitlines() + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if block:
                yield block
            block, key = {}, None
        elif line[0].isspace() and key:
            block[key] += " " + line.strip()
        else:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            block[key] = value.strip()


def load_reasons():
    """The recorded reasons for CHECKs that remain."""
    if not CHECK_REASONS.exists():
        return []
    reasons = []
    for block in _blocks(CHECK_REASONS.read_text()):
        if "type" not in block or "reason" not in block:
            raise SeriesError(f"{CHECK_REASONS}: a block needs Type: and "
                              f"Reason: ({block})")
        reasons.append(Reason(type=block["type"], reason=block["reason"],
                              file=block.get("file", "*"),
                              match=block.get("match", ""),
                              level=block.get("level", "CHECK")))
    return reasons


# ------------------------------------------------------ the repository


def repo_sources():
    """Every file of the repository that belongs in the series: our files
    at kernel paths (as compose.py finds them) and every file under
    patches/."""
    overlay = compose.our_files()
    root = paths.REPO / PATCHES_DIR
    patch_files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in compose.SKIP_NAMES]
        patch_files += [os.path.relpath(os.path.join(dirpath, n), paths.REPO)
                        for n in filenames if n not in compose.SKIP_NAMES]
    return sorted(overlay + patch_files)


def assign_files(specs, sources):
    """Resolve each spec's Files: against the repository, in place.

    Fails unless every source file is in exactly one patch, every entry
    names something, and each mirrored copy (compose.MIRRORS) travels
    with its original.
    """
    owner = {}
    problems = []
    for spec in specs:
        for entry in spec.entries:
            hits = [f for f in sources if f == entry or
                    fnmatch.fnmatchcase(f, entry)]
            if not hits:
                problems.append(f"{spec.name}: {entry} matches no file of "
                                "the repository")
            for f in hits:
                if f in owner:
                    problems.append(f"{f} is in both {owner[f]} and "
                                    f"{spec.name}")
                    continue
                owner[f] = spec.name
                spec.files.append(f)
    for f in sources:
        if f not in owner:
            problems.append(f"{f} is in no patch of the series "
                            f"(add it to a {SPEC_GLOB} in host/series)")
    for copy, orig in compose.MIRRORS.items():
        if copy in owner and orig in owner and owner[copy] != owner[orig]:
            problems.append(f"{copy} is a copy of {orig} and must be in "
                            f"the same patch ({owner[copy]} vs "
                            f"{owner[orig]})")
    if problems:
        raise SeriesError("series: files and patches do not match:\n  "
                          + "\n  ".join(problems))


def _is_patch_file(rel):
    """Whether @rel is one of patches/ (applied) rather than an overlay."""
    return rel.split("/", 1)[0] == PATCHES_DIR


def _ident_env():
    """Author and committer: the From of patches/, at a fixed date (the
    repository's last commit), so the output is reproducible."""
    date = out(["git", "-C", paths.REPO, "log", "-1", "--format=%cI"])
    return dict(os.environ,
                GIT_AUTHOR_NAME=AUTHOR_NAME, GIT_AUTHOR_EMAIL=AUTHOR_EMAIL,
                GIT_COMMITTER_NAME=AUTHOR_NAME,
                GIT_COMMITTER_EMAIL=AUTHOR_EMAIL,
                GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)


def commit_message(spec):
    """Subject, body, sign-off: the commit message of one patch."""
    return f"{spec.subject}\n\n{spec.body}\n\n{SIGN_OFF}\n"


# ------------------------------------------------------------- commits


def _place_overlay(git, env, files):
    """Put our files (and the copies compose.MIRRORS makes of them) into
    the temporary index."""
    placed = [(rel, rel) for rel in files if not _is_patch_file(rel)]
    placed += [(copy, orig) for copy, orig in compose.MIRRORS.items()
               if orig in files]
    entries = []
    for rel, source in placed:
        blob = out(git + ["hash-object", "-w", paths.REPO / source])
        mode = "100755" if os.access(paths.REPO / source, os.X_OK) \
            else "100644"
        entries.append(f"{mode} {blob}\t{rel}\n")
    if entries:
        subprocess.run(git + ["update-index", "--index-info"], check=True,
                       env=env, input="".join(entries), text=True)


def _apply_patch_files(git, env, spec):
    """git apply --cached each patches/ file of the spec, in name order."""
    for rel in sorted(f for f in spec.files if _is_patch_file(f)):
        proc = subprocess.run(git + ["apply", "--cached",
                                     "--whitespace=nowarn",
                                     str(paths.REPO / rel)],
                              env=env, text=True, stderr=subprocess.PIPE)
        if proc.returncode:
            raise SeriesError(f"series: {spec.name}: {rel} does not apply "
                              f"after the patches before it:\n"
                              f"{proc.stderr.strip()}")


def build_commits(specs):
    """Write one commit per spec on top of base; return their ids."""
    git = ["git", "-C", str(paths.BASE_REPO)]
    ident = _ident_env()
    commits = []
    parent = out(git + ["rev-parse", "base^{commit}"])
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GIT_INDEX_FILE=os.path.join(tmp, "index"))
        subprocess.run(git + ["read-tree", "base"], check=True, env=env)
        for spec in specs:
            _place_overlay(git, env, spec.files)
            _apply_patch_files(git, env, spec)
            tree = out(git + ["write-tree"], env=env)
            if tree == out(git + ["rev-parse", f"{parent}^{{tree}}"]):
                raise SeriesError(f"series: {spec.name} "
                                  f"({spec.subject}) is empty")
            parent = out(git + ["commit-tree", tree, "-p", parent],
                         env=ident, input=commit_message(spec))
            commits.append(parent)
    run(git + ["update-ref", SERIES_REF, parent])
    return commits


def check_tip_is_ours(tip):
    """The series must end where compose puts `ours`: same tree."""
    composed = compose._compose_commit("ours", ())
    git = ["git", "-C", str(paths.BASE_REPO)]
    if out(git + ["rev-parse", f"{tip}^{{tree}}"]) != \
            out(git + ["rev-parse", f"{composed}^{{tree}}"]):
        stat = out(git + ["diff", "--stat", composed, tip])
        raise SeriesError("series: its tip differs from the composed ours "
                          "tree (patches applied in another order?):\n"
                          + stat)


# ---------------------------------------------------------- checkpatch


@dataclass
class Finding:
    """One checkpatch report."""
    level: str
    type: str
    message: str
    file: str = ""
    line: int = 0
    reason: str = ""

    def where(self):
        """file:line, or the commit message."""
        return f"{self.file}:{self.line}" if self.file else "commit message"

    def __str__(self):
        """One line, as the summaries print it."""
        return f"{self.level}:{self.type}: {self.message} ({self.where()})"


CHECKPATCH_CWD = paths.CACHE / "checkpatch"   # its CamelCase cache


def run_checkpatch(patch):
    """checkpatch.pl --strict of the base on one patch file."""
    CHECKPATCH_CWD.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["perl", str(paths.BASE_REPO / "scripts" / "checkpatch.pl"),
         "--strict", "--show-types",
         f"--root={paths.BASE_REPO}", str(patch)],
        cwd=CHECKPATCH_CWD, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    findings = []
    for line in proc.stdout.splitlines():
        m = FINDING.match(line)
        if m:
            findings.append(Finding(*m.groups()))
            continue
        m = WHERE.match(line)
        if m and findings and not findings[-1].file:
            findings[-1].file, findings[-1].line = m.group(1), int(m.group(2))
    if "total:" not in proc.stdout:
        raise SeriesError(f"checkpatch did not run on {patch}:\n"
                          + proc.stdout)
    return findings


def explain(findings, reasons):
    """Give each CHECK its recorded reason, where one matches."""
    for f in findings:
        for r in reasons:
            if r.explains(f):
                f.reason = r.reason
                r.used += 1
                break


def unacceptable(findings):
    """Errors, warnings and CHECKs without a reason."""
    return [f for f in findings if not f.reason]


# ---------------------------------------------------------- cover letter


def bench_figures():
    """The newest `make bench` table, or a note that there is none."""
    found = sorted(paths.RESULTS.glob("bench-*.txt"),
                   key=lambda p: p.stat().st_mtime)
    if not found:
        return "no bench run recorded"
    text = found[-1].read_text().rstrip()
    return f"From {found[-1].name}:\n\n" + \
        "\n".join("    " + line if line else "" for line in text.splitlines())


def arch_status():
    """Each configuration the host tooling builds, from its arches/ data:
    the module's docstring, then per profile what `make check` does."""
    paragraphs = []
    for info in sorted(pkgutil.iter_modules(arches.__path__),
                       key=lambda i: i.name):
        mod = importlib.import_module(f"{arches.__name__}.{info.name}")
        doc = " ".join((mod.__doc__ or "").split())
        doc = doc.removeprefix(f"{info.name}:").strip()
        runs = []
        for record in getattr(mod, "RECORDS", ()):
            if record.build_only:
                runs.append(f"{record.key}: built")
            else:
                runs.append(f"{record.key}: built, booted "
                            f"({', '.join(record.boots)})")
        paragraphs.append(textwrap.fill(
            f"{info.name}: {doc}  " + "; ".join(runs) + ".", 72,
            initial_indent="  * ", subsequent_indent="    "))
    return "\n".join(paragraphs)


def checks_text(patches, findings):
    """Every CHECK that remains, per patch, grouped by message and
    reason, with where each is."""
    lines = []
    for patch, found in zip(patches, findings):
        groups = {}
        for f in found:
            groups.setdefault((f.level, f.type, f.message, f.reason),
                              []).append(f.where())
        if not groups:
            continue
        lines.append(f"{patch.name}:")
        for (level, kind, message, reason), places in groups.items():
            lines.append(f"  - {level} {kind}: {message}")
            lines.append(_wrap("at " + ", ".join(places)))
            lines.append(_wrap(reason or "NO REASON RECORDED"))
    return "\n".join(lines) if lines else "none"


def _wrap(text, width=72, indent="    "):
    """Wrap a place list or a reason for the cover letter."""
    return textwrap.fill(text, width, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False)


def write_cover(cover, specs, patches, findings):
    """Fill host/series/cover-letter.txt into format-patch's cover."""
    spec = _parse_spec(COVER_TEMPLATE)
    checks = checks_text(patches, findings)
    values = dict(base_version=base.base_version(), count=len(specs),
                  arch_status=arch_status(), bench=bench_figures(),
                  checks=checks,
                  totals=_counts([f for found in findings for f in found]))
    try:
        blurb = string.Template(spec.body).substitute(values)
        subject = string.Template(spec.subject).substitute(values)
    except (KeyError, ValueError) as e:
        raise SeriesError(f"{COVER_TEMPLATE}: bad placeholder {e}")
    text = cover.read_text()
    for marker, value in (("*** SUBJECT HERE ***", subject),
                          ("*** BLURB HERE ***", blurb)):
        if marker not in text:
            raise SeriesError(f"{cover}: no {marker!r} to replace")
        text = text.replace(marker, value, 1)
    cover.write_text(text)


# ------------------------------------------------------------- generate


@dataclass
class Series:
    """What generate() made: specs, commits, patch files, findings."""
    specs: list
    commits: list
    patches: list          # Paths of 0001-... in out/, in order
    findings: list         # per patch, list of Finding


def format_patches(commits, outdir):
    """git format-patch base..tip (with a cover) into a clean outdir."""
    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob("*.patch"):
        old.unlink()
    git = ["git", "-C", str(paths.BASE_REPO),
           "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
           "-c", "format.signOff=false", "-c", "core.abbrev=12"]
    names = out(git + ["format-patch", "--cover-letter", "--numbered",
                       "--no-signature", "-o", str(outdir),
                       f"base..{commits[-1]}"], env=_ident_env())
    files = [Path(n) for n in names.splitlines()]
    return files[0], files[1:]


def generate(args):
    """Build the commits, write out/series/, run checkpatch: a Series."""
    outdir = Path(getattr(args, "out", None) or DEFAULT_OUT)
    base.ensure_base()
    specs = load_specs()
    assign_files(specs, repo_sources())
    with Timer("series commits"):
        commits = build_commits(specs)
    check_tip_is_ours(commits[-1])
    cover, patches = format_patches(commits, outdir)
    if len(patches) != len(specs):
        raise SeriesError(f"format-patch wrote {len(patches)} patches for "
                          f"{len(specs)} commits")
    reasons = load_reasons()
    findings = []
    with Timer("checkpatch"):
        for patch in patches:
            found = run_checkpatch(patch)
            explain(found, reasons)
            findings.append(found)
    write_cover(cover, specs, patches, findings)
    for r in reasons:
        if not r.used:
            log(f"series: checks.txt reason never used: {r.type} "
                f"{r.file} {r.match!r}")
    return Series(specs, commits, patches, findings)


def make_series(args):
    """`make series`: write out/series/ and summarise checkpatch."""
    series = generate(args)
    bad = 0
    for patch, found in zip(series.patches, series.findings):
        wrong = unacceptable(found)
        bad += bool(wrong)
        print(f"{patch.name}: {_counts(found)}")
        for f in wrong:
            print(f"  {f}")
    print(f"{len(series.patches)} patches and a cover letter in "
          f"{series.patches[0].parent}"
          + (f"; {bad} with checkpatch problems (make series-check)"
             if bad else ""))
    return 0


def _counts(found):
    """'N errors, N warnings, N checks (N without a reason)'."""
    n = {lvl: sum(f.level == lvl for f in found)
         for lvl in ("ERROR", "WARNING", "CHECK")}
    unexplained = sum(not f.reason for f in found)
    return (f"{n['ERROR']} errors, {n['WARNING']} warnings, "
            f"{n['CHECK']} checks ({unexplained} without a reason)")


# ---------------------------------------------------------------- check


def series_worktree():
    """work/series/src at the pristine base, nothing applied."""
    src = paths.src_dir(IMPL)
    git = ["git", "-C", str(src)]
    if not (src / ".git").exists():
        src.parent.mkdir(parents=True, exist_ok=True)
        run(["git", "-C", paths.BASE_REPO, "worktree", "prune"])
        run(["git", "-C", paths.BASE_REPO, "worktree", "add", "-q",
             "--detach", src, "base"])
    subprocess.run(git + ["am", "--abort"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    run(git + ["reset", "-q", "--hard", "base"])
    run(git + ["clean", "-q", "-fd"])
    return src


def git_am(src, patch):
    """Apply one patch with git am; return git's complaint or ''."""
    proc = subprocess.run(["git", "-C", str(src), "am", "-q", str(patch)],
                          env=_ident_env(), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode:
        subprocess.run(["git", "-C", str(src), "am", "--abort"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return proc.stdout.strip() or "git am failed"
    return ""


def _declared_symbols(src, symbols):
    """Of @symbols (CONFIG_ names), those some Kconfig of the tree has."""
    if not symbols:
        return set()
    names = "|".join(s.removeprefix("CONFIG_") for s in symbols)
    proc = subprocess.run(["git", "-C", str(src), "grep", "-h", "-E",
                           rf"^\s*(menu)?config\s+({names})\s*$",
                           "--", "*Kconfig*"],
                          text=True, stdout=subprocess.PIPE)
    return {"CONFIG_" + m.group(1) for line in proc.stdout.splitlines()
            if (m := KCONFIG_SYMBOL.match(line))}


# The symbols of the test and bench patches.  Leaving them out until the
# last patch keeps the configuration, and so autoconf.h, the same from one
# intermediate patch to the next: each build recompiles only what the
# patch changed, not the whole tree.  The last build has them all.
TEST_SYMBOLS = re.compile(r"^CONFIG_STATIC_CALL_(KUNIT|X86_KUNIT|BENCH)\w*=",
                          re.M)


def without_test_symbols(fragment):
    """@fragment without the lines that set the test and bench symbols."""
    return "\n".join(line for line in fragment.splitlines()
                     if not TEST_SYMBOLS.match(line)) + "\n"


def configure(arch, strict):
    """allnoconfig with ours' fragments, every time (symbols appear as the
    series goes on, and olddefconfig would give them their defaults).

    The last patch must keep every option, like kbuild.configure(); an
    intermediate patch may lose an option no Kconfig of its tree declares
    yet.  Returns the options so tolerated.
    """
    build = paths.build_dir(IMPL, arch.key)
    build.mkdir(parents=True, exist_ok=True)
    fragment = kbuild._fragments(arch, CONFIG_LIKE)
    if not strict:
        fragment = without_test_symbols(fragment)
    frag_file = build / kbuild.FRAGMENT
    frag_file.write_text(fragment)
    target = arch.base_config
    with open(os.devnull, "w") as null:
        run(kbuild.make_args(arch, IMPL)
            + [f"KCONFIG_ALLCONFIG={frag_file}", target],
            env=kbuild.make_env(), stdout=null)
    have = kbuild.parse_config((build / ".config").read_text())
    lost = {k: v for k, v in kbuild.parse_config(fragment).items()
            if have.get(k, "n") != v}
    tolerated = set() if strict else \
        set(lost) - _declared_symbols(paths.src_dir(IMPL), lost)
    really = [f"{k}={v} (got {have.get(k, 'n')})" for k, v in lost.items()
              if k not in tolerated]
    if really:
        raise SeriesError(f"{arch.key}/{IMPL}: config lost: "
                          + ", ".join(really))
    return sorted(tolerated)


def build(arch, strict):
    """Configure and build incrementally; return problems found."""
    try:
        tolerated = configure(arch, strict)
    except SeriesError as e:
        return [str(e)]
    except subprocess.CalledProcessError as e:
        return [f"configure failed: {' '.join(map(str, e.cmd[-2:]))}"]
    if tolerated:
        log("not declared yet: " + ", ".join(tolerated))
    build_dir = paths.build_dir(IMPL, arch.key)
    cmd = kbuild.make_args(arch, IMPL) + kbuild._targets(arch, IMPL)
    logfile = build_dir / kbuild.BUILD_LOG
    log("$ " + " ".join(map(str, cmd)) + f" > {logfile}")
    with Timer(f"build {arch.key}/{IMPL}"), open(logfile, "w") as keep:
        rc = subprocess.run([str(c) for c in cmd], env=kbuild.make_env(),
                            stdout=keep, stderr=subprocess.STDOUT).returncode
    if rc:
        tail = logfile.read_text().splitlines()[-25:]
        return ["build failed:"] + ["    " + line for line in tail]
    return [f"build: {w}" for w in kbuild.build_warnings(arch, IMPL)]


def series_check(args):
    """`make series-check`: apply, build and checkpatch patch by patch."""
    series = generate(args)
    no_build = getattr(args, "no_build", False)
    arch = arches.find(BUILD_ARCH)
    src = series_worktree()
    passed = failed = 0
    applied = True
    total = len(series.patches)
    for i, (spec, patch, found) in enumerate(zip(series.specs,
                                                 series.patches,
                                                 series.findings)):
        label = f"series {i + 1}/{total} {spec.subject}"
        problems = []
        if not applied:
            problems.append("not tried: an earlier patch did not apply")
        else:
            complaint = git_am(src, patch)
            if complaint:
                applied = False
                problems.append(f"git am: {complaint}")
            elif not no_build:
                problems += build(arch, strict=i == total - 1)
        problems += [f"checkpatch {f}" for f in unacceptable(found)]
        if problems:
            failed += 1
            print(f"{label}: FAILED ({_counts(found)})")
            for p in problems:
                print(f"  {p}")
        else:
            passed += 1
            print(f"{label}: passed ({'applied' if no_build else 'built'}; "
                  f"{_counts(found)})")
    if applied and not same_tree(src, series.commits[-1]):
        failed += 1
        print("series: the tree git am built differs from the generated "
              "series (and so from the composed ours tree): FAILED")
    print(f"base: linux-source-6.12 {base.base_version()}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def same_tree(src, commit):
    """Whether the worktree's HEAD has the tree of @commit."""
    return out(["git", "-C", str(src), "rev-parse", "HEAD^{tree}"]) == \
        out(["git", "-C", str(src), "rev-parse", f"{commit}^{{tree}}"])
