// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 static calls: what trampolines and call sites hold, and how an
 * update rewrites them.
 *
 * A call site is a BL (a tail call: a B) that the compiler aimed at the
 * key's trampoline; scripts/static_call_sites listed it in the object's
 * .static_call_sites.  An update makes it, in order of preference:
 *
 *	BL target	the target is within the ±128 MiB of a BL
 *	NOP		NULL, at a call (a tail call keeps branching to the
 *			trampoline, which returns: after a NOP, the caller's
 *			next instruction would run)
 *	BL trampoline	the target is out of range (a module far away)
 *
 * A module site out of range of its trampoline was aimed by the module
 * loader at a PLT veneer that reaches the trampoline.  Such a site is
 * never rewritten: the veneer is the only way to the trampoline, and the
 * site would need a record of where it is to come back from a NOP or a
 * direct BL.  Its calls follow updates through the trampoline.
 *
 * So sites only ever change between BL (or B) and NOP, and trampolines
 * only in their slot, between B and NOP: the instructions the Arm ARM
 * allows to be rewritten while another CPU may be executing them, with
 * no stop_machine().  Each write cleans the line to the point of
 * unification and invalidates the I-cache there; the update ends with one
 * IPI to every CPU (kick_all_cpus_sync()), whose exception return is a
 * context synchronisation event: when it returns, no CPU can still fetch
 * an old instruction.  Until then a CPU may run either the old or the new
 * one, and both are right: the old target stays valid until the update
 * returns.
 *
 * The trampoline's literal is read by LDR while the slot is a NOP.  It
 * always holds the key's current target, also while the slot branches
 * directly or to NULL, and it is written before the slot.  The
 * interleavings that matter, for a CPU that runs the trampoline while
 * another updates it:
 *
 *  1. A CPU fetches the new NOP but its LDR still sees the old literal
 *     (nothing orders a data store against another CPU's instruction
 *     fetch): it calls the old target, which is still valid, since the
 *     update has not returned.  The IPI that ends the update leaves every
 *     CPU seeing both writes.
 *
 *  2. A CPU fetched an old NOP and was interrupted or preempted before
 *     its LDR; it may load the literal any number of updates later.  As
 *     the literal always holds the current target, it goes where the key
 *     points then, never to a target that an update already returned
 *     from.  A CPU between its LDR and its BR holds the target in x16:
 *     that is a call in progress, like a CPU already in the old function,
 *     which static_call_update() does not wait for either.
 *
 *  3. The literal is one naturally aligned 64-bit store, read by one
 *     64-bit LDR: single-copy atomic, so the LDR sees the old or the new
 *     address, never half of each.
 *
 * Sites have no literal: a BL is a single instruction.
 */
#include <linux/bug.h>
#include <linux/memory.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/smp.h>
#include <linux/static_call.h>
#include <linux/uaccess.h>
#include <asm/insn.h>
#include <asm/patching.h>

/* The trampoline's layout: see asm/static_call.h. */
#define TRAMP_SLOT	4
#define TRAMP_NULL	16
#define TRAMP_LITERAL	24
#define TRAMP_WORDS	6

/* Set by a write, cleared by the synchronisation that ends a batch. */
static bool static_call_batch_pending;

/* Can a B or BL at @pc reach @dest? */
static bool in_branch_range(const void *pc, const void *dest)
{
	long offset = (long)dest - (long)pc;

	return offset >= -SZ_128M && offset < SZ_128M;
}

static u32 gen_branch(const void *pc, const void *dest, bool link)
{
	return aarch64_insn_gen_branch_imm((unsigned long)pc,
					   (unsigned long)dest,
					   link ? AARCH64_INSN_BRANCH_LINK :
						  AARCH64_INSN_BRANCH_NOLINK);
}

/* The destination of the B (BL if @link) @insn at @pc, or NULL. */
static void *branch_dest(void *pc, u32 insn, bool link)
{
	if (link ? !aarch64_insn_is_bl(insn) : !aarch64_insn_is_b(insn))
		return NULL;
	return pc + aarch64_get_branch_offset(insn);
}

static bool read_words(void *addr, u32 *words, int n)
{
	__le32 raw[TRAMP_WORDS];
	int i;

	if (WARN_ON_ONCE(n > TRAMP_WORDS) ||
	    copy_from_kernel_nofault(raw, addr, n * sizeof(raw[0])))
		return false;
	for (i = 0; i < n; i++)
		words[i] = le32_to_cpu(raw[i]);
	return true;
}

/* The words that never change, slot and literal aside. */
static bool holds_tramp_frame(void *tramp, const u32 *w)
{
	u32 bti = aarch64_insn_gen_hint(AARCH64_INSN_HINT_BTIC);

	return w[0] == bti &&
	       w[2] == aarch64_insn_gen_load_literal((unsigned long)tramp + 8,
						     (unsigned long)tramp +
						     TRAMP_LITERAL,
						     AARCH64_INSN_REG_16,
						     true) &&
	       w[3] == aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_16,
						   AARCH64_INSN_BRANCH_NOLINK) &&
	       w[4] == bti &&
	       w[5] == aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_LR,
						   AARCH64_INSN_BRANCH_RETURN);
}

