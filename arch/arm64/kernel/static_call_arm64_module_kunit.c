// SPDX-License-Identifier: GPL-2.0
/*
 * White-box tests of arm64 inline static call sites in a module: what the
 * load-time pass and later updates write at them, next to the key's site
 * in vmlinux.  Loaded within branch range of the kernel, the module's
 * sites branch straight to their targets; loaded out of range (boot with
 * arm64_module_far_test), its sites of kernel keys keep branching to the
 * PLT veneer that reaches the trampoline, and follow every update through
 * it.  The suite says which of the two it saw.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/static_call.h>
#include <linux/static_call_kunit.h>

#include "static_call_arm64_kunit.h"

static long mod_b(long x)
{
	return x + 20;
}

static long mod_c(long x)
{
	return x + 30;
}

static noinline long mod_call_site(long x)
{
	long ret = static_call(sc_a64_shared)(x);

	barrier();
	return ret;
}

/* A tail call, in assembly: with frame pointers, C makes none. */
long mod_tail_site(long x);

asm(".pushsection .text, \"ax\"\n"
	"mod_tail_site:\n\t"
	"hint 34\n\t"
	"b " STATIC_CALL_TRAMP_STR(sc_a64_shared) "\n\t"
	".type mod_tail_site, %function\n\t"
	".size mod_tail_site, . - mod_tail_site\n\t"
	".popsection\n");

/* A key of the module's own: its trampoline is always in range. */
DEFINE_STATIC_CALL(sc_a64_mod, mod_b);

static noinline long own_call_site(long x)
{
	long ret = static_call(sc_a64_mod)(x);

	barrier();
	return ret;
}

/* A key of its own that starts on a kernel function: far, by a PLT entry. */
DEFINE_STATIC_CALL(sc_a64_mod_k, sc_a64_shared_default);

static noinline long own_k_call_site(long x)
{
	long ret = static_call(sc_a64_mod_k)(x);

	barrier();
	return ret;
}

static bool module_is_far(void)
{
	return !static_call_arm64_kunit_in_range(mod_call_site,
						 &STATIC_CALL_TRAMP(sc_a64_shared));
}

struct site_census {
	int in_module;
	int in_module_tail;
	int elsewhere;
};

static int count_site(void *addr, bool tail, void *arg)
{
	struct site_census *c = arg;

	if (within_module((unsigned long)addr, THIS_MODULE)) {
		c->in_module++;
		c->in_module_tail += tail;
	} else {
		c->elsewhere++;
	}
	return 0;
}

struct expectation {
	struct kunit *test;
	void *tramp;
	void *func;
};

static int expect_site_holds(void *addr, bool tail, void *arg)
{
	struct expectation *e = arg;

	static_call_arm64_kunit_expect_site(e->test, addr, tail, e->tramp,
					    e->func);
	return 0;
}

static void expect_key(struct kunit *test, struct static_call_key *key,
		       void *tramp, void *func)
{
	struct expectation e = { .test = test, .tramp = tramp, .func = func };

	static_call_visit_sites(key, expect_site_holds, &e);
	static_call_arm64_kunit_expect_tramp(test, tramp, func);
}

/* Every site of sc_a64_shared, and its trampoline, hold what @func wants. */
static void expect_shared(struct kunit *test, void *func)
{
	expect_key(test, &STATIC_CALL_KEY(sc_a64_shared),
		   &STATIC_CALL_TRAMP(sc_a64_shared), func);
}

static void restore_shared(void *unused)
{
	static_call_update(sc_a64_shared, sc_a64_shared_default);
}

static void sites_in_vmlinux_and_this_module(struct kunit *test)
{
	struct site_census c = { };

	static_call_visit_sites(&STATIC_CALL_KEY(sc_a64_shared), count_site,
				&c);
	KUNIT_EXPECT_EQ_MSG(test, c.in_module, 2,
			    "one call and one tail call site expected");
	KUNIT_EXPECT_EQ(test, c.in_module_tail, 1);
	KUNIT_EXPECT_EQ(test, c.elsewhere, 1);
}

/* The plan checks this line: which case did the suite test? */
static void module_placement_reported(struct kunit *test)
{
	pr_info("static_call_arm64_module: module %s branch range of the kernel\n",
		module_is_far() ? "out of" : "within");
}

static void module_sites_patched_at_load(struct kunit *test)
{
	KUNIT_ASSERT_PTR_EQ(test, (void *)static_call_query(sc_a64_shared),
			    (void *)sc_a64_shared_default);
	expect_shared(test, sc_a64_shared_default);
	KUNIT_EXPECT_EQ(test, mod_call_site(1), 11);
	KUNIT_EXPECT_EQ(test, mod_tail_site(1), 11);
}

