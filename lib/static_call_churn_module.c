// SPDX-License-Identifier: GPL-2.0
/*
 * A module made to be loaded and unloaded many times in a row: the churn
 * boots load and unload it a thousand times while
 * static_call_churn_updater updates the kernel keys from another CPU, and
 * the faults boot loads it with each allocation of the load failing in
 * turn.  Each load adds its call sites to keys of the kernel and of its
 * own, each unload (or failed load) must take them away again.
 *
 * Not a KUnit suite: a thousand reports would drown the console.  Its
 * init checks, through its own call sites, which function each key runs,
 * and on any mismatch says what went wrong and fails the load with
 * -EINVAL, so that /init reports the cycle that broke.  It points kernel
 * keys only ever at kernel functions: a kernel key left pointing into
 * this module once it is gone would be a bug of the test, not of the
 * implementation.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"

/* Targets in this module; each adds its own offset, as the kernel's do. */
#define CHURN_OTHER	(SC_TEST_MOD + 1000L)

static long churn_target(long x)
{
	return x + SC_TEST_MOD;
}

static long churn_other(long x)
{
	return x + CHURN_OTHER;
}

static long churn_cond_calls;

static long churn_cond_target(long x)
{
	churn_cond_calls++;
	return 0;
}

/* Keys of the module's own, as its init finds them. */
DEFINE_STATIC_CALL(sc_churn_key, churn_target);
DEFINE_STATIC_CALL_NULL(sc_churn_cond, churn_cond_target);
DEFINE_STATIC_CALL_RET0(sc_churn_ret0, churn_target);

/* A call in the middle of a function, a tail call, a static_call_cond(). */
static SC_TEST_CALL_SITE(churn_key_site, static_call(sc_churn_key))
static SC_TEST_TAIL_SITE(churn_key_tail, static_call(sc_churn_key))
static SC_TEST_COND_SITE(churn_cond_site, sc_churn_cond)
static SC_TEST_TAIL_SITE(churn_ret0_site, static_call(sc_churn_ret0))

/* Sites of the kernel keys that the updater thread keeps retargeting. */
static SC_TEST_CALL_SITE(churn_shared_site, static_call(sc_test_shared))
static SC_TEST_TAIL_SITE(churn_shared_tail, static_call(sc_test_shared))
static SC_TEST_COND_SITE(churn_shared_cond, sc_test_shared_cond)
static SC_TEST_CALL_SITE(churn_tramp_only_site,
			 static_call_mod(sc_test_tramp_only))

static int churn_errors;

static void churn_expect(const char *what, long arg, long got, long want)
{
	if (got == want)
		return;
	pr_err("%s(%ld) returned %ld, expected %ld\n", what, arg, got, want);
	churn_errors++;
}

/* The kernel targets the updater and this module switch kernel keys to. */
static long (*const kernel_targets[])(long) = {
	sc_test_target_a, sc_test_target_b, sc_test_target_c,
};

/* Unlocked, a kernel key may hold any of them. */
static void churn_expect_kernel(const char *what, long arg, long got)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kernel_targets); i++)
		if (got == kernel_targets[i](arg))
			return;
	pr_err("%s(%ld) returned %ld: no kernel target returns that\n",
	       what, arg, got);
	churn_errors++;
}

