# Convenience targets; each calls host/run, which installs what it needs.
# ARCH=x86_64 IMPL=ours|upstream narrow a run (comma-separated lists).
.PHONY: boot check compose build trap bench
boot check compose build trap bench:
	./host/run $@