/*
 * A kernel key pointed at this module's function: vmlinux's site reaches
 * it directly when the module is near, through the trampoline's literal
 * when it is far.
 */
static void update_to_module_function(struct kunit *test)
{
	kunit_add_action(test, restore_shared, NULL);
	static_call_update(sc_a64_shared, mod_b);
	expect_shared(test, mod_b);
	KUNIT_EXPECT_EQ(test, mod_call_site(1), 21);
	KUNIT_EXPECT_EQ(test, mod_tail_site(1), 21);
	KUNIT_EXPECT_EQ(test, sc_a64_shared_vmlinux_site(1), 21);

	static_call_update(sc_a64_shared, sc_a64_shared_default);
	expect_shared(test, sc_a64_shared_default);
	KUNIT_EXPECT_EQ(test, mod_call_site(2), 12);
	KUNIT_EXPECT_EQ(test, sc_a64_shared_vmlinux_site(2), 12);
}

static void null_and_return0_in_module(struct kunit *test)
{
	kunit_add_action(test, restore_shared, NULL);
	static_call_update(sc_a64_shared, NULL);
	expect_shared(test, NULL);
	/* Through a NOP, or through the trampoline's return. */
	mod_call_site(1);
	mod_tail_site(1);

	static_call_update(sc_a64_shared, (void *)__static_call_return0);
	expect_shared(test, __static_call_return0);
	KUNIT_EXPECT_EQ(test, mod_call_site(5), 0);
	KUNIT_EXPECT_EQ(test, mod_tail_site(5), 0);
	KUNIT_EXPECT_EQ(test, sc_a64_shared_vmlinux_site(5), 0);
}

static void restore_own(void *unused)
{
	static_call_update(sc_a64_mod, mod_b);
}

/*
 * The module's own key: its trampoline (in the module) reaches a kernel
 * function far away through its literal.
 */
static void own_key_to_kernel_function(struct kunit *test)
{
	void *tramp = &STATIC_CALL_TRAMP(sc_a64_mod);

	kunit_add_action(test, restore_own, NULL);
	expect_key(test, &STATIC_CALL_KEY(sc_a64_mod), tramp, mod_b);
	KUNIT_EXPECT_EQ(test, own_call_site(1), 21);

	static_call_update(sc_a64_mod, sc_a64_shared_default);
	expect_key(test, &STATIC_CALL_KEY(sc_a64_mod), tramp,
		   sc_a64_shared_default);
	KUNIT_EXPECT_EQ(test, own_call_site(1), 11);

	static_call_update(sc_a64_mod, mod_c);
	expect_key(test, &STATIC_CALL_KEY(sc_a64_mod), tramp, mod_c);
	KUNIT_EXPECT_EQ(test, own_call_site(1), 31);
}

static void restore_own_k(void *unused)
{
	static_call_update(sc_a64_mod_k, sc_a64_shared_default);
}

/*
 * The trampoline as the module loader left it (in a far module, its B to
 * the kernel function goes through a PLT entry) is accepted by the first
 * update, and followed back to the kernel through the literal.
 */
static void own_key_starting_in_kernel(struct kunit *test)
{
	void *tramp = &STATIC_CALL_TRAMP(sc_a64_mod_k);

	kunit_add_action(test, restore_own_k, NULL);
	static_call_arm64_kunit_expect_tramp(test, tramp,
					     sc_a64_shared_default);
	KUNIT_EXPECT_EQ(test, own_k_call_site(1), 11);

	static_call_update(sc_a64_mod_k, mod_c);
	expect_key(test, &STATIC_CALL_KEY(sc_a64_mod_k), tramp, mod_c);
	KUNIT_EXPECT_EQ(test, own_k_call_site(1), 31);

	static_call_update(sc_a64_mod_k, sc_a64_shared_default);
	expect_key(test, &STATIC_CALL_KEY(sc_a64_mod_k), tramp,
		   sc_a64_shared_default);
	KUNIT_EXPECT_EQ(test, own_k_call_site(1), 11);
}

static struct kunit_case static_call_arm64_module_cases[] = {
	KUNIT_CASE(sites_in_vmlinux_and_this_module),
	KUNIT_CASE(module_placement_reported),
	KUNIT_CASE(module_sites_patched_at_load),
	KUNIT_CASE(update_to_module_function),
	KUNIT_CASE(null_and_return0_in_module),
	KUNIT_CASE(own_key_to_kernel_function),
	KUNIT_CASE(own_key_starting_in_kernel),
	{}
};

static struct kunit_suite static_call_arm64_module_suite = {
	.name = "static_call_arm64_module",
	.test_cases = static_call_arm64_module_cases,
};

kunit_test_suite(static_call_arm64_module_suite);

MODULE_DESCRIPTION("White-box tests of arm64 static call sites in a module");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
