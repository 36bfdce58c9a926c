// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance tests for static calls, as kernel code uses them.
 *
 * Black-box: each case asserts which function a static call actually ran,
 * with which arguments, and what came back.  Nothing here looks at the
 * patched instructions, so the same suite judges every implementation
 * (inline, out-of-line, or the generic function pointer).
 *
 * Call sites live in small noinline functions of their own, so that each
 * one is a distinct site the implementation must find and patch; each
 * adds a different constant to its result so that the compiler cannot
 * fold identical functions into one.
 */
#include <kunit/test.h>
#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"

/* Targets shared with the companion modules. */

long sc_test_target_a(long x)
{
	return x + SC_TEST_A;
}
EXPORT_SYMBOL_GPL(sc_test_target_a);

long sc_test_target_b(long x)
{
	return x + SC_TEST_B;
}
EXPORT_SYMBOL_GPL(sc_test_target_b);

long sc_test_target_c(long x)
{
	return x + SC_TEST_C;
}
EXPORT_SYMBOL_GPL(sc_test_target_c);

DEFINE_STATIC_CALL(sc_test_shared, sc_test_target_a);
EXPORT_STATIC_CALL_GPL(sc_test_shared);

DEFINE_STATIC_CALL_NULL(sc_test_shared_cond, sc_test_target_a);
EXPORT_STATIC_CALL_GPL(sc_test_shared_cond);

DEFINE_STATIC_CALL(sc_test_tramp_only, sc_test_target_a);
EXPORT_STATIC_CALL_TRAMP_GPL(sc_test_tramp_only);

noinline long sc_test_kernel_call_shared(long x)
{
	long ret = static_call(sc_test_shared)(x);

	barrier();	/* keep it a call, not a tail jump */
	return ret;
}
EXPORT_SYMBOL_GPL(sc_test_kernel_call_shared);

noinline long sc_test_kernel_call_tramp_only(long x)
{
	long ret = static_call(sc_test_tramp_only)(x);

	barrier();
	return ret;
}
EXPORT_SYMBOL_GPL(sc_test_kernel_call_tramp_only);

void sc_test_update_tramp_only(long (*func)(long))
{
	static_call_update(sc_test_tramp_only, func);
}
EXPORT_SYMBOL_GPL(sc_test_update_tramp_only);

long (*sc_test_query_tramp_only(void))(long)
{
	return static_call_query(sc_test_tramp_only);
}
EXPORT_SYMBOL_GPL(sc_test_query_tramp_only);

int sc_test_text_reserved(void *start, void *end)
{
	return static_call_text_reserved(start, end);
}
EXPORT_SYMBOL_GPL(sc_test_text_reserved);

static void *unloaded_text;
static unsigned long unloaded_text_size;

void sc_test_note_unloaded_text(void *start, unsigned long size)
{
	unloaded_text = start;
	unloaded_text_size = size;
}
EXPORT_SYMBOL_GPL(sc_test_note_unloaded_text);

bool sc_test_unloaded_text(void **start, unsigned long *size)
{
	*start = unloaded_text;
	*size = unloaded_text_size;
	return unloaded_text;
}
EXPORT_SYMBOL_GPL(sc_test_unloaded_text);

/* Serialises the churn tests' exact checks (static_call_kunit.h). */
DEFINE_MUTEX(sc_test_shared_lock);
EXPORT_SYMBOL_GPL(sc_test_shared_lock);

void sc_test_reset_shared_keys(void)
{
	static_call_update(sc_test_shared, SC_TEST_SHARED_AT_LOAD);
	static_call_update(sc_test_shared_cond, SC_TEST_SHARED_COND_AT_LOAD);
	static_call_update(sc_test_tramp_only, SC_TEST_TRAMP_ONLY_AT_LOAD);
}
EXPORT_SYMBOL_GPL(sc_test_reset_shared_keys);

/*
 * Move the shared keys away from their defaults before any module can
 * load: a module site left calling its compile-time target would then
 * return the wrong value.  Runs before the KUnit executor.
 */
