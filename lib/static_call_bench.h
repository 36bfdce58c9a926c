/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LIB_STATIC_CALL_BENCH_H
#define _LIB_STATIC_CALL_BENCH_H

#include <linux/static_call.h>

long sc_bench_target(long x);
DECLARE_STATIC_CALL(sc_bench_call, sc_bench_target);

u64 sc_bench_per_call(long (*loop)(int n));
void sc_bench_report(const char *name, u64 value, const char *unit);

#endif
