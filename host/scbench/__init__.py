"""scbench: compose, build, boot and check Linux 6.12 with our static calls.

The package is split by job, one module each: base (the pristine Debian
source), compose (base + our files + our patches), kbuild (configure and
build), initramfs (the nolibc /init and its cpio), qemu (boot), runner
(one kernel from composed to judged), printk, ktap and console (read what
the guest printed), report (judge it) and plans (which boots run which
tests).  Each architecture's facts live in arches/<arch>.py as Arch
records, one per configuration profile.  __main__ reads the command line
and commands (and bench) carry the commands out; tests/ holds the unit
tests `check` runs first.
"""
