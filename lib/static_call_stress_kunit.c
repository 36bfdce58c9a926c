// SPDX-License-Identifier: GPL-2.0
/*
 * SMP stress: static calls updated while every other CPU calls them.
 *
 * A caller thread on each online CPU but the test's calls, in turn,
 * through each kind of site: a static call in the middle of a function,
 * one as a tail call, a static_call_cond() tail call, and calls of the
 * trampolines that no site table lists (static_call_stress_ool, whose
 * object objtool and scripts/static_call_sites leave alone).  Meanwhile
 * the test retargets the keys, alternating between the two: one between
 * two targets in this module and one in the kernel, the other between
 * NULL and a target.  Each target records, on the caller's CPU, that it
 * ran, and adds its own offset to the argument: a call whose result and
 * record do not name one target the key may hold counts as wrong.
 *
 * Each update is numbered: the test says which one it starts before it
 * starts it, and which ones are done once static_call_update() returns.
 * A caller reads the number done before its call and the number started
 * after it, and the target that ran must be the one the keys held after
 * one of those updates.  A target that the keys held only before the
 * last update done counts as stale: once static_call_update() returns,
 * no call may run the old target, which a site the update missed or a
 * CPU executing what it fetched before the change would do.  The upper
 * end assumes that a CPU which ran the new code also sees the number
 * written before the code was: x86's serialising IPIs guarantee it, and
 * arm64's maintenance and IPIs give it in practice, though its memory
 * model does not order instruction fetches with loads.
 *
 * The case fails unless the callers made at least min_calls calls (10^6)
 * while the test made at least min_updates updates (10^4), with no wrong
 * one; it stops as soon as both are reached, or after max_seconds.  A
 * plan may lower the thresholds through the module parameters.  The boot
 * that loads it gives the machine four CPUs: three callers.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/processor.h>
#include <linux/sched.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"
#include "static_call_stress.h"

static unsigned long min_calls = 1000000;
module_param(min_calls, ulong, 0444);
MODULE_PARM_DESC(min_calls, "Calls the callers must make (default 10^6)");

static unsigned int min_updates = 10000;
module_param(min_updates, uint, 0444);
MODULE_PARM_DESC(min_updates, "Updates the test must make (default 10^4)");

/* Under KUnit's own limit of 300 s per case. */
static unsigned int max_seconds = 240;
module_param(max_seconds, uint, 0444);
MODULE_PARM_DESC(max_seconds, "Give up after this long (default 240)");

/* What a target records on the CPU it ran on. */
enum stress_ran {
	RAN_NOTHING,
	RAN_A,
	RAN_B,
	RAN_C,		/* recorded by its result alone: it is the kernel's */
	RAN_COND,
	RAN_WRONG,	/* no target the key may hold gives this */
};

static const char *const ran_names[] = {
	[RAN_NOTHING] = "nothing", [RAN_A] = "stress_a", [RAN_B] = "stress_b",
	[RAN_C] = "sc_test_target_c", [RAN_COND] = "stress_cond_target",
	[RAN_WRONG] = "no target",
};

static DEFINE_PER_CPU(long, stress_ran);
static DEFINE_PER_CPU(long, stress_cond_arg);

static long stress_a(long x)
{
	this_cpu_write(stress_ran, RAN_A);
	return x + SC_TEST_A;
}

static long stress_b(long x)
{
	this_cpu_write(stress_ran, RAN_B);
	return x + SC_TEST_B;
}

static long stress_cond_target(long x)
{
	this_cpu_write(stress_ran, RAN_COND);
	this_cpu_write(stress_cond_arg, x);
	return 0;
}

static long stress_bias;

static SC_TEST_MID_SITE(stress_mid_site, static_call(sc_stress_call),
			stress_bias)
static SC_TEST_TAIL_SITE(stress_tail_site, static_call(sc_stress_call))
/* As the last statement of a void function: a tail jump. */
static SC_TEST_COND_SITE(stress_cond_site, sc_stress_cond)

enum stress_kind {
	SITE_MID,
	SITE_TAIL,
	SITE_COND,
	SITE_OOL,
	SITE_OOL_COND,
	NR_SITE_KINDS,
};

static const char *const kind_names[NR_SITE_KINDS] = {
	[SITE_MID] = "inline mid-function",
	[SITE_TAIL] = "tail",
	[SITE_COND] = "cond tail",
	[SITE_OOL] = "out-of-line",
	[SITE_OOL_COND] = "out-of-line cond",
};

