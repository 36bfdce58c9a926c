// SPDX-License-Identifier: GPL-2.0
/*
 * Keys left aimed at a module that goes away.
 *
 * static_call_going_fixture aims a kernel key (sc_test_shared), a key of
 * this module and a static_call_cond() key of this module at its own
 * functions, and is unloaded while they still target it.  The kernel
 * must name each key and retarget it to __static_call_return0, so that a
 * later call returns 0 instead of running freed memory.  A key it aims at
 * its init code must be retargeted as soon as the fixture is live, when
 * its init code is freed.  This module is
 * loaded first (the fixture needs its keys), and its suite runs once the
 * fixture is gone, when /init writes 1 to the run_suite parameter.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_going_kunit.h"

DEFINE_STATIC_CALL(sc_going_key, sc_test_target_a);
EXPORT_STATIC_CALL_GPL(sc_going_key);

DEFINE_STATIC_CALL_NULL(sc_going_cond, sc_going_cond_type);
EXPORT_STATIC_CALL_GPL(sc_going_cond);

DEFINE_STATIC_CALL(sc_going_init_key, sc_test_target_a);
EXPORT_STATIC_CALL_GPL(sc_going_init_key);

static SC_TEST_CALL_SITE(call_going_key, static_call(sc_going_key))
static SC_TEST_CALL_SITE(call_shared, static_call(sc_test_shared))
static SC_TEST_CALL_SITE(call_init_key, static_call(sc_going_init_key))

static void reset_shared_keys(void *unused)
{
	sc_test_reset_shared_keys();
}

static void kernel_key_returns_0(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	sc_test_defer(test, reset_shared_keys);

	SC_EXPECT_TARGET(test, __static_call_return0,
			 static_call_query(sc_test_shared));
	/* A site in vmlinux, and one in this module. */
	KUNIT_EXPECT_EQ(test, sc_test_kernel_call_shared(5), 0);
	KUNIT_EXPECT_EQ(test, call_shared(5), 0);
}

static void module_key_returns_0(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	SC_EXPECT_TARGET(test, __static_call_return0,
			 static_call_query(sc_going_key));
	KUNIT_EXPECT_EQ(test, call_going_key(5), 0);
}

static void cond_key_returns_0(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	SC_EXPECT_TARGET(test, __static_call_return0,
			 static_call_query(sc_going_cond));
	/* It would run freed text if the key had been left alone. */
	static_call_cond(sc_going_cond)(5);
}

static void init_key_returns_0(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	SC_EXPECT_TARGET(test, __static_call_return0,
			 static_call_query(sc_going_init_key));
	KUNIT_EXPECT_EQ(test, call_init_key(5), 0);
}

static void keys_update_afterwards(struct kunit *test)
{
	static_call_update(sc_going_key, sc_test_target_b);
	KUNIT_EXPECT_EQ(test, call_going_key(5), 5 + SC_TEST_B);
	static_call_update(sc_going_key, sc_test_target_a);
	KUNIT_EXPECT_EQ(test, call_going_key(5), 5 + SC_TEST_A);

	static_call_update(sc_going_cond, NULL);
	KUNIT_EXPECT_NULL(test, static_call_query(sc_going_cond));
	static_call_cond(sc_going_cond)(5);
}

static int going_suite_init(struct kunit_suite *suite)
{
	/* Before the fixture ran, or after it failed, nothing is tested. */
	if (static_call_query(sc_going_key) == sc_test_target_a)
		return -EINVAL;
	return 0;
}

static struct kunit_case static_call_going_cases[] = {
	KUNIT_CASE(kernel_key_returns_0),
	KUNIT_CASE(module_key_returns_0),
	KUNIT_CASE(cond_key_returns_0),
	KUNIT_CASE(init_key_returns_0),
	KUNIT_CASE(keys_update_afterwards),
	{}
};

static struct kunit_suite static_call_going_suite = {
	.name = "static_call_going",
	.suite_init = going_suite_init,
	.test_cases = static_call_going_cases,
};

SC_TEST_SUITE_ON_WRITE(static_call_going_suite, "the fixture is unloaded");

MODULE_DESCRIPTION("Static call tests: keys left on a module that goes away");
MODULE_LICENSE("GPL");
