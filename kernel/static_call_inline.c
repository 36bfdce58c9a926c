// SPDX-License-Identifier: GPL-2.0
/*
 * Inline static calls: keep every call site of a key branching straight
 * to the key's target.
 *
 * objtool lists the sites in .static_call_sites, one table for vmlinux
 * and one per module.  Each table is sorted by key once, so that a key's
 * sites form one run: the key points at its run in vmlinux, and keeps a
 * list of its runs in loaded modules.
 *
 * An update asks the architecture to check every place it will write
 * (the trampoline and each site) before it writes any, then hands them
 * all over as one batch: the CPUs synchronise once per update, not once
 * per site.  A place that does not hold what we expect stops the update
 * and nothing is written.
 *
 * Lock order: cpus_read_lock(), static_call_mutex, text_mutex.
 */
#include <kunit/visibility.h>
#include <linux/bug.h>
#include <linux/cpu.h>
#include <linux/init.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/static_call.h>
#include <asm/sections.h>

/* The most bytes a site's instruction spans; architectures may say less. */
#ifndef ARCH_STATIC_CALL_SITE_SIZE
#define ARCH_STATIC_CALL_SITE_SIZE	8
#endif

/* A key's run of sites in one module's table. */
struct static_call_mod {
	struct static_call_mod *next;
	struct module *mod;
	struct static_call_site *run;
	struct static_call_site *end;	/* of the module's table */
};

int static_call_initialized;
static bool static_call_reinit_wanted;
bool static_call_sorted_at_boot __ro_after_init;
static DEFINE_MUTEX(static_call_mutex);

static void *rel_to_abs(const s32 *field)
{
	return (void *)field + *field;
}

static void *site_addr(const struct static_call_site *site)
{
	return rel_to_abs(&site->addr);
}

static unsigned long site_key_word(const struct static_call_site *site)
{
	return (unsigned long)rel_to_abs(&site->key);
}

static struct static_call_key *site_key(const struct static_call_site *site)
{
	return (void *)(site_key_word(site) & ~STATIC_CALL_SITE_FLAGS);
}

static bool site_has(const struct static_call_site *site, unsigned long flag)
{
	return site_key_word(site) & flag;
}

static void site_set_key(struct static_call_site *site, void *key,
			 unsigned long flags)
{
	site->key = (long)key + flags - (long)&site->key;
}

/* Sites by key, then by address: a key's run is in ascending order. */
static int site_cmp(const void *a, const void *b)
{
	unsigned long ka = (unsigned long)site_key(a);
	unsigned long kb = (unsigned long)site_key(b);

	if (ka == kb) {
		ka = (unsigned long)site_addr(a);
		kb = (unsigned long)site_addr(b);
	}
	return ka < kb ? -1 : ka > kb;
}

/* Entries hold distances from themselves: moving one changes them. */
static void site_swap(void *a, void *b, int size)
{
	struct static_call_site *x = a, *y = b;
	struct static_call_site was_x = *x;
	long delta = (long)y - (long)x;

	x->addr = y->addr + delta;
	x->key = y->key + delta;
	y->addr = was_x.addr - delta;
	y->key = was_x.key - delta;
}

static bool sites_sorted(struct static_call_site *start,
			 struct static_call_site *stop)
{
	struct static_call_site *site;

	for (site = start; site + 1 < stop; site++)
		if (site_cmp(site, site + 1) > 0)
			return false;
	return true;
}

static bool in_init_text(void *addr, struct module *mod)
{
	if (mod)
		return within_module_init((unsigned long)addr, mod);
	return init_section_contains(addr, 1);
}

/* Init text goes away: after that its sites are never written. */
static bool site_alive(const struct static_call_site *site,
		       struct module *mod)
{
	if (!site_has(site, STATIC_CALL_SITE_INIT))
		return true;
	if (mod)
		return mod->state == MODULE_STATE_COMING;
	return system_state < SYSTEM_FREEING_INITMEM;
}

static struct static_call_key *tramp_to_key(void *tramp)
{
	struct static_call_tramp_key *tk;

	for (tk = __start_static_call_tramp_key;
	     tk < __stop_static_call_tramp_key; tk++)
		if (rel_to_abs(&tk->tramp) == tramp)
			return rel_to_abs(&tk->key);
	return NULL;
}

/*
 * A module given only a trampoline has sites naming the trampoline, not
 * the key: objtool could not see the key.  Name the key instead.
 */
static int resolve_tramp_site(struct static_call_site *site,
			      struct module *mod)
{
	void *named = site_key(site);
	struct static_call_key *key;

