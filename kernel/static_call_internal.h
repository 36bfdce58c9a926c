/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KERNEL_STATIC_CALL_INTERNAL_H
#define _KERNEL_STATIC_CALL_INTERNAL_H

/*
 * Shared by kernel/static_call.c, which updates trampolines and follows
 * modules, and kernel/static_call_inline.c, which adds the call sites.
 */

#include <linux/cleanup.h>
#include <linux/mutex.h>
#include <linux/static_call.h>

struct module;

extern struct mutex static_call_mutex;

void static_call_lock(void);
void static_call_unlock(void);
DEFINE_LOCK_GUARD_0(static_call, static_call_lock(), static_call_unlock())

#ifdef CONFIG_HAVE_STATIC_CALL

/* One update: every place that reached @old is to reach @func. */
struct static_call_retarget {
	struct static_call_key *key;
	void *old;
	void *func;
};

void static_call_retarget_place(const struct static_call_place *place,
				const struct static_call_retarget *rt);
#endif

/* Bounds of vmlinux's .static_call_keys, from the linker script. */
extern const struct static_call_key_entry __start_static_call_keys[];
extern const struct static_call_key_entry __stop_static_call_keys[];

/* @owner: the module that defines the key, NULL for vmlinux. */
typedef void (*static_call_key_action_t)(const struct static_call_key_entry *e,
					 struct module *owner, void *arg);

bool static_call_module_known(struct module *mod);
const char *static_call_name(const struct static_call_key_entry *e,
			     struct module *owner);
void static_call_visit_keys(struct module *skip,
			    static_call_key_action_t action, void *arg);

#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
void static_call_retarget_vmlinux_sites(const struct static_call_retarget *rt,
					void *tramp);
void static_call_retarget_module_sites(const struct static_call_retarget *rt,
				       void *tramp);
int static_call_add_module(struct module *mod);
void static_call_del_module(struct module *mod);
bool static_call_module_has_sites(struct module *mod);
#else
#ifdef CONFIG_HAVE_STATIC_CALL
/* Out of line, the trampoline is the only place there is. */
static inline void
static_call_retarget_vmlinux_sites(const struct static_call_retarget *rt,
				   void *tramp)
{
}

static inline void
static_call_retarget_module_sites(const struct static_call_retarget *rt,
				  void *tramp)
{
}
#endif

static inline int static_call_add_module(struct module *mod)
{
	return 0;
}

static inline void static_call_del_module(struct module *mod)
{
}

static inline bool static_call_module_has_sites(struct module *mod)
{
	return false;
}
#endif /* CONFIG_HAVE_STATIC_CALL_INLINE */

#ifdef CONFIG_DEBUG_STATIC_CALL
void static_call_audit_module_runs(struct module *gone);
#else
static inline void static_call_audit_module_runs(struct module *gone)
{
}
#endif

#endif /* _KERNEL_STATIC_CALL_INTERNAL_H */