static bool is_tramp(void *addr)
{
	u32 w[TRAMP_WORDS];

	return IS_ALIGNED((unsigned long)addr, 8) &&
	       read_words(addr, w, TRAMP_WORDS) && holds_tramp_frame(addr, w);
}

/*
 * Where the veneer at @addr goes, or NULL if @addr holds none.  Module
 * PLT entries and GNU ld's long-branch stubs are ADRP x16, page; ADD x16,
 * x16, #offset; BR x16.  lld makes a stub that is in range of its target
 * a plain B, and may start a stub with BTI C.
 */
static void *veneer_dest(void *addr)
{
	u32 bti = aarch64_insn_gen_hint(AARCH64_INSN_HINT_BTIC);
	u32 w[3];
	unsigned long page;

	if (!read_words(addr, w, 1))
		return NULL;
	if (w[0] == bti) {
		addr += AARCH64_INSN_SIZE;
		if (!read_words(addr, w, 1))
			return NULL;
	}
	if (aarch64_insn_is_b(w[0]))
		return branch_dest(addr, w[0], false);
	if (!read_words(addr, w, 3) || !aarch64_insn_is_adrp(w[0]) ||
	    !aarch64_insn_is_add_imm(w[1]) ||
	    w[2] != aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_16,
						AARCH64_INSN_BRANCH_NOLINK))
		return NULL;
	if (aarch64_insn_decode_register(AARCH64_INSN_REGTYPE_RD, w[0]) != 16 ||
	    aarch64_insn_decode_register(AARCH64_INSN_REGTYPE_RD, w[1]) != 16 ||
	    aarch64_insn_decode_register(AARCH64_INSN_REGTYPE_RN, w[1]) != 16 ||
	    !(w[1] & BIT(31)) || (w[1] & BIT(22)))	/* 64-bit, unshifted */
		return NULL;
	page = ALIGN_DOWN((unsigned long)addr, SZ_4K);
	return (void *)(page + aarch64_insn_adrp_get_offset(w[0]) +
			aarch64_insn_decode_immediate(AARCH64_INSN_IMM_12,
						      w[1]));
}

/* The trampoline a branch to @dest reaches, directly or by a veneer. */
static void *reached_tramp(void *dest)
{
	if (is_tramp(dest))
		return dest;
	dest = veneer_dest(dest);
	return dest && is_tramp(dest) ? dest : NULL;
}

/* Does a branch to @dest reach @func, directly or by a veneer? */
static bool reaches(void *dest, void *func)
{
	return dest == func || veneer_dest(dest) == func;
}

static void write_insn(void *addr, u32 insn)
{
	if (!WARN_ON(aarch64_insn_patch_text_nosync(addr, insn)))
		static_call_batch_pending = true;
}

/* Trampolines */

static void *tramp_literal_for(void *tramp, void *func)
{
	return func ?: tramp + TRAMP_NULL;
}

static bool tramp_literal_is(void *tramp, void *literal)
{
	void *was;

	return !copy_from_kernel_nofault(&was, tramp + TRAMP_LITERAL,
					 sizeof(was)) && was == literal;
}

static u32 tramp_slot_for(void *tramp, void *func)
{
	void *slot = tramp + TRAMP_SLOT;

	if (!func)
		return gen_branch(slot, tramp + TRAMP_NULL, false);
	if (in_branch_range(slot, func))
		return gen_branch(slot, func, false);
	return aarch64_insn_gen_nop();
}

/* Does the slot @insn reach @old?  A module's may still use a veneer. */
static bool slot_reaches(void *tramp, u32 insn, void *old)
{
	void *slot = tramp + TRAMP_SLOT;
	void *dest = branch_dest(slot, insn, false);

	if (insn == aarch64_insn_gen_nop())
		return !!old;	/* and the literal says where */
	if (!old)
		return dest == tramp + TRAMP_NULL;
	return dest && reaches(dest, old);
}

static int tramp_validate(void *tramp, void *old)
{
	u32 w[TRAMP_WORDS];
	u64 literal;

	if (!IS_ALIGNED((unsigned long)tramp, 8) ||
	    !read_words(tramp, w, TRAMP_WORDS) ||
	    !holds_tramp_frame(tramp, w)) {
		pr_err("static_call: %pS is not a trampoline\n", tramp);
		return -EINVAL;
	}
	if (copy_from_kernel_nofault(&literal, tramp + TRAMP_LITERAL,
				     sizeof(literal)))
		return -EFAULT;
	if (slot_reaches(tramp, w[1], old) &&
	    (void *)literal == tramp_literal_for(tramp, old))
		return 0;
	pr_err("static_call: trampoline %pS holds %08x and %016llx, expected to reach %ps\n",
	       tramp, w[1], literal, old);
	return -EINVAL;
}

