// SPDX-License-Identifier: GPL-2.0
/*
 * A module that defines a key and exports only its trampoline, for
 * static_call_foreign_tramp_fixture, which calls it with
 * static_call_mod() and must be refused: only vmlinux's trampolines can
 * be traced back to their keys, and a site naming another module's
 * trampoline would otherwise be taken for a key.
 *
 * Load this module, try to load the other one (which must fail), then
 * write 1 to run_suite: the key and its site here must be untouched.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"

static long provider_target(long x)
{
	return x + SC_TEST_MOD;
}

DEFINE_STATIC_CALL(sc_provider, provider_target);
EXPORT_STATIC_CALL_TRAMP_GPL(sc_provider);

static noinline long provider_site(long x)
{
	long ret = static_call(sc_provider)(x);

	barrier();
	return ret;
}

static void restore_provider(void *unused)
{
	static_call_update(sc_provider, provider_target);
}

static void key_and_site_survive_foreign_refusal(struct kunit *test)
{
	sc_test_defer(test, restore_provider);
	SC_EXPECT_TARGET(test, static_call_query(sc_provider), provider_target);
	KUNIT_EXPECT_EQ(test, provider_site(1), 1 + SC_TEST_MOD);
	static_call_update(sc_provider, sc_test_target_b);
	KUNIT_EXPECT_EQ(test, provider_site(2), 2 + SC_TEST_B);
	static_call_update(sc_provider, NULL);
	static_call_update(sc_provider, sc_test_target_c);
	KUNIT_EXPECT_EQ(test, provider_site(3), 3 + SC_TEST_C);
}

static struct kunit_case static_call_foreign_cases[] = {
	KUNIT_CASE(key_and_site_survive_foreign_refusal),
	{}
};

static struct kunit_suite static_call_foreign_suite = {
	.name = "static_call_foreign_tramp",
	.test_cases = static_call_foreign_cases,
};

SC_TEST_SUITE_ON_WRITE(static_call_foreign_suite,
		       "once static_call_foreign_tramp_fixture was refused");

MODULE_DESCRIPTION("Static call tests: a module key exported as a trampoline only");
MODULE_LICENSE("GPL");
