#!/bin/bash
# Install what the bench needs on a Debian 12 machine, once.  The list
# comes from the architecture records (python3 -m scbench packages), so
# python3 itself comes first: a fresh Debian 12 may lack it.  apt-get
# update is retried: a mirror that flakes once must not fail a CI run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo

missing_of() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || echo "$p"
	done
}

apt_install() {
	local i
	echo "[scbench] installing: $*" >&2
	for i in 1 2 3 4 5; do
		$sudo apt-get update -q >/dev/null && break
		echo "[scbench] apt-get update failed (try $i), retrying" >&2
		sleep $((i * 5))
	done
	for i in 1 2 3; do
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "$@" >/dev/null && return 0
		echo "[scbench] apt-get install failed (try $i), retrying" >&2
		sleep $((i * 5))
		$sudo apt-get update -q >/dev/null
	done
	return 1
}

command -v python3 >/dev/null || apt_install python3 || exit 1
pkgs=$(PYTHONPATH="$here" python3 -m scbench packages) || exit 1
# (word splitting is wanted: one package a line)
# shellcheck disable=SC2086
missing=$(missing_of $pkgs)
[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
apt_install $missing
