// SPDX-License-Identifier: GPL-2.0
/*
 * What every static call implementation has: __static_call_return0();
 * the list of every key, so that a key still aimed at a module that goes
 * away is caught; and where static calls are patched, the update of a
 * key: check each place it reaches, queue the new code, flush the batch.
 * Out of line the trampoline is the only place; inline static calls add
 * the call sites (kernel/static_call_inline.c).
 */
#include <linux/bug.h>
#include <linux/cpu.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kallsyms.h>
#include <linux/list.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/static_call.h>
#include <linux/string.h>
#include <asm/sections.h>

#include "static_call_internal.h"

/*
 * Built for every architecture, so that the function has one address
 * that static_call_query() can be compared with, even where static
 * calls are plain function pointers.
 */
long __static_call_return0(void)
{
	return 0;
}
EXPORT_SYMBOL_GPL(__static_call_return0);

/*
 * Keeps the list of modules below and the site lists of keys stable, and
 * where static calls are patched, orders updates.
 */
DEFINE_MUTEX(static_call_mutex);

#ifndef CONFIG_HAVE_STATIC_CALL
/* Nothing is patched: the mutex only keeps the list of modules stable. */
void static_call_lock(void)
{
	mutex_lock(&static_call_mutex);
}

void static_call_unlock(void)
{
	mutex_unlock(&static_call_mutex);
}
#else

/*
 * Zero until static_call_init(): before that, only the lock-free
 * static_call_update_early() may write a trampoline, and inline call
 * sites still call their trampolines.
 */
int static_call_initialized;

/*
 * Lock order: cpus_read_lock(), static_call_mutex, text_mutex.  CPU
 * hotplug is held off because a CPU coming up must not miss the
 * synchronisation that ends a batch.
 */
void static_call_lock(void)
{
	cpus_read_lock();
	mutex_lock(&static_call_mutex);
	mutex_lock(&text_mutex);
}

void static_call_unlock(void)
{
	mutex_unlock(&text_mutex);
	mutex_unlock(&static_call_mutex);
	cpus_read_unlock();
}

/*
 * Retarget one place, or leave it as found.  A place that holds neither
 * what reaches the old target nor the compiler's branch to the
 * trampoline reaches nothing this key ever targeted: leaving it does not
 * keep anyone calling the old target, and writing it would overwrite
 * code we do not understand.  It is reported (the architecture has said
 * what it found and what it expected), the kernel tainted, and the rest
 * of the update goes on, so that callers who free the old target after
 * the update (tracepoint probes, BPF dispatcher images, a module's
 * functions) stay safe.
 */
void static_call_retarget_place(const struct static_call_place *place,
				const struct static_call_retarget *rt)
{
	if (!arch_static_call_validate(place, rt->old)) {
		arch_static_call_queue(place, rt->func);
		return;
	}
	WARN(1, "static_call: %ps: %s %pS left as found, not retargeted from %ps to %ps\n",
	     rt->key, place->kind == STATIC_CALL_PLACE_TRAMP ?
	     "trampoline" : "site", place->addr, rt->old, rt->func);
}

/*
 * Point the trampoline and every live site at @func, in one batch.  The
 * places are queued in ascending address order where the layout allows
 * (vmlinux's sites, its trampolines, then modules), because a batch is
 * written out early at a place below the previous one.
 */
static void retarget_key(struct static_call_key *key, void *tramp,
			 void *func)
{
	const struct static_call_retarget rt = {
		.key = key,
		.old = key->func,
		.func = func,
	};
	const struct static_call_place place = {
		.addr = tramp,
		.tramp = tramp,
		.kind = STATIC_CALL_PLACE_TRAMP,
	};

	lockdep_assert_cpus_held();
	lockdep_assert_held(&static_call_mutex);
	lockdep_assert_held(&text_mutex);
	/* Before static_call_init() the sites still call the trampoline. */
	if (static_call_initialized)
		static_call_retarget_vmlinux_sites(&rt, tramp);
	if (tramp)
		static_call_retarget_place(&place, &rt);
	if (static_call_initialized)
		static_call_retarget_module_sites(&rt, tramp);
	arch_static_call_flush();
	WRITE_ONCE(key->func, func);
}

/* Retarget a key, with the locks an update takes held. */
static void retarget_locked(struct static_call_key *key, void *tramp,
			    void *func)
{
	if (key->func != func)
		retarget_key(key, tramp, func);
}

/**
 * __static_call_update - retarget a key, its trampoline and its call sites
 * @key: the key
 * @tramp: its trampoline
 * @func: the new target, or NULL
 *
 * Use static_call_update(), which passes the right @key and @tramp.  When
 * it returns, no place that reached the old target does any more.  A
 * place that holds neither what this code last wrote there nor what the
 * compiler emitted is left as found, with a warning (which taints the
 * kernel) naming the key and the place.
 */
void __static_call_update(struct static_call_key *key, void *tramp,
			  void *func)
{
	guard(static_call)();
	retarget_locked(key, tramp, func);
}
EXPORT_SYMBOL_GPL(__static_call_update);

