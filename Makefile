# Convenience targets; each calls host/run, which installs what it needs.
# ARCH=x86_64 PROFILE=big IMPL=ours|upstream narrow a run (comma-separated
# lists); see host/README.md.
.PHONY: boot check compose build trap bench series series-check
boot check compose build trap bench series series-check:
	./host/run $@
