# Convenience targets; each calls host/run, which installs what it needs.
# ARCH=x86_64 PROFILE=big IMPL=ours|upstream narrow a run (comma-separated
# lists); see host/README.md.  check-all is check with what CI leaves out.
.PHONY: boot check check-all compose build trap bench series series-check
boot check check-all compose build trap bench series series-check:
	./host/run $@