static int __init sc_test_prepare_shared_keys(void)
{
	sc_test_reset_shared_keys();
	return 0;
}
late_initcall(sc_test_prepare_shared_keys);

/* Keys and sites private to this suite. */

DEFINE_STATIC_CALL(sc_basic, sc_test_target_a);

static noinline long basic_site(long x)
{
	long ret = static_call(sc_basic)(x);

	barrier();
	return ret;
}

/* A second site of the same key, written as a tail call. */
static noinline long basic_tail_site(long x)
{
	return static_call(sc_basic)(x);
}

static void restore_basic(void *unused)
{
	static_call_update(sc_basic, sc_test_target_a);
}

static void use_basic(struct kunit *test)
{
	sc_test_defer(test, restore_basic);
}

static void initial_target_runs(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, basic_site(1), 1 + SC_TEST_A);
	KUNIT_EXPECT_EQ(test, basic_tail_site(2), 2 + SC_TEST_A);
}

static void update_switches_target(struct kunit *test)
{
	use_basic(test);
	static_call_update(sc_basic, sc_test_target_b);
	KUNIT_EXPECT_EQ(test, basic_site(3), 3 + SC_TEST_B);
	KUNIT_EXPECT_EQ(test, basic_tail_site(4), 4 + SC_TEST_B);
	static_call_update(sc_basic, sc_test_target_c);
	KUNIT_EXPECT_EQ(test, basic_site(5), 5 + SC_TEST_C);
	KUNIT_EXPECT_EQ(test, basic_tail_site(6), 6 + SC_TEST_C);
}

static void update_to_same_target_keeps_it(struct kunit *test)
{
	use_basic(test);
	static_call_update(sc_basic, sc_test_target_b);
	static_call_update(sc_basic, sc_test_target_b);
	KUNIT_EXPECT_EQ(test, basic_site(7), 7 + SC_TEST_B);
	SC_EXPECT_TARGET(test, static_call_query(sc_basic),
			 sc_test_target_b);
}

#define FLIP_ROUNDS 300

static void update_back_and_forth(struct kunit *test)
{
	long (*const targets[])(long) = {
		sc_test_target_a, sc_test_target_b, sc_test_target_c,
	};
	const long offsets[] = { SC_TEST_A, SC_TEST_B, SC_TEST_C };
	int i;

	use_basic(test);
	for (i = 0; i < FLIP_ROUNDS; i++) {
		int t = i % ARRAY_SIZE(targets);

		static_call_update(sc_basic, targets[t]);
		if (basic_site(i) != i + offsets[t] ||
		    basic_tail_site(i) != i + offsets[t]) {
			KUNIT_FAIL(test, "round %d: target %d did not run", i, t);
			return;
		}
	}
}

static void query_follows_updates(struct kunit *test)
{
	use_basic(test);
	SC_EXPECT_TARGET(test, static_call_query(sc_basic),
			 sc_test_target_a);
	static_call_update(sc_basic, sc_test_target_c);
	SC_EXPECT_TARGET(test, static_call_query(sc_basic),
			 sc_test_target_c);
}

static void static_call_mod_in_kernel_code(struct kunit *test)
{
	use_basic(test);
	static_call_update(sc_basic, sc_test_target_b);
	KUNIT_EXPECT_EQ(test, static_call_mod(sc_basic)(8), 8 + SC_TEST_B);
}

/* Eight arguments: more than any architecture passes in registers here. */

struct eight_args {
	long v[8];
};

static struct eight_args seen_args;

static long record_eight(long a, long b, long c, long d,
			 long e, long f, long g, long h)
{
	const long v[8] = { a, b, c, d, e, f, g, h };

	memcpy(seen_args.v, v, sizeof(v));
	return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
}

static long record_eight_negated(long a, long b, long c, long d,
				 long e, long f, long g, long h)
{
	return -record_eight(a, b, c, d, e, f, g, h);
}

