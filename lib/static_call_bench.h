/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LIB_STATIC_CALL_BENCH_H
#define _LIB_STATIC_CALL_BENCH_H

#include <linux/compiler.h>
#include <linux/static_call.h>

long sc_bench_target(long x);
DECLARE_STATIC_CALL(sc_bench_call, sc_bench_target);

u64 sc_bench_per_call(long (*loop)(int n));
void sc_bench_report(const char *name, u64 value, const char *unit);

/*
 * Defines loop_@name(n), which makes n calls of @callee: every per-call
 * measure runs a loop of this one shape, so that they differ only in the
 * call.  The sum keeps the calls from being optimised away.
 */
#define SC_BENCH_LOOP(name, callee)					\
static noinline long loop_##name(int n)					\
{									\
	long sum = 0;							\
	int i;								\
									\
	for (i = 0; i < n; i++)						\
		sum += callee(i);					\
	return sum;							\
}

#endif
