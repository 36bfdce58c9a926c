// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose object is non-standard (see lib/Makefile): neither
 * objtool nor scripts/static_call_sites lists its static call in
 * .static_call_sites, so it keeps calling the trampoline, which is what
 * every static call costs with out-of-line static calls.  A module of its
 * own because, with IBT, objtool runs on whole modules.
 */
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_bench.h"

SC_BENCH_LOOP(out_of_line, static_call(sc_bench_call))
/* The same loop calling the target directly: the baseline here. */
SC_BENCH_LOOP(direct_here, sc_bench_target)

static int __init sc_bench_ool_init(void)
{
	sc_bench_report("call_out_of_line", sc_bench_per_call(loop_out_of_line),
			"insn/100");
	sc_bench_report("call_direct_no_objtool",
			sc_bench_per_call(loop_direct_here), "insn/100");
	return 0;
}
module_init(sc_bench_ool_init);

static void __exit sc_bench_ool_exit(void)
{
}
module_exit(sc_bench_ool_exit);

MODULE_DESCRIPTION("Static call benchmark: calls through the trampoline");
MODULE_LICENSE("GPL");
