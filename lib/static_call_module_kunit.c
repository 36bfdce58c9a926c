// SPDX-License-Identifier: GPL-2.0
/*
 * Companion module of the static call conformance suite: call sites that
 * live in a module.  Its suite runs each time the module is loaded, and
 * is meant to be loaded and unloaded several times in a row.
 *
 * It covers sites of kernel keys (found moved away from their default
 * when the module loads, then updated while it is loaded), a kernel key
 * reached only through its exported trampoline, and keys the module
 * defines itself, with targets both in the kernel and in the module.
 */
#include <kunit/test.h>
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"

static long mod_target(long x)
{
	return x + SC_TEST_MOD;
}

static int mod_cond_calls;

static long mod_cond_target(long x)
{
	mod_cond_calls++;
	return 0;
}

static noinline long mod_shared_site(long x)
{
	long ret = static_call(sc_test_shared)(x);

	barrier();
	return ret;
}

noinline long sc_test_mod_tail_site(long x)
{
	return static_call(sc_test_shared)(x);
}

static noinline void mod_cond_site(long x)
{
	static_call_cond(sc_test_shared_cond)(x);
	barrier();
}

static noinline long mod_tramp_only_site(long x)
{
	long ret = static_call_mod(sc_test_tramp_only)(x);

	barrier();
	return ret;
}

DEFINE_STATIC_CALL(sc_mod_key, mod_target);

static noinline long mod_key_site(long x)
{
	long ret = static_call(sc_mod_key)(x);

	barrier();
	return ret;
}

DEFINE_STATIC_CALL_RET0(sc_mod_ret0, mod_target);

static noinline long mod_ret0_site(long x)
{
	return static_call(sc_mod_ret0)(x);
}

static void reset_shared_keys(void *unused)
{
	sc_test_reset_shared_keys();
}

static int mod_suite_init(struct kunit *test)
{
	/* Leave the kernel keys as the next load expects them. */
	return kunit_add_action_or_reset(test, reset_shared_keys, NULL);
}

static void sites_match_key_state_at_load(struct kunit *test)
{
	const long expect = SC_TEST_SHARED_AT_LOAD(5);

	SC_EXPECT_TARGET(test, static_call_query(sc_test_shared),
			 SC_TEST_SHARED_AT_LOAD);
	KUNIT_EXPECT_EQ(test, mod_shared_site(5), expect);
	KUNIT_EXPECT_EQ(test, sc_test_mod_tail_site(5), expect);
	KUNIT_EXPECT_EQ(test, mod_tramp_only_site(6),
			SC_TEST_TRAMP_ONLY_AT_LOAD(6));
}

static void sites_follow_updates_while_loaded(struct kunit *test)
{
	long (*const targets[])(long) = {
		sc_test_target_c, sc_test_target_a, mod_target,
		sc_test_target_b, sc_test_target_c,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		long expect = targets[i](i);

		static_call_update(sc_test_shared, targets[i]);
		KUNIT_EXPECT_EQ_MSG(test, mod_shared_site(i), expect,
				    "call site, update %d", i);
		KUNIT_EXPECT_EQ_MSG(test, sc_test_mod_tail_site(i), expect,
				    "tail site, update %d", i);
		KUNIT_EXPECT_EQ_MSG(test, sc_test_kernel_call_shared(i),
				    expect, "kernel site, update %d", i);
	}
}

static void cond_site_null_and_back(struct kunit *test)
{
	mod_cond_calls = 0;
	static_call_update(sc_test_shared_cond, NULL);
	mod_cond_site(1);
	KUNIT_EXPECT_EQ(test, mod_cond_calls, 0);

	static_call_update(sc_test_shared_cond, mod_cond_target);
	mod_cond_site(2);
	KUNIT_EXPECT_EQ(test, mod_cond_calls, 1);

	static_call_update(sc_test_shared_cond, NULL);
	mod_cond_site(3);
	KUNIT_EXPECT_EQ(test, mod_cond_calls, 1);
}

