// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit powerpc static calls are out of line: an update rewrites the
 * trampoline's entry (see asm/static_call.h), and for a target out of
 * branch range also its far word.
 *
 *	target				entry		far word
 *	function within range		b func		left alone
 *	function out of range		nop		func
 *	NULL				blr		left alone
 *	__static_call_return0		b +20		left alone
 *
 * Each write is one aligned word, so a CPU sees the old or the new one.
 * Going out of range, the far word is written before the entry becomes
 * the nop that leads to it; between two far targets only the far word
 * changes.  Either way a CPU finds the old target or the new one, never
 * a half-written one.
 */
#include <linux/bug.h>
#include <linux/memory.h>
#include <linux/panic.h>
#include <linux/static_call.h>

#include <asm/code-patching.h>

static u32 *far_word(u32 *tramp)
{
	return (void *)tramp + PPC_SCT_FAR;
}

static bool in_branch_range(u32 *tramp, void *func)
{
	return is_offset_in_branch_range((long)func - (long)tramp);
}

/* The entry for @func; a nop sends the CPU to the far word. */
static ppc_inst_t entry_for(u32 *tramp, void *func)
{
	ppc_inst_t insn;

	if (!func)
		return ppc_inst(PPC_RAW_BLR());
	if (func == __static_call_return0)
		func = (void *)tramp + PPC_SCT_RET0;
	if (create_branch(&insn, tramp, (unsigned long)func, 0))
		return ppc_inst(PPC_RAW_NOP());
	return insn;
}

/* The far path and the return-0 tail, which are never rewritten. */
static bool is_tramp(u32 *tramp)
{
	unsigned long far = (unsigned long)far_word(tramp);
	u32 body[] = {
		PPC_RAW_LIS(12, PPC_HA(far)),
		PPC_RAW_LWZ(12, 12, PPC_LO(far)),
		PPC_RAW_MTCTR(12),
		PPC_RAW_BCTR(),
		PPC_RAW_LI(3, 0),
		PPC_RAW_BLR(),
	};

	return !memcmp(tramp + 1, body, sizeof(body));
}

/* Does the trampoline reach @old, directly or through the far word? */
static bool reaches(u32 *tramp, void *old)
{
	ppc_inst_t entry = ppc_inst_read(tramp);

	if (ppc_inst_equal(entry, entry_for(tramp, old)) &&
	    (!old || old == __static_call_return0 ||
	     in_branch_range(tramp, old)))
		return true;
	/* The far path, as an update or a module's definition leaves it. */
	return old && ppc_inst_equal(entry, ppc_inst(PPC_RAW_NOP())) &&
	       READ_ONCE(*far_word(tramp)) == (unsigned long)old;
}

/* Out of line: the core hands us trampolines only. */
int arch_static_call_validate(const struct static_call_place *place,
			      void *old)
{
	u32 *tramp = place->addr;

	lockdep_assert_held(&text_mutex);

	if (place->kind != STATIC_CALL_PLACE_TRAMP || !is_tramp(tramp)) {
		pr_err("static_call: %pS is not a trampoline: %*ph\n",
		       tramp, PPC_SCT_SIZE, tramp);
		return -EINVAL;
	}
	if (reaches(tramp, old))
		return 0;
	pr_err("static_call: trampoline %pS holds %08x (far word %08x), expected %08x for %ps\n",
	       tramp, *(u32 *)tramp, *far_word(tramp),
	       ppc_inst_val(entry_for(tramp, old)), old);
	return -EINVAL;
}

/* A trampoline is written at once: there is nothing to batch. */
void arch_static_call_queue(const struct static_call_place *place,
			    void *func)
{
	u32 *tramp = place->addr;
	ppc_inst_t entry = entry_for(tramp, func);
	int err = 0;

	lockdep_assert_held(&text_mutex);

	if (func && !in_branch_range(tramp, func) &&
	    func != __static_call_return0)
		err = patch_u32(far_word(tramp), (unsigned long)func);
	if (!err && !ppc_inst_equal(ppc_inst_read(tramp), entry))
		err = patch_instruction(tramp, entry);
	/*
	 * A trampoline that cannot be written still reaches the old
	 * target, which its owner frees once the update returns.
	 */
	if (err)
		panic("static_call: cannot write trampoline %pS: %d\n", tramp,
		      err);
}

void arch_static_call_flush(void)
{
	lockdep_assert_held(&text_mutex);
}
