#!/bin/bash
# Install what the bench needs on a Debian 12 machine, once.  apt-get
# update is retried: a mirror that flakes once must not fail a CI run.
set -u
pkgs=(make gcc libc6-dev flex bison bc libelf-dev libssl-dev cpio ccache
      python3 git xz-utils qemu-system-x86 qemu-system-arm
      gcc-i686-linux-gnu libc6-dev-i386-cross
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-powerpc-linux-gnu)
# (not gcc-multilib: Debian's cross compilers conflict with it)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
echo "[scbench] installing: ${missing[*]}" >&2
for i in 1 2 3 4 5; do
	$sudo apt-get update -q >/dev/null && break
	echo "[scbench] apt-get update failed (try $i), retrying" >&2
	sleep $((i * 5))
done
for i in 1 2 3; do
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null && exit 0
	echo "[scbench] apt-get install failed (try $i), retrying" >&2
	sleep $((i * 5))
	$sudo apt-get update -q >/dev/null
done
exit 1