DEFINE_STATIC_CALL(sc_eight, record_eight);

static noinline long eight_site(const long *v)
{
	long ret = static_call(sc_eight)(v[0], v[1], v[2], v[3],
					 v[4], v[5], v[6], v[7]);

	barrier();
	return ret;
}

static void restore_eight(void *unused)
{
	static_call_update(sc_eight, record_eight);
}

static void eight_arguments_reach_target(struct kunit *test)
{
	const long v[8] = {
		0x11, -0x22, 0x3333, 0x44444, -0x555555, 0x6666666,
		0x77777777, -0x12345678,
	};
	long expect = 0;
	int i;

	for (i = 0; i < 8; i++)
		expect ^= v[i];
	sc_test_defer(test, restore_eight);

	KUNIT_EXPECT_EQ(test, eight_site(v), expect);
	KUNIT_EXPECT_MEMEQ(test, seen_args.v, v, sizeof(v));

	memset(&seen_args, 0, sizeof(seen_args));
	static_call_update(sc_eight, record_eight_negated);
	KUNIT_EXPECT_EQ(test, eight_site(v), -expect);
	KUNIT_EXPECT_MEMEQ(test, seen_args.v, v, sizeof(v));
}

/* 64-bit values both ways, which 32-bit kernels pass in register pairs. */

static u64 mix_high(u64 x)
{
	return x ^ 0xfedcba9800000000ULL;
}

static u64 mix_low(u64 x)
{
	return x ^ 0x0000000076543210ULL;
}

DEFINE_STATIC_CALL(sc_u64, mix_high);

static noinline u64 u64_site(u64 x)
{
	u64 ret = static_call(sc_u64)(x);

	barrier();
	return ret;
}

static void restore_u64(void *unused)
{
	static_call_update(sc_u64, mix_high);
}

static void u64_values_pass_intact(struct kunit *test)
{
	const u64 x = 0x0123456789abcdefULL;

	sc_test_defer(test, restore_u64);
	KUNIT_EXPECT_EQ(test, u64_site(x), x ^ 0xfedcba9800000000ULL);
	static_call_update(sc_u64, mix_low);
	KUNIT_EXPECT_EQ(test, u64_site(x), x ^ 0x0000000076543210ULL);
}

/* DEFINE_STATIC_CALL_NULL and static_call_cond(). */

static int cond_calls;
static long cond_last_arg;

static void cond_target(long x)
{
	cond_calls++;
	cond_last_arg = x;
}

static void cond_target_twice(long x)
{
	cond_calls += 2;
	cond_last_arg = x;
}

DEFINE_STATIC_CALL_NULL(sc_cond, cond_target);

static noinline void cond_site(long x)
{
	static_call_cond(sc_cond)(x);
	barrier();
}

/* As the last statement of a void function this becomes a tail jump. */
static noinline void cond_tail_site(long x)
{
	static_call_cond(sc_cond)(x);
}

static void restore_cond(void *unused)
{
	static_call_update(sc_cond, NULL);
}

static void use_cond(struct kunit *test)
{
	cond_calls = 0;
	cond_last_arg = 0;
	sc_test_defer(test, restore_cond);
}

static void null_key_cond_call_does_nothing(struct kunit *test)
{
	use_cond(test);
	KUNIT_EXPECT_NULL(test, static_call_query(sc_cond));
	cond_site(1);
	cond_tail_site(2);
	KUNIT_EXPECT_EQ(test, cond_calls, 0);
}

static void null_key_updated_calls_target(struct kunit *test)
{
	use_cond(test);
	static_call_update(sc_cond, cond_target);
	cond_site(3);
	KUNIT_EXPECT_EQ(test, cond_calls, 1);
	KUNIT_EXPECT_EQ(test, cond_last_arg, 3);
	cond_tail_site(4);
	KUNIT_EXPECT_EQ(test, cond_calls, 2);
	KUNIT_EXPECT_EQ(test, cond_last_arg, 4);
	SC_EXPECT_TARGET(test, static_call_query(sc_cond), cond_target);
}