static void churn_own_keys(void)
{
	/* As the load left them: each key's sites run its initial target. */
	churn_expect("churn_key_site", 1, churn_key_site(1), churn_target(1));
	churn_expect("churn_key_tail", 2, churn_key_tail(2), churn_target(2));
	churn_cond_calls = 0;
	churn_cond_site(3);
	churn_expect("NULL churn_cond_site: calls", 3, churn_cond_calls, 0);

	/* A kernel function, another function of the module, and back. */
	static_call_update(sc_churn_key, sc_test_target_c);
	churn_expect("churn_key_site", 4, churn_key_site(4),
		     sc_test_target_c(4));
	churn_expect("churn_key_tail", 5, churn_key_tail(5),
		     sc_test_target_c(5));
	static_call_update(sc_churn_key, churn_other);
	churn_expect("churn_key_site", 6, churn_key_site(6), churn_other(6));
	churn_expect("churn_key_tail", 7, churn_key_tail(7), churn_other(7));
	static_call_update(sc_churn_key, churn_target);
	churn_expect("churn_key_site", 8, churn_key_site(8), churn_target(8));

	/* NULL, a target, NULL again. */
	static_call_update(sc_churn_cond, churn_cond_target);
	churn_cond_site(9);
	churn_expect("churn_cond_site: calls", 9, churn_cond_calls, 1);
	static_call_update(sc_churn_cond, NULL);
	churn_cond_site(10);
	churn_expect("NULL churn_cond_site: calls", 10, churn_cond_calls, 1);

	/*
	 * Where static_call() is an indirect call checked by kCFI,
	 * __static_call_return0() has the wrong type to be called through
	 * it: the RET0 key is left alone there.
	 */
	if (!IS_ENABLED(CONFIG_HAVE_STATIC_CALL) &&
	    IS_ENABLED(CONFIG_CFI_CLANG))
		return;
	churn_expect("churn_ret0_site", 11, churn_ret0_site(11), 0);
	static_call_update(sc_churn_ret0, churn_other);
	churn_expect("churn_ret0_site", 12, churn_ret0_site(12),
		     churn_other(12));
	static_call_update(sc_churn_ret0, (void *)__static_call_return0);
	churn_expect("churn_ret0_site", 13, churn_ret0_site(13), 0);
}

static void churn_kernel_keys(void)
{
	long (*now)(long x);
	int i;

	/*
	 * Whatever the updater thread is doing, every call must run one
	 * of the kernel targets (the static_call_cond() site's result
	 * cannot be seen: it must just return).
	 */
	churn_expect_kernel("churn_shared_site", 20, churn_shared_site(20));
	churn_expect_kernel("churn_shared_tail", 21, churn_shared_tail(21));
	churn_shared_cond(22);
	churn_expect_kernel("churn_tramp_only_site", 23,
			    churn_tramp_only_site(23));

	mutex_lock(&sc_test_shared_lock);
	/*
	 * With the updater held off: the sites this load patched, while
	 * the updater ran, must run exactly what the keys target now.
	 */
	now = static_call_query(sc_test_shared);
	churn_expect("churn_shared_site", 24, churn_shared_site(24), now(24));
	churn_expect("churn_shared_tail", 25, churn_shared_tail(25), now(25));
	now = sc_test_query_tramp_only();
	churn_expect("churn_tramp_only_site", 26, churn_tramp_only_site(26),
		     now(26));

	/* Each update must reach every site. */
	for (i = 0; i < ARRAY_SIZE(kernel_targets); i++) {
		long (*func)(long) = kernel_targets[i];
		long x = 30 + i;

		static_call_update(sc_test_shared, func);
		churn_expect("churn_shared_site", x, churn_shared_site(x),
			     func(x));
		churn_expect("churn_shared_tail", x, churn_shared_tail(x),
			     func(x));
		churn_expect("sc_test_kernel_call_shared", x,
			     sc_test_kernel_call_shared(x), func(x));
		static_call_update(sc_test_shared_cond, i & 1 ? func : NULL);
		churn_shared_cond(x);
		sc_test_update_tramp_only(func);
		churn_expect("churn_tramp_only_site", x,
			     churn_tramp_only_site(x), func(x));
	}
	/* As the next module to load expects them. */
	sc_test_reset_shared_keys();
	mutex_unlock(&sc_test_shared_lock);
}

static int __init static_call_churn_init(void)
{
	churn_errors = 0;
	churn_own_keys();
	churn_kernel_keys();
	if (churn_errors) {
		pr_err("%d wrong results: load refused\n", churn_errors);
		return -EINVAL;
	}
	return 0;
}
module_init(static_call_churn_init);

static void __exit static_call_churn_exit(void)
{
}
module_exit(static_call_churn_exit);

MODULE_DESCRIPTION("Static call tests: a module loaded and unloaded in a loop");
MODULE_LICENSE("GPL");
