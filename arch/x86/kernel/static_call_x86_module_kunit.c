// SPDX-License-Identifier: GPL-2.0
/*
 * White-box tests of x86 inline static call sites in a module: what the
 * load-time pass and later updates write at them, next to the key's site
 * in vmlinux.  Loaded after static_call_x86_refused_fixture and
 * static_call_x86_nokey_fixture failed to load, it also checks that those
 * refused modules left no trace on the keys they named.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/static_call.h>
#include <linux/static_call_kunit.h>

#include "static_call_x86_kunit.h"

static long mod_b(long x)
{
	return x + 20;
}

static noinline long mod_call_site(long x)
{
	long ret = static_call(sc_wb_shared)(x);

	barrier();
	return ret;
}

static noinline long mod_tail_site(long x)
{
	return static_call(sc_wb_shared)(x);
}

struct site_census {
	int in_module;
	int in_module_tail;
	int in_vmlinux;
	int elsewhere;
	u8 *stray;
};

/* The one vmlinux site is in sc_wb_shared_vmlinux_site(), near its start. */
static bool in_vmlinux_site_function(u8 *addr)
{
	u8 *fn = (u8 *)sc_wb_shared_vmlinux_site;

	return addr - fn >= 0 && addr - fn < 32;
}

static int count_site(void *addr, bool tail, void *arg)
{
	struct site_census *c = arg;

	if (within_module((unsigned long)addr, THIS_MODULE)) {
		c->in_module++;
		c->in_module_tail += tail;
	} else if (in_vmlinux_site_function(addr)) {
		c->in_vmlinux++;
	} else {
		c->elsewhere++;
		c->stray = addr;
	}
	return 0;
}

static void take_census(struct static_call_key *key, struct site_census *c)
{
	memset(c, 0, sizeof(*c));
	static_call_visit_sites(key, count_site, c);
}

static int expect_site_holds(void *addr, bool tail, void *test)
{
	struct kunit *t = test;

	static_call_kunit_expect_site(t, addr, tail, t->priv);
	return 0;
}

/* Every site of sc_wb_shared, and its trampoline, hold what @func wants. */
static void expect_all(struct kunit *test, void *func)
{
	test->priv = func;
	static_call_visit_sites(&STATIC_CALL_KEY(sc_wb_shared),
				expect_site_holds, test);
	static_call_kunit_expect_site(test,
				      (u8 *)&STATIC_CALL_TRAMP(sc_wb_shared),
				      true, func);
}

static void restore_shared(void *unused)
{
	static_call_update(sc_wb_shared, sc_wb_shared_default);
}

static void sites_in_vmlinux_and_this_module_only(struct kunit *test)
{
	struct site_census c;

	take_census(&STATIC_CALL_KEY(sc_wb_shared), &c);
	KUNIT_EXPECT_EQ(test, c.in_vmlinux, 1);
	KUNIT_EXPECT_EQ_MSG(test, c.in_module, 2,
			    "one call and one tail call site expected");
	KUNIT_EXPECT_EQ(test, c.in_module_tail, 1);
	KUNIT_EXPECT_EQ_MSG(test, c.elsewhere, 0,
			    "site %pS is left from a module that is gone",
			    c.stray);
}

static void refused_module_left_no_trace(struct kunit *test)
{
	struct site_census c;

	take_census(&STATIC_CALL_KEY(sc_wb_refused), &c);
	KUNIT_EXPECT_EQ_MSG(test, c.in_module, 1,
			    "the call below should be sc_wb_refused's only site");
	KUNIT_EXPECT_EQ_MSG(test, c.in_vmlinux + c.elsewhere, 0,
			    "sc_wb_refused keeps site %pS of a refused module",
			    c.stray);
	KUNIT_EXPECT_PTR_EQ(test, (void *)static_call_query(sc_wb_refused),
			    (void *)sc_wb_refused_default);
	KUNIT_EXPECT_EQ(test, static_call(sc_wb_refused)(1), 31);
}

static void module_sites_patched_at_load(struct kunit *test)
{
	KUNIT_ASSERT_PTR_EQ(test, (void *)static_call_query(sc_wb_shared),
			    (void *)sc_wb_shared_default);
	expect_all(test, sc_wb_shared_default);
	KUNIT_EXPECT_EQ(test, mod_call_site(1), 11);
	KUNIT_EXPECT_EQ(test, mod_tail_site(1), 11);
}

static void update_to_module_function(struct kunit *test)
{
	kunit_add_action(test, restore_shared, NULL);
	static_call_update(sc_wb_shared, mod_b);
	expect_all(test, mod_b);
	KUNIT_EXPECT_EQ(test, mod_call_site(1), 21);
	KUNIT_EXPECT_EQ(test, mod_tail_site(1), 21);
	KUNIT_EXPECT_EQ(test, sc_wb_shared_vmlinux_site(1), 21);

	static_call_update(sc_wb_shared, sc_wb_shared_default);
	expect_all(test, sc_wb_shared_default);
	KUNIT_EXPECT_EQ(test, mod_call_site(2), 12);
}

static void null_and_return0_in_module(struct kunit *test)
{
	kunit_add_action(test, restore_shared, NULL);
	static_call_update(sc_wb_shared, NULL);
	expect_all(test, NULL);

	static_call_update(sc_wb_shared, (void *)__static_call_return0);
	expect_all(test, __static_call_return0);
	KUNIT_EXPECT_EQ(test, mod_call_site(5), 0);
	KUNIT_EXPECT_EQ(test, mod_tail_site(5), 0);
	KUNIT_EXPECT_EQ(test, sc_wb_shared_vmlinux_site(5), 0);
}

static struct kunit_case static_call_x86_module_cases[] = {
	KUNIT_CASE(sites_in_vmlinux_and_this_module_only),
	KUNIT_CASE(refused_module_left_no_trace),
	KUNIT_CASE(module_sites_patched_at_load),
	KUNIT_CASE(update_to_module_function),
	KUNIT_CASE(null_and_return0_in_module),
	{}
};

static struct kunit_suite static_call_x86_module_suite = {
	.name = "static_call_x86_module",
	.test_cases = static_call_x86_module_cases,
};

kunit_test_suite(static_call_x86_module_suite);

MODULE_DESCRIPTION("White-box tests of x86 static call sites in a module");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
