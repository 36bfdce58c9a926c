/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LIB_TEST_STATIC_CALL_BENCH_H
#define _LIB_TEST_STATIC_CALL_BENCH_H

#include <linux/static_call.h>

long sc_bench_target(long x);
DECLARE_STATIC_CALL(sc_bench_call, sc_bench_target);

/* In an object objtool does not annotate: its calls stay out of line. */
long sc_bench_loop_out_of_line(int n);

#endif
