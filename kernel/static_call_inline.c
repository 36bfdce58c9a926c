// SPDX-License-Identifier: GPL-2.0
/*
 * Inline static calls: keep every call site of a key branching straight
 * to the key's target.
 *
 * objtool (or scripts/static_call_sites, where the architecture has no
 * objtool) lists the sites in .static_call_sites, one table for vmlinux
 * and one per module.  Each table is sorted by key once, so that a key's
 * sites form one run: the key points at its run in vmlinux, and keeps a
 * list of its runs in loaded modules.
 *
 * An update asks the architecture to check each place it will write (the
 * trampoline and each site) and queues those that hold what we expect;
 * the queue is written in batches, not site by site (x86 writes a batch
 * out early when it fills up or a place comes below the previous one).
 * A place that does not hold what we expect is never written: see
 * static_call_retarget_place() for what happens to the update then.
 */
#include <kunit/visibility.h>
#include <linux/bug.h>
#include <linux/cpu.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/static_call.h>
#include <linux/static_call_kunit.h>
#include <asm/sections.h>

#include "static_call_internal.h"

/* A key's run of sites in one module's table. */
struct static_call_mod {
	struct static_call_mod *next;
	struct module *mod;
	struct static_call_site *run;
	struct static_call_site *end;	/* of the module's table */
};

static bool static_call_reinit_wanted;

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

#ifdef CONFIG_MODULES
/* Module init text lives until the module's init function has run. */
static bool module_site_alive(unsigned long addr, struct module *mod)
{
	if (within_module_mem_type(addr, mod, MOD_TEXT))
		return true;
	return within_module_mem_type(addr, mod, MOD_INIT_TEXT) &&
	       mod->state == MODULE_STATE_COMING;
}
#else
static bool module_site_alive(unsigned long addr, struct module *mod)
{
	return false;
}
#endif

/*
 * Only sites in text that can run are ever written.  In vmlinux that is
 * .text, and .init.text until it is freed; a built-in __exit function
 * never runs, and its text is neither of them.
 */
static bool site_alive(const struct static_call_site *site,
		       struct module *mod)
{
	unsigned long addr = (unsigned long)site_addr(site);

	if (mod)
		return module_site_alive(addr, mod);
	return core_kernel_text(addr);
}

