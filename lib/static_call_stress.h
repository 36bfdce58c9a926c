/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the SMP stress suite (static_call_stress_kunit) and its
 * out-of-line half (static_call_stress_ool), which defines the keys so
 * that it needs nothing of the suite's module: it loads first.
 */
#ifndef _LIB_STATIC_CALL_STRESS_H
#define _LIB_STATIC_CALL_STRESS_H

#include <linux/static_call.h>

/* What the keys run until the suite retargets them, and after it. */
#define SC_STRESS_INITIAL	9000L
long sc_stress_initial(long x);

/* Switched between targets, and between NULL and a target. */
DECLARE_STATIC_CALL(sc_stress_call, sc_stress_initial);
DECLARE_STATIC_CALL(sc_stress_cond, sc_stress_initial);

/*
 * Calls of the trampolines that no site table lists, in a non-standard
 * object (lib/Makefile): what every call costs with out-of-line static
 * calls, and what a caller the site tools missed would run.
 */
long sc_stress_ool_call(long x);
void sc_stress_ool_cond(long x);

#endif /* _LIB_STATIC_CALL_STRESS_H */
