#!/bin/bash
# Render Documentation/core-api/static-calls.rst with the kernel's own
# Sphinx configuration and extensions, as narrowly as possible, and report
# every warning that names the document or one of our sources.
#
# usage: host/docs-check.sh [--core-api] SRC
#
#   SRC         a composed kernel source tree (e.g. the "ours" tree); it is
#               only read: what the build needs is copied to a scratch dir
#   --core-api  build all of Documentation/core-api instead, the way
#               "make SPHINXDIRS=core-api htmldocs" does (much slower)
#
# The narrow build is sphinx-build run on a directory holding only our
# document and a one-line index, with Documentation/conf.py, the
# extensions in Documentation/sphinx and scripts/kernel-doc; the sources
# its kernel-doc directives name are copied alongside.  Runs under
# nice -n 19 with one job.  Needs python3-sphinx (Debian) or any Sphinx the
# kernel's conf.py accepts; set SPHINXBUILD to pick one.
#
# kernel-doc -Wall also runs on each source the document pulls in.
#
# Exit status: 0 if no warning names our files (and core-api's index
# lists the document), 1 if some do, 2 on a usage error or a failed build.
# DOCS_CHECK_KEEP=1 keeps the scratch dir.
set -u

core_api=0
if [ "${1:-}" = --core-api ]; then
	core_api=1
	shift
fi
if [ $# -ne 1 ] || [ ! -f "$1/Documentation/conf.py" ]; then
	echo "usage: $0 [--core-api] <composed kernel source tree>" >&2
	exit 2
fi
src=$(cd "$1" && pwd)
doc=Documentation/core-api/static-calls.rst
if [ ! -f "$src/$doc" ]; then
	echo "docs-check: $src has no $doc" >&2
	exit 2
fi

SPHINXBUILD=${SPHINXBUILD:-sphinx-build}
if ! command -v "$SPHINXBUILD" >/dev/null; then
	echo "docs-check: $SPHINXBUILD not found (apt-get install python3-sphinx)" >&2
	exit 2
fi

scratch=$(mktemp -d /tmp/docs-check.XXXXXX)
if [ "${DOCS_CHECK_KEEP:-0}" = 1 ]; then
	echo "docs-check: scratch dir $scratch"
else
	trap 'nice -n 19 ionice -c 3 rm -rf "$scratch"' EXIT
fi
tree=$scratch/src
log=$scratch/build.log
warnings=$scratch/warnings.log

# Which of our files a warning may name.
ours='static-calls\.rst|static_call[a-z0-9_]*\.[ch]\b'

start=$(date +%s.%N)

if [ $core_api = 1 ]; then
	# The documented way, on a full copy (the Makefile wants the tree).
	nice -n 19 ionice -c 3 cp -a "$src" "$tree" || exit 2
	copied=$(date +%s.%N)
	printf 'docs-check: copying the tree took %.1f s\n' \
		"$(awk -v a="$start" -v b="$copied" 'BEGIN { print b - a }')"
	start=$copied
	(cd "$tree" && nice -n 19 make -j1 SPHINXDIRS=core-api \
		SPHINXOPTS="-j1 -w $warnings" htmldocs) >"$log" 2>&1
	status=$?
else
	# Only what the narrow build reads.
	mkdir -p "$tree/Documentation" "$tree/scripts" || exit 2
	cp -a "$src/Makefile" "$tree/" &&
	cp -a "$src/Documentation/conf.py" "$src/Documentation/sphinx" \
		"$tree/Documentation/" &&
	cp -a "$src/scripts/kernel-doc" "$tree/scripts/" || exit 2
	# conf.py names these; without them Sphinx warns (not about us).
	mkdir -p "$tree/Documentation/images" &&
	cp -a "$src/Documentation/sphinx-static" "$tree/Documentation/" &&
	cp -a "$src/Documentation/images/logo.svg" \
		"$tree/Documentation/images/" || exit 2
	for f in $(sed -n 's/^\.\. kernel-doc:: *//p' "$src/$doc"); do
		mkdir -p "$tree/$(dirname "$f")" &&
		cp -a "$src/$f" "$tree/$f" || exit 2
	done

	# A core-api of one document, built as SPHINXDIRS would build it.
	dir=$tree/Documentation/core-api
	mkdir -p "$dir" && cp -a "$src/$doc" "$dir/" || exit 2
	cat >"$dir/index.rst" <<-EOF
	========
	Core API
	========

	.. toctree::

	   static-calls
	EOF

	version=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = //p' \
		"$src/Makefile" | paste -sd.)
	# kernel-doc's stricter checks, which the Sphinx extension leaves off.
	for f in $(sed -n 's/^\.\. kernel-doc:: *//p' "$src/$doc"); do
		perl "$tree/scripts/kernel-doc" -none -Wall "$tree/$f"
	done >"$log" 2>&1

	# No conf.py in the directory: conf.py tags the build a subproject.
	(cd "$tree/Documentation" &&
	 SPHINX_CONF=$dir/conf.py PYTHONDONTWRITEBYTECODE=1 \
	 nice -n 19 "$SPHINXBUILD" -q -j1 -b html -c "$tree/Documentation" \
		-d "$scratch/doctrees" -w "$warnings" \
		-D version="$version" -D release="$version" \
		-D kerneldoc_srctree="$tree" \
		-D kerneldoc_bin="$tree/scripts/kernel-doc" \
		"$dir" "$scratch/html") >>"$log" 2>&1
	status=$?
fi

end=$(date +%s.%N)
printf 'docs-check: %s build took %.1f s\n' \
	"$([ $core_api = 1 ] && echo core-api || echo narrow)" \
	"$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"

# The narrow build has its own index: check that the real one lists us.
missing_index=0
if ! grep -q '^ *static-calls$' "$src/Documentation/core-api/index.rst"; then
	echo "docs-check: Documentation/core-api/index.rst does not list static-calls"
	missing_index=1
fi

if [ "$status" -ne 0 ]; then
	echo "docs-check: the build failed ($status); its last lines:"
	tail -n 20 "$log"
	exit 2
fi

# Sphinx warnings, and kernel-doc's complaints (printed to stderr).
found=$(cat "$warnings" "$log" 2>/dev/null | grep -E "$ours" |
	sed "s|$tree/||g" | sort -u)
if [ -n "$found" ]; then
	echo "docs-check: warnings naming our files:"
	echo "$found"
	exit 1
fi
[ $missing_index = 1 ] && exit 1
echo "docs-check: no warnings name our files"
if [ "${DOCS_CHECK_KEEP:-0}" = 1 ]; then
	if [ $core_api = 1 ]; then
		html=$tree/Documentation/output/core-api/static-calls.html
	else
		html=$scratch/html/static-calls.html
	fi
	echo "docs-check: rendered: $html"
fi
exit 0
