// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line half of the SMP stress suite (static_call_stress_kunit):
 * the keys it updates, and calls of their trampolines.  Its object is
 * non-standard (see lib/Makefile): neither objtool nor
 * scripts/static_call_sites lists its static calls in .static_call_sites,
 * so they stay calls of the trampolines while the suite's own sites are
 * patched inline.  A module of its own because, with IBT, objtool runs on
 * whole modules; and it defines the keys, so that the suite's module
 * depends on it and not the other way round.
 */
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"
#include "static_call_stress.h"

long sc_stress_initial(long x)
{
	return x + SC_STRESS_INITIAL;
}
EXPORT_SYMBOL_GPL(sc_stress_initial);

DEFINE_STATIC_CALL(sc_stress_call, sc_stress_initial);
EXPORT_STATIC_CALL_GPL(sc_stress_call);

/*
 * Not NULL at first: x86's NULL trampoline returns through the return
 * thunk, and objtool, which this object skips, is what lists that return
 * for patching (an unpatched one warns).  The suite sets it NULL before
 * its calls begin, with an update, which writes the thunk in use.
 */
DEFINE_STATIC_CALL(sc_stress_cond, sc_stress_initial);
EXPORT_STATIC_CALL_GPL(sc_stress_cond);

SC_TEST_CALL_SITE(sc_stress_ool_call, static_call(sc_stress_call))
EXPORT_SYMBOL_GPL(sc_stress_ool_call);

noinline void sc_stress_ool_cond(long x)
{
	static_call_cond(sc_stress_cond)(x);
	barrier();
}
EXPORT_SYMBOL_GPL(sc_stress_ool_cond);

MODULE_DESCRIPTION("Static call SMP stress tests: calls through the trampolines");
MODULE_LICENSE("GPL");
