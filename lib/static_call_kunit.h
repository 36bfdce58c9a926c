/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the built-in static call conformance suite and its
 * companion modules: the kernel keys the modules call, the kernel targets
 * they switch between, and helpers that act on the kernel's behalf.
 */
#ifndef _LIB_STATIC_CALL_KUNIT_H
#define _LIB_STATIC_CALL_KUNIT_H

#include <kunit/test.h>
#include <linux/kstrtox.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/static_call.h>

/*
 * The generic variant has no trampolines, so no
 * EXPORT_STATIC_CALL_TRAMP_GPL(): there the suites export the whole key,
 * which lets modules update it too, though they only call it.  Before
 * this series it also had no static_call_mod(); defining one here keeps
 * the suites runnable on such a kernel, for comparison.
 */
#ifndef EXPORT_STATIC_CALL_TRAMP_GPL
#define EXPORT_STATIC_CALL_TRAMP_GPL(name)	EXPORT_STATIC_CALL_GPL(name)
#endif
#ifndef static_call_mod
#define static_call_mod(name)	static_call(name)
#endif

/*
 * Every target adds its own offset to the argument, so the return value
 * tells which function ran and that the argument reached it intact.
 */
#define SC_TEST_A	1000L
#define SC_TEST_B	2000L
#define SC_TEST_C	3000L
#define SC_TEST_MOD	7000L	/* targets that live in a module */

/*
 * How far into a function whose body is one static call its site may
 * be: right after ENDBR on x86; on arm64 after BTI or PACIASP, the
 * frame record and the patchable-entry NOPs (with frame pointers, kbuild
 * adds -fno-optimize-sibling-calls: the call stays a call).  No further,
 * so that the window does not reach into the next function.
 */
#ifdef CONFIG_X86
#define SC_TEST_SITE_WINDOW	10
#else
#define SC_TEST_SITE_WINDOW	31
#endif

long sc_test_target_a(long x);
long sc_test_target_b(long x);
long sc_test_target_c(long x);

/*
 * A function that holds one site of @key and nothing else, for a test
 * to call: the site in the middle of the function (a call: the barrier
 * keeps the compiler from turning it into a tail jump), as a tail call,
 * or a static_call_cond() tail call.  One site per function, so that the
 * compiler cannot merge two sites, and a test knows which one ran.
 */
#define SC_TEST_CALL_SITE(fn, call)					\
	noinline long fn(long x)					\
	{								\
		long ret = call(x);					\
									\
		barrier();						\
		return ret;						\
	}
/* The same, with work the compiler must do first: the site is not. */
#define SC_TEST_MID_SITE(fn, call, bias)				\
	noinline long fn(long x)					\
	{								\
		long ret;						\
									\
		x = x * 3 + READ_ONCE(bias);				\
		ret = call(x);						\
		barrier();						\
		return ret;						\
	}
#define SC_TEST_TAIL_SITE(fn, call)					\
	noinline long fn(long x)					\
	{								\
		return call(x);						\
	}
#define SC_TEST_COND_SITE(fn, key)					\
	noinline void fn(long x)					\
	{								\
		static_call_cond(key)(x);				\
	}

/*
 * Kernel keys for the module tests.  Before any module loads, the
 * built-in suite moves each away from the target it was defined with,
 * so a module site that only ever called its definition would be caught.
 */
DECLARE_STATIC_CALL(sc_test_shared, sc_test_target_a);
DECLARE_STATIC_CALL(sc_test_shared_cond, sc_test_target_a);
/* Exported with EXPORT_STATIC_CALL_TRAMP_GPL only: modules see no key. */
DECLARE_STATIC_CALL(sc_test_tramp_only, sc_test_target_a);

/* The state modules find each kernel key in when they load. */
#define SC_TEST_SHARED_AT_LOAD		sc_test_target_b
#define SC_TEST_SHARED_COND_AT_LOAD	sc_test_target_b
#define SC_TEST_TRAMP_ONLY_AT_LOAD	sc_test_target_b