static void update_to_null_skips_call(struct kunit *test)
{
	use_cond(test);
	static_call_update(sc_cond, cond_target);
	static_call_update(sc_cond, NULL);
	cond_site(5);
	cond_tail_site(6);
	KUNIT_EXPECT_EQ(test, cond_calls, 0);
	KUNIT_EXPECT_NULL(test, static_call_query(sc_cond));
}

static void null_and_back_many_times(struct kunit *test)
{
	int i, expect = 0;

	use_cond(test);
	for (i = 0; i < FLIP_ROUNDS; i++) {
		void (*func)(long) = NULL;

		if (i % 3 == 1)
			func = cond_target;
		else if (i % 3 == 2)
			func = cond_target_twice;
		static_call_update(sc_cond, func);
		cond_site(i);
		cond_tail_site(i);
		expect += func == cond_target ? 2 : func ? 4 : 0;
		if (cond_calls != expect) {
			KUNIT_FAIL(test, "round %d: %d calls, expected %d",
				   i, cond_calls, expect);
			return;
		}
	}
}

/* DEFINE_STATIC_CALL_RET0 and __static_call_return0. */

DEFINE_STATIC_CALL_RET0(sc_ret0, sc_test_target_a);

static noinline long ret0_site(long x)
{
	long ret = static_call(sc_ret0)(x);

	barrier();
	return ret;
}

static noinline long ret0_tail_site(long x)
{
	return static_call(sc_ret0)(x);
}

static void restore_ret0(void *unused)
{
	static_call_update(sc_ret0, (void *)__static_call_return0);
}

static void ret0_key_returns_zero(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	/* All 64 bits of the result must be clear, whatever came in. */
	KUNIT_EXPECT_EQ(test, ret0_site(-1L), 0);
	KUNIT_EXPECT_EQ(test, ret0_tail_site(0x7fffffffL), 0);
}

static void ret0_key_queries_return0(struct kunit *test)
{
	SC_EXPECT_TARGET(test, static_call_query(sc_ret0),
			 __static_call_return0);
}

static void ret0_key_to_func_and_back(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	sc_test_defer(test, restore_ret0);
	static_call_update(sc_ret0, sc_test_target_b);
	KUNIT_EXPECT_EQ(test, ret0_site(9), 9 + SC_TEST_B);
	KUNIT_EXPECT_EQ(test, ret0_tail_site(10), 10 + SC_TEST_B);
	static_call_update(sc_ret0, (void *)__static_call_return0);
	KUNIT_EXPECT_EQ(test, ret0_site(11), 0);
	KUNIT_EXPECT_EQ(test, ret0_tail_site(12), 0);
}

static void update_to_return0_returns_zero(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	use_basic(test);
	static_call_update(sc_basic, (void *)__static_call_return0);
	KUNIT_EXPECT_EQ(test, basic_site(-5L), 0);
	KUNIT_EXPECT_EQ(test, basic_tail_site(13), 0);
	static_call_update(sc_basic, sc_test_target_c);
	KUNIT_EXPECT_EQ(test, basic_site(14), 14 + SC_TEST_C);
}

static void return0_helper_returns_zero(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, __static_call_return0(), 0);
}

/* Many sites of one key. */

DEFINE_STATIC_CALL(sc_many, sc_test_target_a);

#define MANY_SITE(n)						\
static noinline long many_site_##n(long x)			\
{								\
	long ret = static_call(sc_many)(x);			\
								\
	barrier();						\
	return ret + (n);					\
}

MANY_SITE(0) MANY_SITE(1) MANY_SITE(2) MANY_SITE(3)
MANY_SITE(4) MANY_SITE(5) MANY_SITE(6) MANY_SITE(7)
MANY_SITE(8) MANY_SITE(9) MANY_SITE(10) MANY_SITE(11)
MANY_SITE(12) MANY_SITE(13) MANY_SITE(14) MANY_SITE(15)

