// SPDX-License-Identifier: GPL-2.0
/*
 * A module built without objtool (see lib/Makefile), so its static call
 * is not listed in .static_call_sites: it keeps calling the trampoline,
 * which is what every static call costs with out-of-line static calls.
 * A module of its own because, with IBT, objtool runs on whole modules.
 */
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_bench.h"

static noinline long loop_out_of_line(int n)
{
	long sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += static_call(sc_bench_call)(i);
	return sum;
}

/* The same loop calling the target directly: the baseline here. */
static noinline long loop_direct_here(int n)
{
	long sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += sc_bench_target(i);
	return sum;
}

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
