// SPDX-License-Identifier: GPL-2.0
/*
 * Boot-time selftest of static call updates: one key taken through every
 * kind of target and back, checking after each update which function a
 * static_call() runs.  It needs nothing but the core, so it runs on every
 * architecture, whichever implementation it has.  The KUnit suites
 * (CONFIG_STATIC_CALL_KUNIT_TEST) go much further.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/printk.h>
#include <linux/static_call.h>

static int sc_selftest_ran;

static noinline int sc_selftest_add(int x)
{
	sc_selftest_ran = 1;
	return x + 1;
}

static noinline int sc_selftest_double(int x)
{
	sc_selftest_ran = 2;
	return x * 2;
}

static noinline void sc_selftest_mark(int x)
{
	sc_selftest_ran = 3 + x;
}

DEFINE_STATIC_CALL(sc_selftest_call, sc_selftest_add);
DEFINE_STATIC_CALL_NULL(sc_selftest_cond, sc_selftest_mark);

/* One step: after the last update, @arg must give @result from @ran. */
struct sc_selftest_step {
	int (*func)(int x);
	int arg;
	int result;
	int ran;
};

static const struct sc_selftest_step sc_selftest_steps[] __initconst = {
	{ sc_selftest_add, 2, 3, 1 },
	{ sc_selftest_double, 2, 4, 2 },
	{ (void *)__static_call_return0, 2, 0, 0 },
	{ sc_selftest_add, 4, 5, 1 },
};

/*
 * Where static_call() is an indirect call, kCFI checks the target's type:
 * __static_call_return0() is not an int (int), and the call would trap.
 */
static bool __init sc_selftest_step_runs(const struct sc_selftest_step *s)
{
	return s->func != (void *)__static_call_return0 ||
	       IS_ENABLED(CONFIG_HAVE_STATIC_CALL) ||
	       !IS_ENABLED(CONFIG_CFI_CLANG);
}

static bool __init sc_selftest_call_step(const struct sc_selftest_step *s)
{
	int result;

	if (!sc_selftest_step_runs(s))
		return true;

	static_call_update(sc_selftest_call, s->func);
	sc_selftest_ran = 0;
	result = static_call(sc_selftest_call)(s->arg);
	if (result == s->result && sc_selftest_ran == s->ran &&
	    static_call_query(sc_selftest_call) == s->func)
		return true;
	pr_err("static_call: selftest: %ps(%d) gave %d from function %d, expected %d from %d\n",
	       s->func, s->arg, result, sc_selftest_ran, s->result, s->ran);
	return false;
}

/* static_call_cond() on a NULL key calls nothing, then the target. */
static bool __init sc_selftest_cond_steps(void)
{
	bool ok;

	sc_selftest_ran = 0;
	static_call_cond(sc_selftest_cond)(1);
	ok = sc_selftest_ran == 0;

	static_call_update(sc_selftest_cond, sc_selftest_mark);
	static_call_cond(sc_selftest_cond)(1);
	ok &= sc_selftest_ran == 4;

	static_call_update(sc_selftest_cond, NULL);
	sc_selftest_ran = 0;
	static_call_cond(sc_selftest_cond)(1);
	ok &= sc_selftest_ran == 0 && !static_call_query(sc_selftest_cond);
	if (!ok)
		pr_err("static_call: selftest: static_call_cond() with NULL targets\n");
	return ok;
}

static int __init static_call_selftest(void)
{
	bool ok = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(sc_selftest_steps); i++)
		ok &= sc_selftest_call_step(&sc_selftest_steps[i]);
	ok &= sc_selftest_cond_steps();

	if (WARN(!ok, "static_call: selftest failed\n"))
		return -EINVAL;
	pr_info("static_call: selftest passed\n");
	return 0;
}
late_initcall(static_call_selftest);
