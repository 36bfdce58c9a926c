// SPDX-License-Identifier: GPL-2.0
/*
 * Built without objtool (see lib/Makefile), so its static call is not
 * listed in .static_call_sites: it keeps calling the trampoline, which is
 * what every static call costs with out-of-line static calls.
 */
#include <linux/compiler.h>
#include <linux/static_call.h>

#include "test_static_call_bench.h"

noinline long sc_bench_loop_out_of_line(int n)
{
	long sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += static_call(sc_bench_call)(i);
	return sum;
}