/**
 * static_call_tramp_text_reserved - does a range of text hold a trampoline?
 * @start: first byte of the range
 * @end: last byte of the range
 *
 * A kprobe's breakpoint in a trampoline would hide, from the next update,
 * which target the trampoline reaches.  Architectures that keep their
 * trampolines in .static_call.text say so with
 * ARCH_STATIC_CALL_TEXT_SECTION.
 *
 * Return: whether [@start, @end] overlaps vmlinux's trampolines.
 */
bool static_call_tramp_text_reserved(void *start, void *end)
{
#ifdef ARCH_STATIC_CALL_TEXT_SECTION
	return start < (void *)__static_call_text_end &&
	       end >= (void *)__static_call_text_start;
#else
	return false;
#endif
}
#endif

#if defined(CONFIG_HAVE_STATIC_CALL) && !defined(CONFIG_HAVE_STATIC_CALL_INLINE)

/**
 * static_call_init - allow locked updates from now on
 *
 * Out of line there are no sites to find: this only ends the time when
 * static_call_update_early() may write a trampoline without a lock.
 * Called from setup_arch() or start_kernel(), once the locks an update
 * takes can be taken.
 *
 * Return: 0
 */
int __init static_call_init(void)
{
	static_call_initialized = 1;
	return 0;
}

/**
 * static_call_text_reserved - does a range of text hold a trampoline?
 * @start: first byte of the range
 * @end: last byte of the range
 *
 * For kprobes.  Out of line, trampolines are the only code rewritten.
 *
 * Return: 1 if [@start, @end] overlaps a trampoline, else 0.
 */
int static_call_text_reserved(void *start, void *end)
{
	return static_call_tramp_text_reserved(start, end);
}

#endif

#ifdef CONFIG_MODULES

static void visit_entries(const struct static_call_key_entry *start,
			  const struct static_call_key_entry *stop,
			  struct module *owner,
			  static_call_key_action_t action, void *arg)
{
	const struct static_call_key_entry *e;

	for (e = start; e < stop; e++)
		action(e, owner, arg);
}

/*
 * A live module that defines keys or has call sites: where keys are found
 * besides vmlinux, and what a key's list of module sites may name.
 * Changed and read under static_call_mutex.
 */
struct static_call_module {
	struct list_head list;
	struct module *mod;
};

static LIST_HEAD(static_call_modules);

static struct static_call_module *known_module(struct module *mod)
{
	struct static_call_module *m;

	list_for_each_entry(m, &static_call_modules, list)
		if (m->mod == mod)
			return m;
	return NULL;
}

/**
 * static_call_module_known - is a module in the list of modules static calls follow?
 * @mod: the module
 *
 * Call with static_call_mutex held.
 *
 * Return: whether @mod is between a successful MODULE_STATE_COMING and
 * its MODULE_STATE_GOING, and has keys or call sites.
 */
bool static_call_module_known(struct module *mod)
{
	lockdep_assert_held(&static_call_mutex);
	return known_module(mod);
}

/**
 * static_call_visit_keys - apply @action to every key there is
 * @skip: a module whose keys to leave out, or NULL
 * @action: called with each key's entry and the module that defines it
 * @arg: passed to @action
 *
 * The keys of vmlinux, then those of each module static calls follow.
 * Call with static_call_mutex held.
 */
void static_call_visit_keys(struct module *skip,
			    static_call_key_action_t action, void *arg)
{
	struct static_call_module *m;

	lockdep_assert_held(&static_call_mutex);
	visit_entries(__start_static_call_keys, __stop_static_call_keys,
		      NULL, action, arg);
	list_for_each_entry(m, &static_call_modules, list)
		if (m->mod != skip)
			visit_entries(m->mod->static_call_keys,
				      m->mod->static_call_keys +
				      m->mod->num_static_call_keys,
				      m->mod, action, arg);
}

/*
 * static_call_name - the static call's name, as its DEFINE_STATIC_CALL()
 * spelled it, and a module's key's module in brackets, as %ps shows a
 * module's symbol.  Not the key's own symbol: kallsyms knows data only
 * with CONFIG_KALLSYMS_ALL, and names an address by the first symbol it
 * finds there, which for a module's first .data object is one of the
 * empty __start_alloc_tags and __stop_alloc_tags.  The buffer is
 * static_call_mutex's: a notifier's stack is no place for it.
 */
#ifdef CONFIG_HAVE_STATIC_CALL
/* The trampoline is text: kallsyms names it __SCT__<name> [<module>]. */
const char *static_call_name(const struct static_call_key_entry *e,
			     struct module *owner)
{
	static char name[KSYM_SYMBOL_LEN];

	lockdep_assert_held(&static_call_mutex);
	snprintf(name, sizeof(name), "%ps", e->tramp);
	return name + str_has_prefix(name, STATIC_CALL_TRAMP_PREFIX_STR);
}

/* Updates take static_call_mutex, which the caller holds: @old stays. */
static bool retarget_from(const struct static_call_key_entry *e,
			  void **old, void *func)
{
	retarget_locked(e->key, e->tramp, func);
	return true;
}
#else
/* Without trampolines, the entry keeps the name. */
const char *static_call_name(const struct static_call_key_entry *e,
			     struct module *owner)
{
	static char name[KSYM_SYMBOL_LEN];

