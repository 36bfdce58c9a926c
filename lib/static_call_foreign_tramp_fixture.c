// SPDX-License-Identifier: GPL-2.0
/*
 * Calls static_call_foreign_tramp_kunit's key, of which only the trampoline is
 * exported, through static_call_mod().  With inline static calls its
 * site names that module's trampoline, whose key the kernel cannot find:
 * loading it must fail with -EINVAL and leave the other module alone.
 */
#include <linux/module.h>
#include <linux/static_call.h>

/* The key's type; only the trampoline is exported. */
long sc_provider_type(long x);
DECLARE_STATIC_CALL(sc_provider, sc_provider_type);

static noinline long foreign_site(long x)
{
	long ret = static_call_mod(sc_provider)(x);

	barrier();
	return ret;
}

static int __init static_call_foreign_tramp_fixture_init(void)
{
	pr_err("static_call_foreign_tramp_fixture: loaded, and calls %ld\n",
	       foreign_site(1));
	return 0;
}
module_init(static_call_foreign_tramp_fixture_init);

MODULE_DESCRIPTION("Static call tests: a module the kernel must refuse");
MODULE_LICENSE("GPL");