static long (*const many_sites[])(long) = {
	many_site_0, many_site_1, many_site_2, many_site_3,
	many_site_4, many_site_5, many_site_6, many_site_7,
	many_site_8, many_site_9, many_site_10, many_site_11,
	many_site_12, many_site_13, many_site_14, many_site_15,
};

static void restore_many(void *unused)
{
	static_call_update(sc_many, sc_test_target_a);
}

static void check_many_sites(struct kunit *test, long offset)
{
	int n;

	for (n = 0; n < ARRAY_SIZE(many_sites); n++)
		KUNIT_EXPECT_EQ_MSG(test, many_sites[n](100), 100 + offset + n,
				    "site %d", n);
}

static void every_site_of_a_key_follows(struct kunit *test)
{
	sc_test_defer(test, restore_many);
	check_many_sites(test, SC_TEST_A);
	static_call_update(sc_many, sc_test_target_b);
	check_many_sites(test, SC_TEST_B);
	static_call_update(sc_many, sc_test_target_c);
	check_many_sites(test, SC_TEST_C);
	static_call_update(sc_many, sc_test_target_a);
	check_many_sites(test, SC_TEST_A);
}

/* Many keys, each with its own site: updating one leaves the rest. */

#define MANY_KEY(n)						\
DEFINE_STATIC_CALL(sc_key_##n, sc_test_target_a);		\
static noinline long key_site_##n(long x)			\
{								\
	long ret = static_call(sc_key_##n)(x);			\
								\
	barrier();						\
	return ret + (n);					\
}								\
static void key_update_##n(long (*func)(long))			\
{								\
	static_call_update(sc_key_##n, func);			\
}

MANY_KEY(0) MANY_KEY(1) MANY_KEY(2) MANY_KEY(3)
MANY_KEY(4) MANY_KEY(5) MANY_KEY(6) MANY_KEY(7)

static const struct {
	long (*site)(long x);
	void (*update)(long (*func)(long));
} many_keys[] = {
#define KEY_ROW(n) { key_site_##n, key_update_##n }
	KEY_ROW(0), KEY_ROW(1), KEY_ROW(2), KEY_ROW(3),
	KEY_ROW(4), KEY_ROW(5), KEY_ROW(6), KEY_ROW(7),
#undef KEY_ROW
};

static void restore_many_keys(void *unused)
{
	int k;

	for (k = 0; k < ARRAY_SIZE(many_keys); k++)
		many_keys[k].update(sc_test_target_a);
}

static void keys_are_independent(struct kunit *test)
{
	int k, j;

	sc_test_defer(test, restore_many_keys);
	for (k = 0; k < ARRAY_SIZE(many_keys); k++) {
		many_keys[k].update(sc_test_target_b);
		for (j = 0; j < ARRAY_SIZE(many_keys); j++) {
			long offset = j <= k ? SC_TEST_B : SC_TEST_A;

			KUNIT_EXPECT_EQ_MSG(test, many_keys[j].site(1),
					    1 + offset + j,
					    "key %d after updating key %d",
					    j, k);
		}
	}
}

/* Tail-call sites: the site is a jump, and the target returns for it. */

DEFINE_STATIC_CALL(sc_tail, sc_test_target_a);

noinline long sc_test_kernel_tail_site(long x)
{
	return static_call(sc_tail)(x);
}

static noinline long calls_tail_site(long x)
{
	long ret = sc_test_kernel_tail_site(x) * 2;

	barrier();
	return ret;
}

static void restore_tail(void *unused)
{
	static_call_update(sc_tail, sc_test_target_a);
}

static void tail_site_follows_update(struct kunit *test)
{
	sc_test_need_return0_calls(test);
	sc_test_defer(test, restore_tail);
	KUNIT_EXPECT_EQ(test, calls_tail_site(1), 2 * (1 + SC_TEST_A));
	static_call_update(sc_tail, sc_test_target_b);
	KUNIT_EXPECT_EQ(test, calls_tail_site(2), 2 * (2 + SC_TEST_B));
	static_call_update(sc_tail, (void *)__static_call_return0);
	KUNIT_EXPECT_EQ(test, calls_tail_site(3), 0);
	static_call_update(sc_tail, sc_test_target_c);
	KUNIT_EXPECT_EQ(test, calls_tail_site(4), 2 * (4 + SC_TEST_C));
}

/* static_call_text_reserved(): what kprobes asks before probing text. */

static void text_reserved_reports_sites(struct kunit *test)
{
	void *site_fn = (void *)sc_test_kernel_tail_site;
	void *plain_fn = (void *)record_eight;
	int expect = IS_ENABLED(CONFIG_HAVE_STATIC_CALL_INLINE);

	/* Only inline static calls patch sites in function bodies. */
	KUNIT_EXPECT_EQ(test,
			sc_test_text_reserved(site_fn,
					      site_fn + SC_TEST_SITE_WINDOW),
			expect);
	KUNIT_EXPECT_EQ(test, sc_test_text_reserved(plain_fn, plain_fn + 1),
			0);
}

/* The shared keys as the kernel left them for the modules. */

static void shared_keys_ready_for_modules(struct kunit *test)
{
	SC_EXPECT_TARGET(test, static_call_query(sc_test_shared),
			 SC_TEST_SHARED_AT_LOAD);
	KUNIT_EXPECT_EQ(test, sc_test_kernel_call_shared(1),
			SC_TEST_SHARED_AT_LOAD(1));
	KUNIT_EXPECT_EQ(test, sc_test_kernel_call_tramp_only(2),
			SC_TEST_TRAMP_ONLY_AT_LOAD(2));
}

#ifdef ARCH_STATIC_CALL_TEXT_SECTION
/* A kprobe in a trampoline would hide what it reaches from updates. */
static void trampoline_text_reserved(struct kunit *test)
{
	void *tramp = (void *)&STATIC_CALL_TRAMP(sc_basic);

	KUNIT_EXPECT_EQ(test, sc_test_text_reserved(tramp, tramp), 1);
}
#endif

static struct kunit_case static_call_cases[] = {
	KUNIT_CASE(initial_target_runs),
	KUNIT_CASE(update_switches_target),
	KUNIT_CASE(update_to_same_target_keeps_it),
	KUNIT_CASE(update_back_and_forth),
	KUNIT_CASE(query_follows_updates),
	KUNIT_CASE(static_call_mod_in_kernel_code),
#ifdef ARCH_STATIC_CALL_TEXT_SECTION
	KUNIT_CASE(trampoline_text_reserved),
#endif
	KUNIT_CASE(eight_arguments_reach_target),
	KUNIT_CASE(u64_values_pass_intact),
	KUNIT_CASE(null_key_cond_call_does_nothing),
	KUNIT_CASE(null_key_updated_calls_target),
	KUNIT_CASE(update_to_null_skips_call),
	KUNIT_CASE(null_and_back_many_times),
	KUNIT_CASE(ret0_key_returns_zero),
	KUNIT_CASE(ret0_key_queries_return0),
	KUNIT_CASE(ret0_key_to_func_and_back),
	KUNIT_CASE(update_to_return0_returns_zero),
	KUNIT_CASE(return0_helper_returns_zero),
	KUNIT_CASE(every_site_of_a_key_follows),
	KUNIT_CASE(keys_are_independent),
	KUNIT_CASE(tail_site_follows_update),
	KUNIT_CASE(text_reserved_reports_sites),
	KUNIT_CASE(shared_keys_ready_for_modules),
	{}
};

static struct kunit_suite static_call_suite = {
	.name = "static_call",
	.test_cases = static_call_cases,
};

kunit_test_suite(static_call_suite);

MODULE_DESCRIPTION("Static call conformance tests");
MODULE_LICENSE("GPL");