	if (named < (void *)__static_call_text_start ||
	    named >= (void *)__static_call_text_end)
		return 0;
	key = tramp_to_key(named);
	if (!key) {
		pr_err("static_call: %s calls %ps, exported without its key\n",
		       mod->name, named);
		return -EINVAL;
	}
	site_set_key(site, key, site_key_word(site) & STATIC_CALL_SITE_FLAGS);
	return 0;
}

/*
 * Sort by key unless the table is in order already, as vmlinux's is when
 * scripts/static_call_sorttable ran at link time.  Return whether it had
 * to sort.
 */
static bool sort_sites(struct static_call_site *start,
		       struct static_call_site *stop)
{
	if (sites_sorted(start, stop))
		return false;
	sort(start, stop - start, sizeof(*start), site_cmp, site_swap);
	return true;
}

/* Flag init sites and, in a module, name keys instead of trampolines. */
static int prepare_table(struct static_call_site *start,
			 struct static_call_site *stop, struct module *mod)
{
	struct static_call_site *site;
	int err;

	for (site = start; site < stop; site++) {
		if (mod) {
			err = resolve_tramp_site(site, mod);
			if (err)
				return err;
		}
		if (!site_has(site, STATIC_CALL_SITE_INIT) &&
		    in_init_text(site_addr(site), mod))
			site_set_key(site, site_key(site),
				     (site_key_word(site) & STATIC_CALL_SITE_FLAGS) |
				     STATIC_CALL_SITE_INIT);
	}
	return 0;
}

static struct static_call_site *run_end(struct static_call_site *run,
					struct static_call_site *end)
{
	struct static_call_key *key = site_key(run);

	while (run < end && site_key(run) == key)
		run++;
	return run;
}

/* What one update does at every place: check it, or write it. */
struct static_call_retarget {
	void *tramp;
	void *old;
	void *func;
	bool early;
};

static int check_site(struct static_call_site *site, void *ctx)
{
	const struct static_call_retarget *rt = ctx;

	return arch_static_call_validate(site_addr(site), rt->tramp, rt->old,
					 site_has(site, STATIC_CALL_SITE_TAIL));
}

static int queue_site(struct static_call_site *site, void *ctx)
{
	const struct static_call_retarget *rt = ctx;

	arch_static_call_queue(site_addr(site), rt->tramp, rt->func,
			       site_has(site, STATIC_CALL_SITE_TAIL), rt->early);
	return 0;
}

typedef int (*site_action_t)(struct static_call_site *site, void *ctx);

static int for_run(struct static_call_site *run, struct static_call_site *end,
		   struct module *mod, site_action_t action, void *ctx)
{
	struct static_call_site *stop = run_end(run, end);
	int err;

	for (; run < stop; run++) {
		if (!site_alive(run, mod))
			continue;
		err = action(run, ctx);
		if (err)
			return err;
	}
	return 0;
}

/* Apply @action to every live site of @key, stopping at an error. */
static int visit_key_sites(struct static_call_key *key, site_action_t action,
			   void *ctx)
{
	struct static_call_mod *m;
	int err = 0;

	if (key->sites)
		err = for_run(key->sites, __stop_static_call_sites, NULL,
			      action, ctx);
	for (m = key->mods; m && !err; m = m->next)
		err = for_run(m->run, m->end, m->mod, action, ctx);
	return err;
}

/*
 * Point the trampoline, and unless @sites is false every site, at
 * @func, in one batch.  Nothing is written unless every place checks.
 */
static int retarget_key(struct static_call_key *key, void *tramp, void *func,
			bool sites)
{
	struct static_call_retarget rt = {
		.tramp = tramp,
		.old = key->func,
		.func = func,
		.early = system_state == SYSTEM_BOOTING,
	};
	int err = 0;

	if (tramp)
		err = arch_static_call_validate(tramp, tramp, rt.old, true);
	if (!err && sites)
		err = visit_key_sites(key, check_site, &rt);
	if (err) {
		pr_err("static_call: %ps not retargeted from %ps to %ps\n",
		       key, rt.old, func);
		return err;
	}

	if (tramp)
		arch_static_call_queue(tramp, tramp, func, true, rt.early);
	if (sites)
		visit_key_sites(key, queue_site, &rt);
	arch_static_call_flush();
	WRITE_ONCE(key->func, func);
	return 0;
}

/**
 * __static_call_update - retarget a key and all its call sites
 * @key: the key
 * @tramp: its trampoline
 * @func: the new target, or NULL
 *
 * Use static_call_update(), which passes the right @key and @tramp.  If
 * any site or the trampoline does not hold what this code last wrote
 * there (or what the compiler emitted), the update is refused with an
 * error message, and the key and all its code stay as they were.
 */
