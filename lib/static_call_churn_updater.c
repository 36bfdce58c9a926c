// SPDX-License-Identifier: GPL-2.0
/*
 * The other CPU of the churn boots: a thread that updates the kernel keys
 * whose call sites static_call_churn_module adds and removes, from the
 * moment this module loads until it is unloaded, while /init loads and
 * unloads that module again and again.  An update then meets a module
 * whose sites are being added or taken away.
 *
 * After each update it calls the kernel's own site of the key, with the
 * churn module held off the keys (sc_test_shared_lock): the site must run
 * the target just installed.  When it is stopped (at unload) it puts the
 * keys back as the module suites expect them and prints one line for the
 * host: how many updates it made, on which CPU, and how many calls ran a
 * wrong target.  The host requires none wrong, and at least as many
 * updates as load/unload cycles, so that the thread kept running.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/static_call.h>

#include "static_call_kunit.h"

/*
 * The updater's CPU.  By default the last one online: /init pins itself
 * to CPU 0 while it loads and unloads (its churn command).
 */
static int cpu = -1;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "CPU the updater runs on (default: the last online)");

static struct task_struct *updater;
static unsigned long updates;
static unsigned long wrong;
static long wrong_got, wrong_want;

static int churn_updater(void *unused)
{
	long (*const targets[])(long) = {
		sc_test_target_a, sc_test_target_b, sc_test_target_c,
	};
	unsigned long i;

	for (i = 0; !kthread_should_stop(); i++) {
		long (*func)(long) = targets[i % ARRAY_SIZE(targets)];
		long x = i & 0xffff;
		long got;

		mutex_lock(&sc_test_shared_lock);
		static_call_update(sc_test_shared, func);
		static_call_update(sc_test_shared_cond, i & 1 ? func : NULL);
		sc_test_update_tramp_only(func);
		updates += 3;

		got = sc_test_kernel_call_shared(x);
		if (got == func(x))
			got = sc_test_kernel_call_tramp_only(x);
		if (got != func(x)) {
			wrong++;
			wrong_got = got;
			wrong_want = func(x);
		}
		mutex_unlock(&sc_test_shared_lock);

		/* Leave the loader a moment at the keys' locks. */
		usleep_range(50, 100);
	}
	return 0;
}

static int __init static_call_churn_updater_init(void)
{
	if (num_online_cpus() < 2) {
		pr_err("needs two CPUs, has %u\n", num_online_cpus());
		return -ENODEV;
	}
	if (cpu < 0)
		cpu = cpumask_last(cpu_online_mask);
	if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		pr_err("CPU %d is not online\n", cpu);
		return -EINVAL;
	}
	updater = kthread_create_on_cpu(churn_updater, NULL, cpu,
					"sc_churn_upd/%u");
	if (IS_ERR(updater))
		return PTR_ERR(updater);
	wake_up_process(updater);
	return 0;
}
module_init(static_call_churn_updater_init);

static void __exit static_call_churn_updater_exit(void)
{
	kthread_stop(updater);

	mutex_lock(&sc_test_shared_lock);
	sc_test_reset_shared_keys();
	mutex_unlock(&sc_test_shared_lock);

	if (wrong)
		pr_err("a kernel site returned %ld where its key's target returns %ld\n",
		       wrong_got, wrong_want);
	pr_info("stopped: %lu updates on CPU %d, %lu wrong\n", updates, cpu,
		wrong);
}
module_exit(static_call_churn_updater_exit);

MODULE_DESCRIPTION("Static call tests: kernel key updates from another CPU");
MODULE_LICENSE("GPL");