static bool is_cond_site(enum stress_kind kind)
{
	return kind == SITE_COND || kind == SITE_OOL_COND;
}

struct stress_result {
	long ret;
	long ran;
};

/* Call through one kind of site: which target ran, RAN_WRONG if none. */
static enum stress_ran stress_call(enum stress_kind kind, long x,
				   struct stress_result *r)
{
	long arg = x;	/* what reaches the target */

	r->ret = 0;
	this_cpu_write(stress_ran, RAN_NOTHING);
	switch (kind) {
	case SITE_MID:
		arg = x * 3;
		r->ret = stress_mid_site(x);
		break;
	case SITE_TAIL:
		r->ret = stress_tail_site(x);
		break;
	case SITE_COND:
		stress_cond_site(x);
		break;
	case SITE_OOL:
		r->ret = sc_stress_ool_call(x);
		break;
	case SITE_OOL_COND:
		sc_stress_ool_cond(x);
		break;
	default:
		return RAN_WRONG;
	}
	r->ran = this_cpu_read(stress_ran);

	if (is_cond_site(kind)) {
		if (r->ran == RAN_NOTHING)
			return RAN_NOTHING;
		if (r->ran == RAN_COND && this_cpu_read(stress_cond_arg) == x)
			return RAN_COND;
		return RAN_WRONG;
	}
	if (r->ran == RAN_A && r->ret == arg + SC_TEST_A)
		return RAN_A;
	if (r->ran == RAN_B && r->ret == arg + SC_TEST_B)
		return RAN_B;
	if (r->ran == RAN_NOTHING && r->ret == arg + SC_TEST_C)
		return RAN_C;
	return RAN_WRONG;
}

struct stress;

struct stress_caller {
	struct stress *stress;
	struct task_struct *task;
	unsigned int cpu;
	unsigned long calls[NR_SITE_KINDS];
	unsigned long total;
	unsigned long wrong;
	unsigned long stale;
	/* The first wrong call. */
	enum stress_kind bad_kind;
	long bad_arg;
	struct stress_result bad;
	/* The first stale call: what ran, between which updates. */
	enum stress_kind stale_kind;
	enum stress_ran stale_ran;
	unsigned long stale_done, stale_started;
};

struct stress {
	bool stop;
	/* Updates started, and done (static_call_update() returned). */
	unsigned long started;
	unsigned long done;
	struct stress_caller *callers;
	unsigned int nr_callers;
};

struct stress_target {
	long (*func)(long x);
	enum stress_ran ran;	/* what its sites then record */
};

/*
 * The updates: even ones retarget the call key to each of these in turn,
 * odd ones the static_call_cond() key.  Before them, the call key targets
 * stress_a and the cond key is NULL.
 */
static const struct stress_target call_targets[] = {
	{ stress_b, RAN_B }, { sc_test_target_c, RAN_C }, { stress_a, RAN_A },
};

static const struct stress_target cond_targets[] = {
	{ stress_cond_target, RAN_COND }, { NULL, RAN_NOTHING },
};

/* The keys run the same again after this many updates. */
#define STRESS_PERIOD	(2 * ARRAY_SIZE(call_targets) * ARRAY_SIZE(cond_targets))

static const struct stress_target *stress_schedule(unsigned int update)
{
	unsigned int turn = update / 2;

	if (update & 1)
		return &cond_targets[turn % ARRAY_SIZE(cond_targets)];
	return &call_targets[turn % ARRAY_SIZE(call_targets)];
}

/* What a kind of site runs once the first @updates updates are done. */
static enum stress_ran stress_expected(enum stress_kind kind,
				       unsigned long updates)
{
	/* The last update of its key: the last odd one, or the last even. */
	if (is_cond_site(kind))
		return updates < 2 ? RAN_NOTHING :
		       stress_schedule(((updates & ~1UL) - 1) %
				       STRESS_PERIOD)->ran;
	return !updates ? RAN_A :
	       stress_schedule(((updates - 1) & ~1UL) % STRESS_PERIOD)->ran;
}

/* Did @ran run what the keys held after update @done ... @started? */
static bool stress_in_window(enum stress_kind kind, enum stress_ran ran,
			     unsigned long done, unsigned long started)
{
	unsigned long g;

	for (g = done; g <= started && g - done < STRESS_PERIOD; g++)
		if (stress_expected(kind, g) == ran)
			return true;
	return false;
}

static void stress_note_stale(struct stress_caller *c, enum stress_kind kind,
			      enum stress_ran ran, unsigned long done,
			      unsigned long started)
{
	if (c->stale++)
		return;
	c->stale_kind = kind;
	c->stale_ran = ran;
	c->stale_done = done;
	c->stale_started = started;
}

