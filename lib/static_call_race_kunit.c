// SPDX-License-Identifier: GPL-2.0
/*
 * Static call updates racing with callers on another CPU.
 *
 * One kthread, bound to another CPU, calls a static call in a loop while
 * the test updates its key back and forth.  Every call must run either
 * the old or the new target: any other result, or a trap, is a failure.
 * The cases differ in where the site sits, because that decides whether
 * a stale instruction could be fetched from the start of a function:
 * in the middle of a function, as its first instruction (a tail jump),
 * and a static_call_cond() tail jump switching between NULL and a target.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"

#define RACE_UPDATES 400

DEFINE_STATIC_CALL(sc_race_mid, sc_test_target_a);
DEFINE_STATIC_CALL(sc_race_entry, sc_test_target_a);
DEFINE_STATIC_CALL_NULL(sc_race_cond, sc_test_target_a);

static long race_bias;

static SC_TEST_MID_SITE(race_mid_site, static_call(sc_race_mid), race_bias)
static SC_TEST_TAIL_SITE(race_entry_site, static_call(sc_race_entry))

static atomic_long_t cond_hits;

static long race_cond_target(long x)
{
	atomic_long_inc(&cond_hits);
	return 0;
}

static SC_TEST_COND_SITE(race_cond_site, sc_race_cond)

struct race {
	long (*call)(long x);		/* runs the site, returns its result */
	long good[2];			/* the only results allowed */
	atomic_long_t calls;
	atomic_long_t bad;
	long bad_value;
	bool stop;
};

static long call_mid(long x)
{
	return race_mid_site(x);
}

static long call_entry(long x)
{
	return race_entry_site(x);
}

static long call_cond(long x)
{
	race_cond_site(x);
	return 0;
}

static int race_caller(void *data)
{
	struct race *race = data;

	while (!READ_ONCE(race->stop)) {
		long ret = race->call(1);

		if (ret != race->good[0] && ret != race->good[1]) {
			race->bad_value = ret;
			atomic_long_inc(&race->bad);
		}
		if (!(atomic_long_inc_return(&race->calls) & 1023))
			cond_resched();
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * Run the caller on another CPU and call @update(i) RACE_UPDATES times
 * from this one, once the caller is known to be running.
 */
static void race_updates(struct kunit *test, struct race *race,
			 void (*update)(int i))
{
	struct task_struct *caller;
	unsigned int cpu;
	int i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs, has %u", num_online_cpus());

	migrate_disable();
	cpu = cpumask_any_but(cpu_online_mask, smp_processor_id());
	caller = kthread_create(race_caller, race, "sc_race/%u", cpu);
	if (IS_ERR(caller)) {
		migrate_enable();
		KUNIT_FAIL_AND_ABORT(test, "kthread_create: %ld",
				     PTR_ERR(caller));
	}
	kthread_bind(caller, cpu);
	wake_up_process(caller);

	while (!atomic_long_read(&race->calls))
		usleep_range(1000, 2000);
	for (i = 0; i < RACE_UPDATES; i++)
		update(i);

	WRITE_ONCE(race->stop, true);
	kthread_stop(caller);
	migrate_enable();

	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&race->bad), 0,
			    "a caller saw %ld", race->bad_value);
	kunit_info(test, "%ld calls raced with %d updates\n",
		   atomic_long_read(&race->calls), RACE_UPDATES);
}

static void update_mid(int i)
{
	static_call_update(sc_race_mid, i & 1 ? sc_test_target_a :
						sc_test_target_b);
}

static void update_entry(int i)
{
	static_call_update(sc_race_entry, i & 1 ? sc_test_target_a :
						  sc_test_target_b);
}

static void update_cond(int i)
{
	static_call_update(sc_race_cond, i & 1 ? race_cond_target : NULL);
}

static void site_mid_function(struct kunit *test)
{
	/* race_mid_site(1) hands 3 to the target. */
	struct race race = {
		.call = call_mid,
		.good = { sc_test_target_a(3), sc_test_target_b(3) },
	};

	race_updates(test, &race, update_mid);
	KUNIT_EXPECT_EQ(test, race_mid_site(1), sc_test_target_a(3));
}

static void site_at_function_entry(struct kunit *test)
{
	struct race race = {
		.call = call_entry,
		.good = { sc_test_target_a(1), sc_test_target_b(1) },
	};

	race_updates(test, &race, update_entry);
	KUNIT_EXPECT_EQ(test, race_entry_site(1), sc_test_target_a(1));
}

static void cond_site_at_function_entry(struct kunit *test)
{
	struct race race = { .call = call_cond };
	long hits;

	race_updates(test, &race, update_cond);

	/* The last update installed the target: calls must reach it. */
	hits = atomic_long_read(&cond_hits);
	race_cond_site(1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&cond_hits), hits + 1);
	static_call_update(sc_race_cond, NULL);
	race_cond_site(1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&cond_hits), hits + 1);
}

static struct kunit_case static_call_race_cases[] = {
	KUNIT_CASE_SLOW(site_mid_function),
	KUNIT_CASE_SLOW(site_at_function_entry),
	KUNIT_CASE_SLOW(cond_site_at_function_entry),
	{}
};

static struct kunit_suite static_call_race_suite = {
	.name = "static_call_race",
	.test_cases = static_call_race_cases,
};

kunit_test_suite(static_call_race_suite);

MODULE_DESCRIPTION("Static call conformance tests: updates racing callers");
MODULE_LICENSE("GPL");
