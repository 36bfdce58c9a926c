// SPDX-License-Identifier: GPL-2.0
/*
 * Loaded after test_static_call_mod has been unloaded: updates the kernel
 * keys that module had call sites of.  An implementation that forgot to
 * drop the module's sites would now write into freed module text, which
 * on x86 is unmapped at unload and faults (the console check catches the
 * Oops); one that only corrupts silently is caught by the kernel sites
 * and by static_call_text_reserved() still claiming the freed range.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "test_static_call.h"

#define AFTER_ROUNDS 50

static void restore_kernel_keys(void *unused)
{
	static_call_update(sc_test_shared, SC_TEST_SHARED_AT_LOAD);
	static_call_update(sc_test_shared_cond, SC_TEST_SHARED_COND_AT_LOAD);
	sc_test_update_tramp_only(SC_TEST_TRAMP_ONLY_AT_LOAD);
}

static int after_suite_init(struct kunit *test)
{
	return kunit_add_action_or_reset(test, restore_kernel_keys, NULL);
}

static void module_was_unloaded_first(struct kunit *test)
{
	void *start;
	unsigned long size;

	KUNIT_EXPECT_TRUE_MSG(test, sc_test_unloaded_text(&start, &size),
			      "test_static_call_mod was never unloaded");
}

static void kernel_key_updates_after_unload(struct kunit *test)
{
	long (*const targets[])(long) = {
		sc_test_target_a, sc_test_target_b, sc_test_target_c,
	};
	int i;

	for (i = 0; i < AFTER_ROUNDS; i++) {
		long (*func)(long) = targets[i % ARRAY_SIZE(targets)];

		static_call_update(sc_test_shared, func);
		if (sc_test_kernel_call_shared(i) != func(i)) {
			KUNIT_FAIL(test, "round %d: kernel site wrong", i);
			return;
		}
	}
}

static void cond_key_updates_after_unload(struct kunit *test)
{
	int i;

	for (i = 0; i < AFTER_ROUNDS; i++)
		static_call_update(sc_test_shared_cond,
				   i & 1 ? sc_test_target_c : NULL);
	SC_EXPECT_TARGET(test, static_call_query(sc_test_shared_cond),
			    sc_test_target_c);
}

static void tramp_only_key_updates_after_unload(struct kunit *test)
{
	int i;

	for (i = 0; i < AFTER_ROUNDS; i++) {
		long (*func)(long) = i & 1 ? sc_test_target_a : sc_test_target_c;

		sc_test_update_tramp_only(func);
		if (sc_test_kernel_call_tramp_only(i) != func(i)) {
			KUNIT_FAIL(test, "round %d: kernel site wrong", i);
			return;
		}
	}
}

static void unloaded_text_is_not_reserved(struct kunit *test)
{
	void *start;
	unsigned long size;

	KUNIT_ASSERT_TRUE(test, sc_test_unloaded_text(&start, &size));
	KUNIT_EXPECT_EQ(test, sc_test_text_reserved(start, start + size - 1),
			0);
}

static struct kunit_case static_call_after_unload_cases[] = {
	KUNIT_CASE(module_was_unloaded_first),
	KUNIT_CASE(kernel_key_updates_after_unload),
	KUNIT_CASE(cond_key_updates_after_unload),
	KUNIT_CASE(tramp_only_key_updates_after_unload),
	KUNIT_CASE(unloaded_text_is_not_reserved),
	{}
};

static struct kunit_suite static_call_after_unload_suite = {
	.name = "static_call_after_unload",
	.init = after_suite_init,
	.test_cases = static_call_after_unload_cases,
};
kunit_test_suite(static_call_after_unload_suite);

MODULE_DESCRIPTION("Static call conformance tests: updates after unload");
MODULE_LICENSE("GPL");