/* Compare a key's target with a function, as plain addresses. */
#define SC_EXPECT_TARGET(test, target, func)				\
	KUNIT_EXPECT_PTR_EQ(test, (void *)(target), (void *)(func))

/*
 * Where static_call() is an indirect call, kCFI checks the type of the
 * target, and __static_call_return0() has none of the keys' types.
 */
static inline void sc_test_need_return0_calls(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_HAVE_STATIC_CALL) &&
	    IS_ENABLED(CONFIG_CFI_CLANG))
		kunit_skip(test, "kCFI traps __static_call_return0() through a pointer");
}

/* Run @action (undoing what the case changed) when the case ends. */
static inline void sc_test_defer(struct kunit *test, kunit_action_t *action)
{
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, action, NULL));
}

/* Set for a run_suite parameter: on 1, run the suite @kp->arg points at. */
static inline int sc_test_run_suite(const char *val,
				    const struct kernel_param *kp)
{
	struct kunit_suite **suite = kp->arg;
	bool run;
	int err;

	err = kstrtobool(val, &run);
	if (err || !run)
		return err;
	return __kunit_test_suites_init(suite, 1);
}

/*
 * In a module: run @suite when 1 is written to the module's run_suite
 * parameter, not at load, because it checks what something done after
 * the load (an unload, a refused load) left behind.
 */
#define SC_TEST_SUITE_ON_WRITE(suite, when)				\
static struct kunit_suite *sc_test_suite_on_write = &(suite);		\
static const struct kernel_param_ops sc_test_run_suite_ops = {		\
	.set = sc_test_run_suite,					\
};									\
module_param_cb(run_suite, &sc_test_run_suite_ops,			\
		&sc_test_suite_on_write, 0200);				\
MODULE_PARM_DESC(run_suite, "Write 1 to run the suite, " when)

/* Kernel call sites of the shared keys, so modules can check them too. */
long sc_test_kernel_call_shared(long x);
long sc_test_kernel_call_tramp_only(long x);

/* Put the shared keys back in the state modules find them in. */
void sc_test_reset_shared_keys(void);

/*
 * Held by the churn tests (lib/static_call_churn_*.c) around an update
 * of sc_test_shared, sc_test_shared_cond or sc_test_tramp_only and the
 * calls that check it: the updater thread and the module being loaded
 * both update those keys, and a check of one exact target needs the
 * other to keep still.  Calls made without it may find any of the
 * targets either one installs.
 */
extern struct mutex sc_test_shared_lock;

/* Kernel-side helpers for keys a module cannot update itself. */
void sc_test_update_tramp_only(long (*func)(long));
long (*sc_test_query_tramp_only(void))(long);

/*
 * Tail-call sites that the text_reserved cases take the address of.
 * Global, so that with IBT they begin with ENDBR like any function whose
 * address escapes, and the compiler cannot clone them.
 */
long sc_test_kernel_tail_site(long x);
long sc_test_mod_tail_site(long x);

/* static_call_text_reserved() is not exported: the suite wraps it. */
int sc_test_text_reserved(void *start, void *end);

/*
 * The companion module reports the text it leaves behind at unload, so
 * the after-unload suite can check nothing still claims it.
 */
void sc_test_note_unloaded_text(void *start, unsigned long size);
bool sc_test_unloaded_text(void **start, unsigned long *size);

/*
 * static_call_after_unload_kunit's key, which static_call_module_kunit
 * points at one of its own functions and leaves so when it is unloaded,
 * as a KVM vendor module leaves kvm.ko's keys.  Reached through symbol_get(): the module
 * also loads when static_call_after_unload_kunit is not there.
 */
void sc_after_adopt_target(long (*func)(long));

#endif /* _LIB_STATIC_CALL_KUNIT_H */