static void tramp_only_site_follows_kernel(struct kunit *test)
{
	sc_test_update_tramp_only(sc_test_target_c);
	KUNIT_EXPECT_EQ(test, mod_tramp_only_site(7), 7 + SC_TEST_C);
	KUNIT_EXPECT_EQ(test, sc_test_kernel_call_tramp_only(7),
			7 + SC_TEST_C);

	sc_test_update_tramp_only(mod_target);
	KUNIT_EXPECT_EQ(test, mod_tramp_only_site(8), 8 + SC_TEST_MOD);
	SC_EXPECT_TARGET(test, sc_test_query_tramp_only(), mod_target);
}

static void restore_mod_keys(void *unused)
{
	static_call_update(sc_mod_key, mod_target);
	static_call_update(sc_mod_ret0, (void *)__static_call_return0);
}

static void module_key_targets_kernel_and_module(struct kunit *test)
{
	sc_test_defer(test, restore_mod_keys);
	KUNIT_EXPECT_EQ(test, mod_key_site(1), 1 + SC_TEST_MOD);
	static_call_update(sc_mod_key, sc_test_target_a);
	KUNIT_EXPECT_EQ(test, mod_key_site(2), 2 + SC_TEST_A);
	SC_EXPECT_TARGET(test, static_call_query(sc_mod_key),
			 sc_test_target_a);
	static_call_update(sc_mod_key, mod_target);
	KUNIT_EXPECT_EQ(test, mod_key_site(3), 3 + SC_TEST_MOD);
}

static void module_ret0_key(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	sc_test_defer(test, restore_mod_keys);
	KUNIT_EXPECT_EQ(test, mod_ret0_site(-1L), 0);
	static_call_update(sc_mod_ret0, sc_test_target_b);
	KUNIT_EXPECT_EQ(test, mod_ret0_site(4), 4 + SC_TEST_B);
	static_call_update(sc_mod_ret0, (void *)__static_call_return0);
	KUNIT_EXPECT_EQ(test, mod_ret0_site(5), 0);
}

static void module_sites_are_text_reserved(struct kunit *test)
{
	void *site_fn = (void *)sc_test_mod_tail_site;
	int expect = IS_ENABLED(CONFIG_HAVE_STATIC_CALL_INLINE);

	KUNIT_EXPECT_EQ(test,
			sc_test_text_reserved(site_fn,
					      site_fn + SC_TEST_SITE_WINDOW),
			expect);
}

static struct kunit_case static_call_module_cases[] = {
	KUNIT_CASE(sites_match_key_state_at_load),
	KUNIT_CASE(sites_follow_updates_while_loaded),
	KUNIT_CASE(cond_site_null_and_back),
	KUNIT_CASE(tramp_only_site_follows_kernel),
	KUNIT_CASE(module_key_targets_kernel_and_module),
	KUNIT_CASE(module_ret0_key),
	KUNIT_CASE(module_sites_are_text_reserved),
	{}
};

static struct kunit_suite static_call_module_suite = {
	.name = "static_call_module",
	.init = mod_suite_init,
	.test_cases = static_call_module_cases,
};

kunit_test_suite(static_call_module_suite);

static int __init static_call_module_kunit_init(void)
{
	void (*adopt)(long (*func)(long)) = symbol_get(sc_after_adopt_target);

	if (adopt) {
		adopt(mod_target);
		symbol_put(sc_after_adopt_target);
	}
	return 0;
}
module_init(static_call_module_kunit_init);

static void __exit static_call_module_kunit_exit(void)
{
	const struct module_memory *text = &THIS_MODULE->mem[MOD_TEXT];

	sc_test_note_unloaded_text(text->base, text->size);
}
module_exit(static_call_module_kunit_exit);

MODULE_DESCRIPTION("Static call conformance tests: call sites in a module");
MODULE_LICENSE("GPL");