/* The literal first: see the interleavings above. */
static void tramp_queue(void *tramp, void *func)
{
	void *literal = tramp_literal_for(tramp, func);
	u32 slot = tramp_slot_for(tramp, func);
	void *was;
	u32 insn;

	if (WARN_ON(copy_from_kernel_nofault(&was, tramp + TRAMP_LITERAL,
					     sizeof(was)) ||
		    aarch64_insn_read(tramp + TRAMP_SLOT, &insn)))
		return;
	if (was != literal) {
		if (WARN_ON(aarch64_insn_write_literal_u64(tramp + TRAMP_LITERAL,
							   (u64)literal)))
			return;
		/* Only the IPI ends interleaving 1, even with the slot unchanged. */
		static_call_batch_pending = true;
	}
	if (insn != slot)
		write_insn(tramp + TRAMP_SLOT, slot);
}

/* Call sites */

/*
 * The trampoline of the key whose site @addr is, when the core did not
 * say (at boot and at module load): then the site is as the compiler and
 * the module loader left it, a branch to the trampoline or to a veneer.
 */
static void *site_tramp(const struct static_call_place *place, void *dest)
{
	return place->tramp ?: (dest ? reached_tramp(dest) : NULL);
}

/* A module site that only a veneer connects to its trampoline. */
static bool site_is_far(const struct static_call_place *place, void *tramp)
{
	return !in_branch_range(place->addr, tramp);
}

static bool site_holds_expected(const struct static_call_place *place,
				u32 insn, void *old)
{
	bool call = !static_call_place_jumps(place);
	void *dest = branch_dest(place->addr, insn, call);
	void *tramp;

	if (!dest)
		return call && !old && insn == aarch64_insn_gen_nop();
	if (old && dest == old)
		return true;
	tramp = reached_tramp(dest);
	if (!tramp)
		return false;
	if (place->tramp)
		return tramp == place->tramp;
	/* Told no trampoline: the one reached must be this key's. */
	return tramp_literal_is(tramp, tramp_literal_for(tramp, old));
}

static int site_validate(const struct static_call_place *place, void *old)
{
	bool call = !static_call_place_jumps(place);
	u32 insn;

	if (aarch64_insn_read(place->addr, &insn))
		return -EFAULT;
	if (site_holds_expected(place, insn, old))
		return 0;
	pr_err("static_call: site %pS holds %08x, expected %s %ps or a %s to a trampoline\n",
	       place->addr, insn, !old && call ? "a NOP for" :
	       call ? "a BL to" : "a B to", old, call ? "BL" : "B");
	return -EINVAL;
}

/* What the site @place, holding @insn, must hold for @func. */
static u32 site_insn_for(const struct static_call_place *place, u32 insn,
			 void *func)
{
	bool call = !static_call_place_jumps(place);
	void *tramp = site_tramp(place, branch_dest(place->addr, insn, call));

	if (WARN_ON_ONCE(!tramp) || site_is_far(place, tramp))
		return insn;
	if (!func && call)
		return aarch64_insn_gen_nop();
	if (func && in_branch_range(place->addr, func))
		return gen_branch(place->addr, func, call);
	return gen_branch(place->addr, tramp, call);
}

static void site_queue(const struct static_call_place *place, void *func)
{
	u32 insn, want;

	if (WARN_ON(aarch64_insn_read(place->addr, &insn)))
		return;
	want = site_insn_for(place, insn, func);
	if (want != insn)
		write_insn(place->addr, want);
}

/* The interface: Documentation/core-api/static-calls.rst */

int arch_static_call_validate(const struct static_call_place *place,
			      void *old)
{
	lockdep_assert_held(&text_mutex);

	if (place->kind == STATIC_CALL_PLACE_TRAMP)
		return tramp_validate(place->addr, old);
	return site_validate(place, old);
}

void arch_static_call_queue(const struct static_call_place *place,
			    void *func)
{
	lockdep_assert_held(&text_mutex);

	if (place->kind == STATIC_CALL_PLACE_TRAMP)
		tramp_queue(place->addr, func);
	else
		site_queue(place, func);
}

/*
 * One synchronisation for the whole batch.  While the system boots no
 * other CPU runs, but the IPI is cheap then and keeps one path.
 */
void arch_static_call_flush(void)
{
	lockdep_assert_held(&text_mutex);

	if (!static_call_batch_pending)
		return;
	kick_all_cpus_sync();
	static_call_batch_pending = false;
}

int arch_static_call_site_size(const struct static_call_place *place)
{
	return AARCH64_INSN_SIZE;
}