void __static_call_update(struct static_call_key *key, void *tramp,
			  void *func)
{
	cpus_read_lock();
	mutex_lock(&static_call_mutex);
	mutex_lock(&text_mutex);

	/* Before static_call_init() the sites still call the trampoline. */
	if (key->func != func)
		retarget_key(key, tramp, func, static_call_initialized);

	mutex_unlock(&text_mutex);
	mutex_unlock(&static_call_mutex);
	cpus_read_unlock();
}
EXPORT_SYMBOL_GPL(__static_call_update);

/*
 * Apply @action to every live site of a table, for its key's current
 * target; stop at the first error.
 */
static int for_table(struct static_call_site *start,
		     struct static_call_site *stop, struct module *mod,
		     bool early, site_action_t action)
{
	struct static_call_retarget rt = { .early = early };
	struct static_call_site *site;
	int err;

	for (site = start; site < stop; site++) {
		if (!site_alive(site, mod))
			continue;
		rt.func = site_key(site)->func;
		rt.old = rt.func;
		err = action(site, &rt);
		if (err)
			return err;
	}
	return 0;
}

/* At boot a site that fails its check is left alone, the others patched. */
static int check_and_queue_site(struct static_call_site *site, void *ctx)
{
	if (!check_site(site, ctx))
		queue_site(site, ctx);
	return 0;
}

/* Add the module's run of each key it calls to that key's list. */
static int attach_module_runs(struct module *mod)
{
	struct static_call_site *start = mod->static_call_sites;
	struct static_call_site *end = start + mod->num_static_call_sites;
	struct static_call_site *run;
	struct static_call_mod *m;

	for (run = start; run < end; run = run_end(run, end)) {
		struct static_call_key *key = site_key(run);

		m = kzalloc(sizeof(*m), GFP_KERNEL);
		if (!m)
			return -ENOMEM;
		m->mod = mod;
		m->run = run;
		m->end = end;
		m->next = key->mods;
		key->mods = m;
	}
	return 0;
}

static void detach_module_runs(struct module *mod)
{
	struct static_call_site *start = mod->static_call_sites;
	struct static_call_site *end = start + mod->num_static_call_sites;
	struct static_call_site *run;

	for (run = start; run < end; run = run_end(run, end)) {
		struct static_call_mod **link = &site_key(run)->mods;

		while (*link && (*link)->mod != mod)
			link = &(*link)->next;
		if (*link) {
			struct static_call_mod *gone = *link;

			*link = gone->next;
			kfree(gone);
		}
	}
}

/*
 * A module whose table names a key we cannot find, or lists a site that
 * holds something unexpected, is refused: nothing of it is written, and
 * no key keeps a run of it.
 */
static int static_call_add_module(struct module *mod)
{
	struct static_call_site *start = mod->static_call_sites;
	struct static_call_site *stop = start + mod->num_static_call_sites;
	int err;

	/* Until it succeeds, a site may still name a trampoline, not a key. */
	err = prepare_table(start, stop, mod);
	if (err)
		return err;
	sort_sites(start, stop);
	err = attach_module_runs(mod);
	if (!err)
		err = for_table(start, stop, mod, false, check_site);
	if (err) {
		detach_module_runs(mod);
		return err;
	}
	/*
	 * Nothing runs the module's code yet, but its text is read-only
	 * already: write it the usual way, one batch for the module.
	 */
	for_table(start, stop, mod, false, queue_site);
	arch_static_call_flush();
	return 0;
}

static int static_call_module_notify(struct notifier_block *nb,
				     unsigned long state, void *data)
{
	struct module *mod = data;
	int err = 0;

	if (state != MODULE_STATE_COMING && state != MODULE_STATE_GOING)
		return NOTIFY_DONE;

	cpus_read_lock();
	mutex_lock(&static_call_mutex);
	mutex_lock(&text_mutex);
	if (state == MODULE_STATE_COMING)
		err = static_call_add_module(mod);
	else
		detach_module_runs(mod);
	mutex_unlock(&text_mutex);
	mutex_unlock(&static_call_mutex);
	cpus_read_unlock();

	if (err)
		pr_warn("static_call: cannot load %s: %d\n", mod->name, err);
	return notifier_from_errno(err);
}

static struct notifier_block static_call_module_nb = {
	.notifier_call = static_call_module_notify,
};

