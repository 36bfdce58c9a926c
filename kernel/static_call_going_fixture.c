// SPDX-License-Identifier: GPL-2.0
/*
 * Aims a kernel key and two keys of static_call_going_kunit at this
 * module's functions, and leaves them there: unloading it, or failing its
 * init (fail_init=1), is the bug the kernel must catch (see
 * static_call_going_kunit.c).  A third key of static_call_going_kunit it
 * aims at its init code, which the kernel frees once the init succeeded.
 */
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_going_kunit.h"

static long going_target(long x)
{
	return x + SC_TEST_MOD;
}

static void going_cond_target(long x)
{
}

static long __init going_init_target(long x)
{
	return x + SC_TEST_MOD;
}

static bool fail_init;
module_param(fail_init, bool, 0);
MODULE_PARM_DESC(fail_init, "Fail the init (-EINVAL), the keys still on this module");

static int __init static_call_going_fixture_init(void)
{
	static_call_update(sc_test_shared, going_target);
	static_call_update(sc_going_key, going_target);
	static_call_update(sc_going_cond, going_cond_target);
	static_call_update(sc_going_init_key, going_init_target);

	/* The keys must reach this module, or unloading it proves nothing. */
	if (static_call(sc_test_shared)(1) != 1 + SC_TEST_MOD ||
	    static_call(sc_going_key)(1) != 1 + SC_TEST_MOD ||
	    static_call(sc_going_init_key)(1) != 1 + SC_TEST_MOD ||
	    static_call_query(sc_going_cond) != going_cond_target) {
		pr_err("%s: the keys do not reach this module\n",
		       SC_GOING_FIXTURE);
		return -EIO;
	}
	return fail_init ? -EINVAL : 0;
}
module_init(static_call_going_fixture_init);

static void __exit static_call_going_fixture_exit(void)
{
}
module_exit(static_call_going_fixture_exit);

MODULE_DESCRIPTION("Static call test fixture: keys left on a module that goes away");
MODULE_LICENSE("GPL");
