// SPDX-License-Identifier: GPL-2.0
/*
 * Updates of kernel keys after static_call_module_kunit, which had call sites
 * of them, has been unloaded.
 *
 * This module is loaded before static_call_module_kunit and its suite is run
 * only when 1 is written to its run_suite parameter, once that
 * module is gone.  Loading a module after the unload instead would place
 * it in the freed module's addresses, and a forgotten site table would
 * then point at live memory again and go unnoticed.  Run this way, an
 * implementation that kept the unloaded module's sites walks freed,
 * unmapped memory and faults (an Oops); one that silently corrupts is
 * caught by the kernel sites and by static_call_text_reserved() still
 * claiming the freed range.
 *
 * It also defines a key of its own that static_call_module_kunit points at
 * one of its functions and leaves pointing there when it goes, as KVM's
 * vendor modules leave kvm.ko's keys: the suite then retargets that key.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"

#define AFTER_ROUNDS 50

static long after_own_target(long x)
{
	return x + SC_TEST_C;
}

DEFINE_STATIC_CALL(sc_after_vendor, after_own_target);

static noinline long after_vendor_site(long x)
{
	long ret = static_call(sc_after_vendor)(x);

	barrier();
	return ret;
}

static long (*adopted_target)(long);

/**
 * sc_after_adopt_target - point this module's key at another module's function
 * @func: the function, which static_call_module_kunit leaves behind when it goes
 */
void sc_after_adopt_target(long (*func)(long))
{
	adopted_target = func;
	static_call_update(sc_after_vendor, func);
}
EXPORT_SYMBOL_GPL(sc_after_adopt_target);

static void reset_shared_keys(void *unused)
{
	sc_test_reset_shared_keys();
}

static int after_suite_init(struct kunit *test)
{
	/* Leave the kernel keys as the next load expects them. */
	return kunit_add_action_or_reset(test, reset_shared_keys, NULL);
}

static void module_was_unloaded_first(struct kunit *test)
{
	void *start;
	unsigned long size;

	KUNIT_EXPECT_TRUE_MSG(test, sc_test_unloaded_text(&start, &size),
			      "static_call_module_kunit was never unloaded");
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

/*
 * The key was left on a function of the unloaded module.  Upstream 6.12
 * leaves it there; ours retargets it to __static_call_return0 as the
 * module goes (Documentation/core-api/static-calls.rst, "Modules going
 * away").  Either way, an update must retarget every site, whatever the
 * gone module's text made the sites hold (with call depth tracking, a
 * call to the accounting thunk in front of the function).
 */
static void module_key_retargeted_from_unloaded_module(struct kunit *test)
{
	void *left = static_call_query(sc_after_vendor);

	KUNIT_ASSERT_NOT_NULL_MSG(test, adopted_target,
				  "static_call_module_kunit never set sc_after_vendor");
	KUNIT_EXPECT_TRUE_MSG(test, left == (void *)adopted_target ||
			      left == (void *)__static_call_return0,
			      "sc_after_vendor targets %ps", left);
	static_call_update(sc_after_vendor, after_own_target);
	KUNIT_EXPECT_EQ(test, after_vendor_site(5), 5 + SC_TEST_C);
	static_call_update(sc_after_vendor, sc_test_target_a);
	KUNIT_EXPECT_EQ(test, after_vendor_site(6), 6 + SC_TEST_A);
}

static struct kunit_case static_call_after_unload_cases[] = {
	KUNIT_CASE(module_was_unloaded_first),
	KUNIT_CASE(kernel_key_updates_after_unload),
	KUNIT_CASE(cond_key_updates_after_unload),
	KUNIT_CASE(tramp_only_key_updates_after_unload),
	KUNIT_CASE(unloaded_text_is_not_reserved),
	KUNIT_CASE(module_key_retargeted_from_unloaded_module),
	{}
};

static struct kunit_suite static_call_after_unload_suite = {
	.name = "static_call_after_unload",
	.init = after_suite_init,
	.test_cases = static_call_after_unload_cases,
};

SC_TEST_SUITE_ON_WRITE(static_call_after_unload_suite,
		       "once static_call_module_kunit is unloaded");

MODULE_DESCRIPTION("Static call conformance tests: updates after unload");
MODULE_LICENSE("GPL");