/* Point each key at its run of the (now sorted) vmlinux table. */
static void attach_vmlinux_runs(void)
{
	struct static_call_site *run;

	for (run = __start_static_call_sites; run < __stop_static_call_sites;
	     run = run_end(run, __stop_static_call_sites))
		site_key(run)->sites = run;
}

/**
 * static_call_init - patch every call site of vmlinux
 *
 * Architectures that use static calls during setup call this early; it
 * also runs as an early initcall, where it does nothing unless
 * static_call_force_reinit() asked for another pass.
 *
 * Return: 0
 */
int __init static_call_init(void)
{
	if (static_call_initialized && !static_call_reinit_wanted)
		return 0;

	cpus_read_lock();
	mutex_lock(&static_call_mutex);
	mutex_lock(&text_mutex);
	if (!static_call_initialized) {
		prepare_table(__start_static_call_sites,
			      __stop_static_call_sites, NULL);
		static_call_sorted_at_boot =
			sort_sites(__start_static_call_sites,
				   __stop_static_call_sites);
		attach_vmlinux_runs();
	}
	for_table(__start_static_call_sites, __stop_static_call_sites, NULL,
		  system_state == SYSTEM_BOOTING, check_and_queue_site);
	arch_static_call_flush();
	mutex_unlock(&text_mutex);
	mutex_unlock(&static_call_mutex);
	cpus_read_unlock();

	if (!static_call_initialized && IS_ENABLED(CONFIG_MODULES))
		register_module_notifier(&static_call_module_nb);
	static_call_initialized = 1;
	static_call_reinit_wanted = false;
	return 0;
}
early_initcall(static_call_init);

/**
 * static_call_force_reinit - have the early initcall patch all sites again
 *
 * For architecture code that changes, after the first static_call_init(),
 * what the instructions written at sites must be (x86: return thunks and
 * call depth tracking decided by alternatives).  Only effective before
 * early initcalls run.
 */
void static_call_force_reinit(void)
{
	if (WARN_ON_ONCE(!static_call_initialized))
		return;
	static_call_reinit_wanted = true;
}

static bool site_overlaps(const struct static_call_site *site, void *start,
			  void *end)
{
	void *addr = site_addr(site);

	return addr <= end && addr + ARCH_STATIC_CALL_SITE_SIZE > start;
}

static int table_reserves(struct static_call_site *start,
			  struct static_call_site *stop, struct module *mod,
			  void *first, void *last)
{
	struct static_call_site *site;

	for (site = start; site < stop; site++)
		if (site_alive(site, mod) && site_overlaps(site, first, last))
			return 1;
	return 0;
}

/**
 * static_call_text_reserved - does a range of text hold a static call site?
 * @start: first byte of the range
 * @end: last byte of the range
 *
 * For kprobes, which must not put a probe where a site is rewritten.
 *
 * Return: 1 if a live site overlaps [@start, @end], else 0.
 */
int static_call_text_reserved(void *start, void *end)
{
	struct module *mod;
	int ret;

	if (table_reserves(__start_static_call_sites, __stop_static_call_sites,
			   NULL, start, end))
		return 1;

	preempt_disable();
	mod = __module_text_address((unsigned long)start);
	if (mod && !try_module_get(mod))
		mod = NULL;
	preempt_enable();
	if (!mod)
		return 0;

	ret = table_reserves(mod->static_call_sites,
			     mod->static_call_sites + mod->num_static_call_sites,
			     mod, start, end);
	module_put(mod);
	return ret;
}

struct site_visit {
	int (*fn)(void *addr, bool tail, void *arg);
	void *arg;
};

static int visit_site(struct static_call_site *site, void *ctx)
{
	const struct site_visit *v = ctx;

	return v->fn(site_addr(site), site_has(site, STATIC_CALL_SITE_TAIL),
		     v->arg);
}

/**
 * static_call_visit_sites - call @fn for every live call site of @key
 * @key: the key
 * @fn: called with the site's address and whether it is a tail call
 * @arg: passed to @fn
 *
 * For tests that look at what was written.  Holds the lock that orders
 * updates, so @fn must not update static calls.
 *
 * Return: the first non-zero value @fn returned, or 0.
 */
int static_call_visit_sites(struct static_call_key *key,
			    int (*fn)(void *addr, bool tail, void *arg),
			    void *arg)
{
	struct site_visit v = { .fn = fn, .arg = arg };
	int ret;

	mutex_lock(&static_call_mutex);
	ret = visit_key_sites(key, visit_site, &v);
	mutex_unlock(&static_call_mutex);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(static_call_visit_sites);