static int stress_caller_fn(void *data)
{
	struct stress_caller *c = data;
	unsigned long n;

	for (n = 0; !READ_ONCE(c->stress->stop); n++) {
		enum stress_kind kind = n % NR_SITE_KINDS;
		long x = (n & 0xfff) + 1;
		unsigned long done, started;
		struct stress_result r;
		enum stress_ran ran;

		/* Pairs with the release once an update is done. */
		done = smp_load_acquire(&c->stress->done);
		ran = stress_call(kind, x, &r);
		/* The call, then what was started since. */
		smp_rmb();
		started = READ_ONCE(c->stress->started);
		if (ran == RAN_WRONG && !c->wrong++) {
			c->bad_kind = kind;
			c->bad_arg = x;
			c->bad = r;
		} else if (ran != RAN_WRONG &&
			   !stress_in_window(kind, ran, done, started)) {
			stress_note_stale(c, kind, ran, done, started);
		}
		c->calls[kind]++;
		WRITE_ONCE(c->total, n + 1);
		/*
		 * A pause now and then: under single-threaded TCG it hands
		 * the host CPU to the next vCPU, so an update waiting for the
		 * others to acknowledge its IPIs does not wait for time
		 * slices to run out.
		 */
		if (!(n & 15))
			cpu_relax();
		if (!(n & 1023))
			cond_resched();
	}
	/* kthread_stop() must find the thread still there. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static unsigned long stress_calls(struct stress *s)
{
	unsigned long calls = 0;
	unsigned int i;

	for (i = 0; i < s->nr_callers; i++)
		calls += READ_ONCE(s->callers[i].total);
	return calls;
}

static bool stress_all_calling(struct stress *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_callers; i++)
		if (!READ_ONCE(s->callers[i].total))
			return false;
	return true;
}

static void stress_update(unsigned long i)
{
	long (*func)(long) = stress_schedule(i % STRESS_PERIOD)->func;

	if (i & 1)
		static_call_update(sc_stress_cond, func);
	else
		static_call_update(sc_stress_call, func);
}

/* The keys belong to static_call_stress_ool, which outlives this module. */
static void restore_stress_keys(void *unused)
{
	static_call_update(sc_stress_call, sc_stress_initial);
	static_call_update(sc_stress_cond, NULL);
}

static void stress_stop(struct stress *s)
{
	unsigned int i;

	WRITE_ONCE(s->stop, true);
	for (i = 0; i < s->nr_callers; i++)
		kthread_stop(s->callers[i].task);
}

/* Every kind of site runs @call_ran, or @cond_ran if it is a cond one. */
static void expect_every_site(struct kunit *test, long x,
			      enum stress_ran call_ran,
			      enum stress_ran cond_ran)
{
	struct stress_result r;
	int kind;

	for (kind = 0; kind < NR_SITE_KINDS; kind++)
		KUNIT_EXPECT_EQ_MSG(test, stress_call(kind, x, &r),
				    is_cond_site(kind) ? cond_ran : call_ran,
				    "%s site", kind_names[kind]);
}

/*
 * Once the callers are stopped: every kind of site, target by target, on
 * one CPU (the targets' record is per CPU).
 */
static void stress_sites_settled(struct kunit *test)
{
	migrate_disable();
	static_call_update(sc_stress_call, stress_b);
	static_call_update(sc_stress_cond, stress_cond_target);
	expect_every_site(test, 5, RAN_B, RAN_COND);
	static_call_update(sc_stress_call, sc_test_target_c);
	static_call_update(sc_stress_cond, NULL);
	expect_every_site(test, 6, RAN_C, RAN_NOTHING);
	migrate_enable();
}

static void calls_on_every_cpu_during_updates(struct kunit *test)
{
	unsigned long calls[NR_SITE_KINDS] = {};
	unsigned long total = 0, wrong = 0, stale = 0;
	struct stress_caller *bad = NULL, *late = NULL;
	unsigned int idle = 0, seconds;
	unsigned long start, deadline, updates = 0;
	struct stress s = {};
	unsigned int cpu, self, i;
	int kind;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs, has %u", num_online_cpus());
	s.callers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*s.callers),
				  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s.callers);

	sc_test_defer(test, restore_stress_keys);
	static_call_update(sc_stress_call, stress_a);
	static_call_update(sc_stress_cond, NULL);

	/* This CPU updates; every other online one calls. */
	migrate_disable();
	self = smp_processor_id();
	for_each_online_cpu(cpu) {
		struct stress_caller *c = &s.callers[s.nr_callers];

		if (cpu == self)
			continue;
		c->stress = &s;
		c->cpu = cpu;
		c->task = kthread_create_on_cpu(stress_caller_fn, c, cpu,
						"sc_stress/%u");
		if (IS_ERR(c->task)) {
			long err = PTR_ERR(c->task);

			stress_stop(&s);
			migrate_enable();
			KUNIT_FAIL_AND_ABORT(test, "kthread_create_on_cpu: %ld",
					     err);
		}
		s.nr_callers++;
	}
	for (i = 0; i < s.nr_callers; i++)
		wake_up_process(s.callers[i].task);

	start = jiffies;
	deadline = start + max_seconds * HZ;
	while (!stress_all_calling(&s) && time_before(jiffies, deadline))
		usleep_range(1000, 2000);
	while ((updates < min_updates || stress_calls(&s) < min_calls) &&
	       stress_all_calling(&s) && time_before(jiffies, deadline)) {
		WRITE_ONCE(s.started, updates + 1);
		/* Said started before any of the update can be seen. */
		smp_mb();
		stress_update(updates++);
		/* The update, then that it is done. */
		smp_store_release(&s.done, updates);
		/*
		 * The callers' pause, here too: where an update is a store
		 * (the generic variant), single-threaded TCG would otherwise
		 * run the updater a whole time slice for every 16 calls.
		 */
		cpu_relax();
		if (!(updates & 1023))
			cond_resched();
	}

	stress_stop(&s);
	migrate_enable();
	seconds = jiffies_to_msecs(jiffies - start) / MSEC_PER_SEC;

	for (i = 0; i < s.nr_callers; i++) {
		struct stress_caller *c = &s.callers[i];

		for (kind = 0; kind < NR_SITE_KINDS; kind++)
			calls[kind] += c->calls[kind];
		total += c->total;
		wrong += c->wrong;
		stale += c->stale;
		idle += !c->total;
		if (c->wrong && !bad)
			bad = c;
		if (c->stale && !late)
			late = c;
	}
	kunit_info(test,
		   "calls: %s %lu, %s %lu, %s %lu, %s %lu, %s %lu; %lu in all on %u CPUs; %lu updates in %u s; %lu wrong, %lu stale\n",
		   kind_names[SITE_MID], calls[SITE_MID],
		   kind_names[SITE_TAIL], calls[SITE_TAIL],
		   kind_names[SITE_COND], calls[SITE_COND],
		   kind_names[SITE_OOL], calls[SITE_OOL],
		   kind_names[SITE_OOL_COND], calls[SITE_OOL_COND],
		   total, s.nr_callers, updates, seconds, wrong, stale);

	KUNIT_EXPECT_EQ_MSG(test, wrong, 0,
			    "first on CPU %u: %s site, argument %ld: returned %ld, target recorded %ld",
			    bad ? bad->cpu : 0,
			    kind_names[bad ? bad->bad_kind : 0],
			    bad ? bad->bad_arg : 0, bad ? bad->bad.ret : 0,
			    bad ? bad->bad.ran : 0);
	if (late)
		KUNIT_FAIL(test,
			   "%lu calls outside the window, first on CPU %u: %s site ran %s, which its key held after none of updates %lu..%lu (after %lu: %s)",
			   stale, late->cpu, kind_names[late->stale_kind],
			   ran_names[late->stale_ran], late->stale_done,
			   late->stale_started, late->stale_done,
			   ran_names[stress_expected(late->stale_kind,
						     late->stale_done)]);
	KUNIT_EXPECT_EQ_MSG(test, idle, 0, "callers that never called");
	KUNIT_EXPECT_GE_MSG(test, total, min_calls,
			    "too few calls in %u s", max_seconds);
	KUNIT_EXPECT_GE_MSG(test, updates, min_updates,
			    "too few updates in %u s", max_seconds);

	stress_sites_settled(test);
}

static struct kunit_case static_call_stress_cases[] = {
	KUNIT_CASE_SLOW(calls_on_every_cpu_during_updates),
	{}
};

static struct kunit_suite static_call_stress_suite = {
	.name = "static_call_stress",
	.test_cases = static_call_stress_cases,
};

kunit_test_suite(static_call_stress_suite);

MODULE_DESCRIPTION("Static call SMP stress tests: updates while every CPU calls");
MODULE_LICENSE("GPL");