	lockdep_assert_held(&static_call_mutex);
	if (!owner)
		return e->name;
	snprintf(name, sizeof(name), "%s [%s]", e->name, owner->name);
	return name;
}

/*
 * Nothing is patched, and an update is a store to key.func that takes no
 * lock: retarget only if no update came in since @old was read, else
 * give the caller what it stored, to judge again.
 */
static bool retarget_from(const struct static_call_key_entry *e,
			  void **old, void *func)
{
	return try_cmpxchg(&e->key->func, old, func);
}
#endif

/*
 * A key still aimed at a module that goes away would send its next caller
 * into freed memory, and one aimed at a module's init code would do the
 * same once the module is running.  The key is retargeted to
 * __static_call_return0, which any key may target, and which makes a
 * static_call_cond() key's calls do nothing, as NULL would, without
 * making static_call() of a key that may not be NULL call through NULL.
 * It does not undo the bug: calls already in flight are not covered, and
 * whoever left the key there (a tracepoint probe never unregistered, say)
 * may set it again.
 *
 * Each key is named, but with a line, not a warning: a subsystem may rely
 * on never calling its keys while the module is gone (KVM leaves its
 * kvm_x86_ops keys on the vendor module it unloads, and reloading the
 * module sets them again), and a splat per key would be a flood.
 */
#define STRAY_KEYS_NAMED 10

struct stray_keys {
	struct module *mod;
	bool init_only;		/* only the module's init code is freed */
	unsigned int keys;
};

static bool targets_freed_code(struct stray_keys *stray, void *func)
{
	/* Where a function pointer is a descriptor, the code it describes. */
	unsigned long addr = (unsigned long)dereference_function_descriptor(func);

	if (!func)
		return false;
	if (stray->init_only)
		return within_module_init(addr, stray->mod);
	return within_module(addr, stray->mod);
}

static void report_stray_key(const struct static_call_key_entry *e,
			     struct module *owner, void *func,
			     struct stray_keys *stray)
{
	if (stray->keys++ >= STRAY_KEYS_NAMED)
		return;
	pr_warn("static_call: %s still targets %ps of module %s, which is %s: retargeted to __static_call_return0\n",
		static_call_name(e, owner), func, stray->mod->name,
		stray->init_only ? "freeing its init code" : "going away");
}

static void retarget_if_stray(const struct static_call_key_entry *e,
			      struct module *owner, void *arg)
{
	struct stray_keys *stray = arg;
	void *func = READ_ONCE(e->key->func);

	do {
		if (!targets_freed_code(stray, func))
			return;
	} while (!retarget_from(e, &func, __static_call_return0));
	report_stray_key(e, owner, func, stray);
}

/*
 * Retarget the keys aimed at what @mod frees: all of it, or only its init
 * code (then its own keys count too: they outlive it).
 */
static void retarget_stray_keys(struct module *mod, bool init_only)
{
	struct stray_keys stray = { .mod = mod, .init_only = init_only };

	static_call_visit_keys(init_only ? NULL : mod, retarget_if_stray,
			       &stray);
	if (stray.keys > STRAY_KEYS_NAMED)
		pr_warn("static_call: %u keys in all were retargeted from module %s to __static_call_return0\n",
			stray.keys, mod->name);
}

static int static_call_module_coming(struct module *mod)
{
	struct static_call_module *m;
	int err;

	if (!mod->num_static_call_keys && !static_call_module_has_sites(mod))
		return 0;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->mod = mod;
	err = static_call_add_module(mod);
	if (err) {
		kfree(m);
		static_call_audit_module_runs(mod);
		return err;
	}
	list_add_tail(&m->list, &static_call_modules);
	return 0;
}

static void static_call_module_going(struct module *mod)
{
	struct static_call_module *m = known_module(mod);

	/* Its sites are not rewritten on the way out: nothing will run them. */
	static_call_del_module(mod);
	retarget_stray_keys(mod, false);
	if (m) {
		list_del(&m->list);
		kfree(m);
	}
	static_call_audit_module_runs(mod);
}

static int static_call_module_notify(struct notifier_block *nb,
				     unsigned long state, void *data)
{
	struct module *mod = data;
	int err = 0;

	scoped_guard(static_call) {
		switch (state) {
		case MODULE_STATE_COMING:
			err = static_call_module_coming(mod);
			break;
		case MODULE_STATE_LIVE:
			/* Its init code is about to be freed. */
			retarget_stray_keys(mod, true);
			break;
		case MODULE_STATE_GOING:
			static_call_module_going(mod);
			break;
		}
	}

	if (err)
		pr_warn("static_call: cannot load %s: %d\n", mod->name, err);
	return notifier_from_errno(err);
}

static struct notifier_block static_call_module_nb = {
	.notifier_call = static_call_module_notify,
};

/* Modules load long after early initcalls, and inline sites are sorted. */
static int __init static_call_follow_modules(void)
{
	return register_module_notifier(&static_call_module_nb);
}
early_initcall(static_call_follow_modules);

#endif /* CONFIG_MODULES */