#ifdef CONFIG_MODULES
static void site_set_key(struct static_call_site *site, void *key,
			 unsigned long flags)
{
	site->key = (long)key + flags - (long)&site->key;
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
 * the key: objtool could not see the key.  Name the key instead.  Only
 * vmlinux records which key a trampoline belongs to, so a trampoline
 * anywhere else (another module's, or this one's) is refused.
 */
static int resolve_tramp_site(struct static_call_site *site,
			      struct module *mod)
{
	void *named = site_key(site);
	struct static_call_key *key;

	/* A key is data; anything in text is a trampoline. */
	if (!kernel_text_address((unsigned long)named))
		return 0;
	key = tramp_to_key(named);
	if (!key) {
		pr_err("static_call: %s calls %ps, %s trampoline exported without its key\n",
		       mod->name, named,
		       core_kernel_text((unsigned long)named) ? "a" : "a module's");
		return -EINVAL;
	}
	site_set_key(site, key, site_key_word(site) & STATIC_CALL_SITE_FLAGS);
	return 0;
}

static int resolve_tramp_sites(struct static_call_site *start,
			       struct static_call_site *stop,
			       struct module *mod)
{
	struct static_call_site *site;
	int err;

	for (site = start; site < stop; site++) {
		err = resolve_tramp_site(site, mod);
		if (err)
			return err;
	}
	return 0;
}
#endif

/*
 * The build lists sites in the order it meets them; sort by key so that a
 * key's sites form one run.
 */
static void sort_sites(struct static_call_site *start,
		       struct static_call_site *stop)
{
	sort(start, stop - start, sizeof(*start), site_cmp, site_swap);
}

static struct static_call_site *run_end(struct static_call_site *run,
					struct static_call_site *end)
{
	struct static_call_key *key = site_key(run);

	while (run < end && site_key(run) == key)
		run++;
	return run;
}

/* What a site is to the architecture, for an update of @tramp's key. */
static struct static_call_place
site_place(const struct static_call_site *site, void *tramp)
{
	struct static_call_place place = {
		.addr = site_addr(site),
		.tramp = tramp,
		.kind = site_has(site, STATIC_CALL_SITE_TAIL) ?
			STATIC_CALL_PLACE_TAIL : STATIC_CALL_PLACE_CALL,
	};

	return place;
}

/* An update, and the trampoline of its key (NULL: not known). */
struct site_update {
	struct static_call_retarget rt;
	void *tramp;
};

static int retarget_site(struct static_call_site *site, void *ctx)
{
	const struct site_update *u = ctx;
	const struct static_call_place place = site_place(site, u->tramp);

	static_call_retarget_place(&place, &u->rt);
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

static int visit_vmlinux_sites(struct static_call_key *key,
			       site_action_t action, void *ctx)
{
	if (!key->sites)
		return 0;
	return for_run(key->sites, __stop_static_call_sites, NULL, action, ctx);
}

static int visit_module_sites(struct static_call_key *key,
			      site_action_t action, void *ctx)
{
	struct static_call_mod *m;
	int err = 0;

	for (m = key->mods; m && !err; m = m->next)
		err = for_run(m->run, m->end, m->mod, action, ctx);
	return err;
}

/* Queue every live site of the key @rt updates in vmlinux. */
void static_call_retarget_vmlinux_sites(const struct static_call_retarget *rt,
					void *tramp)
{
	struct site_update u = { .rt = *rt, .tramp = tramp };

	visit_vmlinux_sites(rt->key, retarget_site, &u);
}

/* Queue every live site of the key @rt updates in loaded modules. */
void static_call_retarget_module_sites(const struct static_call_retarget *rt,
				       void *tramp)
{
	struct site_update u = { .rt = *rt, .tramp = tramp };

	visit_module_sites(rt->key, retarget_site, &u);
}

/*
 * Apply @action to every live site of a table, for its key's current
 * target; stop at the first error.
 */
static int for_table(struct static_call_site *start,
		     struct static_call_site *stop, struct module *mod,
		     site_action_t action)
{
	struct site_update u = { };
	struct static_call_site *site;
	int err;

	for (site = start; site < stop; site++) {
		if (!site_alive(site, mod))
			continue;
		u.rt.key = site_key(site);
		u.rt.func = u.rt.key->func;
		u.rt.old = u.rt.func;
		err = action(site, &u);
		if (err)
			return err;
	}
	return 0;
}

#ifdef CONFIG_MODULES
static int check_site(struct static_call_site *site, void *ctx)
{
	const struct site_update *u = ctx;
	const struct static_call_place place = site_place(site, u->tramp);

	return arch_static_call_validate(&place, u->rt.old);
}

static int queue_site(struct static_call_site *site, void *ctx)
{
	const struct site_update *u = ctx;
	const struct static_call_place place = site_place(site, u->tramp);

	arch_static_call_queue(&place, u->rt.func);
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

/**
 * static_call_del_module - forget the call sites of a module
 * @mod: the module, going away or failing to load
 *
 * Called with the static call locks held.
 */
void static_call_del_module(struct module *mod)
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

/**
 * static_call_add_module - patch the call sites of a module coming in
 * @mod: the module
 *
 * A module whose table names a key we cannot find, or lists a site that
 * holds something unexpected, is refused: nothing of it is written, and
 * no key keeps a run of it.  Called with the static call locks held.
 *
 * Return: 0, or the error that refuses the module.
 */
int static_call_add_module(struct module *mod)
{
	struct static_call_site *start = mod->static_call_sites;
	struct static_call_site *stop = start + mod->num_static_call_sites;
	int err;

	/* Until it succeeds, a site may still name a trampoline, not a key. */
	err = resolve_tramp_sites(start, stop, mod);
	if (err)
		return err;
	sort_sites(start, stop);
	err = attach_module_runs(mod);
	if (!err)
		err = for_table(start, stop, mod, check_site);
	if (err) {
		static_call_del_module(mod);
		return err;
	}
	/*
	 * Nothing runs the module's code yet, but its text is read-only
	 * already: write it the usual way, one batch for the module.
	 */
	for_table(start, stop, mod, queue_site);
	arch_static_call_flush();
	return 0;
}

bool static_call_module_has_sites(struct module *mod)
{
	return mod->num_static_call_sites;
}

#ifdef CONFIG_DEBUG_STATIC_CALL
struct audit {
	struct module *gone;
	unsigned int problems;
};

static void audit_key(const struct static_call_key_entry *e,
		      struct module *owner, void *arg)
{
	struct audit *a = arg;
	struct static_call_mod *m;

	for (m = e->key->mods; m; m = m->next) {
		if (m->mod == a->gone)
			pr_err("static_call: %s keeps call sites of %s, which is gone\n",
			       static_call_name(e, owner), a->gone->name);
		else if (!static_call_module_known(m->mod))
			pr_err("static_call: %s keeps call sites of a module that is not loaded (%p)\n",
			       static_call_name(e, owner), m->mod);
		else if (site_key(m->run) != e->key)
			pr_err("static_call: %s keeps call sites of %ps in %s\n",
			       static_call_name(e, owner), site_key(m->run),
			       m->mod->name);
		else
			continue;
		a->problems++;
	}
}

/**
 * static_call_audit_module_runs - check what keys keep of modules
 * @gone: a module that just went away or failed to load
 *
 * With CONFIG_DEBUG_STATIC_CALL, after every module that failed to load
 * or went away: no key may keep call sites of @gone, and every run of
 * module sites a key keeps must be its own, in a live module.  A run left
 * behind would be written into freed memory by the key's next update.
 * Each problem is a line; one warning says there were any.  Called with
 * the static call locks held.
 */
void static_call_audit_module_runs(struct module *gone)
{
	struct audit a = { .gone = gone };

	static_call_visit_keys(NULL, audit_key, &a);
	WARN(a.problems, "static_call: %u runs of module call sites left behind after %s\n",
	     a.problems, gone->name);
}
#endif /* CONFIG_DEBUG_STATIC_CALL */
#endif /* CONFIG_MODULES */

/* Point each key at its run of the (now sorted) vmlinux table. */
static void __init attach_vmlinux_runs(void)
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
 * static_call_force_reinit() asked for another pass.  A site that does
 * not hold what the compiler emitted is left as found, with a warning.
 *
 * Return: 0
 */
int __init static_call_init(void)
{
	if (static_call_initialized && !static_call_reinit_wanted)
		return 0;

	scoped_guard(static_call) {
		if (!static_call_initialized) {
			sort_sites(__start_static_call_sites,
				   __stop_static_call_sites);
			attach_vmlinux_runs();
		}
		for_table(__start_static_call_sites, __stop_static_call_sites,
			  NULL, retarget_site);
		arch_static_call_flush();
	}

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
	const struct static_call_place place = site_place(site, NULL);
	int size = arch_static_call_site_size(&place);

	return place.addr <= end && place.addr + size > start;
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

#ifdef CONFIG_MODULES
static int module_text_reserved(void *start, void *end)
{
	struct module *mod;
	int ret;

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
#else
static int module_text_reserved(void *start, void *end)
{
	return 0;
}
#endif

/**
 * static_call_text_reserved - does a range of text hold a site or a trampoline?
 * @start: first byte of the range
 * @end: last byte of the range
 *
 * For kprobes, which must not put a probe where code is rewritten.
 *
 * Return: 1 if a live site or a trampoline overlaps [@start, @end], else 0.
 */
int static_call_text_reserved(void *start, void *end)
{
	if (static_call_tramp_text_reserved(start, end))
		return 1;
	if (table_reserves(__start_static_call_sites, __stop_static_call_sites,
			   NULL, start, end))
		return 1;
	return module_text_reserved(start, end);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Apply @action to every live site of @key, stopping at an error. */
static int visit_key_sites(struct static_call_key *key, site_action_t action,
			   void *ctx)
{
	return visit_vmlinux_sites(key, action, ctx) ?:
	       visit_module_sites(key, action, ctx);
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
 * For tests that look at what was written.  Holds the mutex that orders
 * updates (not text_mutex, which @fn may take), so @fn must not update
 * static calls, and must return rather than end its thread (no KUnit
 * assertion in it), or the mutex stays held.
 *
 * Return: the first non-zero value @fn returned, or 0.
 */
int static_call_visit_sites(struct static_call_key *key,
			    int (*fn)(void *addr, bool tail, void *arg),
			    void *arg)
{
	struct site_visit v = { .fn = fn, .arg = arg };

	/* Not text_mutex: @fn may take it to read what a site holds. */
	guard(mutex)(&static_call_mutex);
	return visit_key_sites(key, visit_site, &v);
}
EXPORT_SYMBOL_IF_KUNIT(static_call_visit_sites);
#endif /* CONFIG_KUNIT */
