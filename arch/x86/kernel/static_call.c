// SPDX-License-Identifier: GPL-2.0
/*
 * x86 static calls: which instruction goes where, handed to the text
 * patching code.
 *
 *	place		target		instruction
 *	call site	function	CALL.d32 (to its call depth thunk)
 *	call site	return0		CS CS CS XOR %eax,%eax (5 bytes)
 *	call site	NULL		5-byte NOP
 *	jump site	function	JMP.d32
 *	jump site	NULL		a return: RET and INT3 padding, or
 *					JMP.d32 to the return thunk
 *	Jcc site	function	Jcc.d32
 *	Jcc site	NULL		Jcc.d32 to a lone return, or to the
 *					return thunk if that return wants it
 *
 * A trampoline is a jump site.  A compiler emits a conditional tail call
 * as a Jcc; the Jcc is kept, only its destination changes.
 *
 * Checking a place (arch_static_call_validate()) looks only at its bytes:
 * it must not depend on, or change, anything else.
 */
#include <linux/bug.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/static_call.h>
#include <asm/text-patching.h>
#include <linux/unaligned.h>

/* Bytes 5-7 of every trampoline; see asm/static_call.h. */
static const u8 tramp_signature[] = { 0x0f, 0xb9, 0xcc };

static const u8 xor_eax_5[] = { 0x2e, 0x2e, 0x2e, 0x31, 0xc0 };

static const u8 ret_padded[] = {
	RET_INSN_OPCODE, INT3_INSN_OPCODE, INT3_INSN_OPCODE,
	INT3_INSN_OPCODE, INT3_INSN_OPCODE,
};

/* Where a conditional tail call to NULL goes: Jcc can only jump. */
asm(".pushsection .text, \"ax\"\n\t"
	".globl __static_call_ret\n\t"
	".type __static_call_ret, @function\n\t"
	ASM_FUNC_ALIGN "\n"
	"__static_call_ret:\n\t"
	ANNOTATE_NOENDBR
	ANNOTATE_RETPOLINE_SAFE
	"ret\n\t"
	"int3\n\t"
	".size __static_call_ret, . - __static_call_ret\n\t"
	".popsection\n");

#define JCC32_INSN_SIZE		6

/* The longest instruction written at a site is a Jcc.d32. */
struct sc_insn {
	u8 bytes[JCC32_INSN_SIZE];
	int len;
	const void *emulate;	/* what an INT3 at the site stands for */
};

static bool is_jcc32(const u8 *at)
{
	return at[0] == 0x0f && (at[1] & 0xf0) == 0x80;
}

static bool is_tramp(const u8 *at)
{
	return !memcmp(at + JMP32_INSN_SIZE, tramp_signature,
		       sizeof(tramp_signature));
}

static void gen_rel32(struct sc_insn *in, u8 op, void *at, void *dest)
{
	__text_gen_insn(in->bytes, op, at, dest, JMP32_INSN_SIZE);
	in->len = JMP32_INSN_SIZE;
}

static void gen_copy(struct sc_insn *in, const u8 *bytes, int len)
{
	memcpy(in->bytes, bytes, len);
	in->len = len;
}

/* Keep the condition, change the destination. */
static void gen_jcc(struct sc_insn *in, const u8 *at, void *dest)
{
	BUILD_BUG_ON(sizeof(in->bytes) < JCC32_INSN_SIZE);
	in->bytes[0] = at[0];
	__text_gen_insn(in->bytes + 1, at[1], at + 1, dest, JMP32_INSN_SIZE);
	in->len = JCC32_INSN_SIZE;
}

/* A return executed at @at itself. */
static void gen_return(struct sc_insn *in, void *at)
{
	if (cpu_wants_rethunk_at(at))
		gen_rel32(in, JMP32_INSN_OPCODE, at, x86_return_thunk);
	else
		gen_copy(in, ret_padded, sizeof(ret_padded));
}

/*
 * A Jcc to NULL returns through __static_call_ret: whether that return
 * needs the thunk depends on where it is (ITS), not where the Jcc is.
 */
static void *jcc_null_dest(void)
{
	if (cpu_wants_rethunk_at(__static_call_ret))
		return x86_return_thunk;
	return __static_call_ret;
}

static void gen_call_site(struct sc_insn *in, void *at, void *func)
{
	if (!func) {
		gen_copy(in, x86_nops[5], 5);
	} else if (func == __static_call_return0) {
		gen_copy(in, xor_eax_5, sizeof(xor_eax_5));
		/* While the XOR is written, an INT3 there stands for a call. */
		in->emulate = text_gen_insn(CALL_INSN_OPCODE, at, func);
	} else {
		gen_rel32(in, CALL_INSN_OPCODE, at,
			  callthunks_translate_call_dest(func));
	}
}

static void gen_jump_site(struct sc_insn *in, u8 *at, void *func)
{
	if (is_jcc32(at))
		gen_jcc(in, at, func ?: jcc_null_dest());
	else if (func)
		gen_rel32(in, JMP32_INSN_OPCODE, at, func);
	else
		gen_return(in, at);
}

/* What @at must hold for @func. */
static void gen_insn(struct sc_insn *in, void *at, void *func, bool tail)
{
	in->emulate = NULL;
	if (tail)
		gen_jump_site(in, at, func);
	else
		gen_call_site(in, at, func);
}

/* The destination of the CALL, JMP or Jcc at @at, if it is one. */
static u8 *branch_dest(u8 *at, bool tail)
{
	int len = JMP32_INSN_SIZE;
	s32 disp;

	if (is_jcc32(at) && tail)
		len = JCC32_INSN_SIZE;
	else if (at[0] != (tail ? JMP32_INSN_OPCODE : CALL_INSN_OPCODE))
		return NULL;
	disp = get_unaligned((s32 *)(at + len - sizeof(s32)));
	return at + len + disp;
}

/*
 * A NULL target's return, in any form: whether it wants the thunk is
 * decided late, and a NULL trampoline is compiled as a jump to
 * __x86_return_thunk until __static_call_fixup() rewrites it.
 */
static bool holds_null_jump(u8 *at)
{
	u8 *dest = branch_dest(at, true);

	if (is_jcc32(at))
		return dest == (u8 *)__static_call_ret ||
		       dest == (u8 *)x86_return_thunk;
	if (!memcmp(at, ret_padded, sizeof(ret_padded)))
		return true;
	if (!dest)
		return false;
	return dest == (u8 *)x86_return_thunk ||
	       (IS_ENABLED(CONFIG_MITIGATION_RETHUNK) &&
		dest == (u8 *)__x86_return_thunk);
}

/*
 * A call to @func: straight to it, or (call depth tracking) to the
 * accounting thunk in the padding before it.  Whether @func gets a thunk
 * depends on where it lives now, and a module that held it may be gone,
 * so accept either from the bytes alone.
 */
static bool holds_call_to(u8 *at, u8 *func)
{
	u8 *dest = branch_dest(at, false);

	if (dest == func)
		return true;
#ifdef CONFIG_CALL_THUNKS
	return dest && dest < func &&
	       dest >= func - CONFIG_FUNCTION_PADDING_BYTES;
#else
	return false;
#endif
}

/*
 * What the compiler emitted: a branch to a trampoline.  Loading a table
 * does not tell us which trampoline a site's key has, so any will do
 * there; an update knows it.
 */
static bool holds_branch_to_tramp(u8 *addr, void *tramp, bool tail)
{
	u8 *dest = branch_dest(addr, tail);
	u8 sig[sizeof(tramp_signature)];

	if (!dest)
		return false;
	if (tramp)
		return dest == tramp;
	if (copy_from_kernel_nofault(sig, dest + JMP32_INSN_SIZE, sizeof(sig)))
		return false;
	return !memcmp(sig, tramp_signature, sizeof(sig));
}

/*
 * Does @addr reach @old, in any form this file or the compiler writes?
 * A call site may also still hold the compiler's branch to @tramp.
 */
static bool holds_expected(u8 *addr, void *tramp, void *old, bool tail,
			   bool site)
{
	if (site && holds_branch_to_tramp(addr, tramp, tail))
		return true;
	if (tail)
		return old ? branch_dest(addr, true) == old :
			     holds_null_jump(addr);
	if (!old)
		return !memcmp(addr, x86_nops[5], 5);
	if (old == __static_call_return0 &&
	    !memcmp(addr, xor_eax_5, sizeof(xor_eax_5)))
		return true;
	return holds_call_to(addr, old);
}

int arch_static_call_validate(const struct static_call_place *place,
			      void *old)
{
	bool tail = static_call_place_jumps(place);
	bool is_tramp_place = place->kind == STATIC_CALL_PLACE_TRAMP;
	void *addr = place->addr, *tramp = place->tramp;
	struct sc_insn want;

	lockdep_assert_held(&text_mutex);

	if (is_tramp_place && !is_tramp(addr)) {
		pr_err("static_call: %pS is not a trampoline: %*ph\n",
		       addr, 8, addr);
		return -EINVAL;
	}
	if (holds_expected(addr, tramp, old, tail, !is_tramp_place))
		return 0;
	/* What this file writes for @old; callthunks may not be asked. */
	if (tail || !old || old == __static_call_return0)
		gen_insn(&want, addr, old, tail);
	else
		gen_rel32(&want, CALL_INSN_OPCODE, addr, old);
	pr_err("static_call: %s %pS holds %*ph, expected %*ph (for %ps) or a %s to %s\n",
	       is_tramp_place ? "trampoline" : "site", addr, want.len, addr,
	       want.len, want.bytes, old, tail ? "jump" : "call",
	       is_tramp_place ? "itself" : "a trampoline");
	return -EINVAL;
}

int arch_static_call_site_size(const struct static_call_place *place)
{
	bool tail = static_call_place_jumps(place);
	u8 op = *(u8 *)place->addr;

	/*
	 * Only a tail call can be a Jcc.d32; while one is rewritten its
	 * first byte is an INT3, so count anything but JMP or RET as one.
	 */
	if (!tail || op == JMP32_INSN_OPCODE || op == RET_INSN_OPCODE)
		return JMP32_INSN_SIZE;
	return JCC32_INSN_SIZE;
}

/*
 * While the system boots, only this CPU runs and the text-patching
 * machinery may not be up yet: write at once.  text_poke_early() (init
 * text unless modules are on) is still there then.
 */
static void __ref write_early(void *addr, const struct sc_insn *in)
{
	text_poke_early(addr, in->bytes, in->len);
}

void arch_static_call_queue(const struct static_call_place *place,
			    void *func)
{
	void *addr = place->addr;
	struct sc_insn in;

	lockdep_assert_held(&text_mutex);

	gen_insn(&in, addr, func, static_call_place_jumps(place));
	if (!memcmp(addr, in.bytes, in.len))
		return;
	if (system_state == SYSTEM_BOOTING)
		write_early(addr, &in);
	else
		text_poke_queue(addr, in.bytes, in.len, in.emulate);
}

void arch_static_call_flush(void)
{
	lockdep_assert_held(&text_mutex);
	text_poke_finish();
}

/**
 * __static_call_update_early - retarget a key and its trampoline before
 *	static calls are initialised
 * @key: the key
 * @tramp: its trampoline
 * @func: the new target
 *
 * For static_call_update_early() only: Xen's hypercall page must be
 * chosen before anything else runs, from noinstr code, on one CPU.  The
 * key changes only with its trampoline, so that a later update finds the
 * trampoline reaching what the key says.
 */
noinstr void __static_call_update_early(struct static_call_key *key,
					void *tramp, void *func)
{
	/*
	 * Only while one CPU runs and no site is patched yet may the
	 * trampoline be written in place; later, refuse rather than write
	 * code other CPUs may be running.
	 */
	if (WARN_ON_ONCE(static_call_initialized ||
			 system_state != SYSTEM_BOOTING))
		return;
	__text_gen_insn(tramp, JMP32_INSN_OPCODE, tramp, func, JMP32_INSN_SIZE);
	sync_core();
	WRITE_ONCE(key->func, func);
}

#ifdef CONFIG_MITIGATION_RETHUNK
/*
 * apply_returns() rewrites every recorded return, including the one in
 * each NULL trampoline, and hands each to us first: a trampoline's return
 * is ours to write, in whichever form the CPU now wants.  Returns true
 * when @addr is a trampoline (and so dealt with).
 */
bool __init_or_module __static_call_fixup(void *addr, u8 op, void *dest)
{
	unsigned long start = (unsigned long)addr;
	struct sc_insn in;

	/* Trampolines never straddle a page: do not read past the text. */
	if (((start ^ (start + 7)) & PAGE_MASK) &&
	    !kernel_text_address(start + 7))
		return false;
	if (!is_tramp(addr))
		return false;
	/* Compiled as RET or JMP __x86_return_thunk; else retargeted. */
	if (op != RET_INSN_OPCODE && dest != __x86_return_thunk)
		return true;

	mutex_lock(&text_mutex);
	gen_return(&in, addr);
	if (memcmp(addr, in.bytes, in.len))
		text_poke_early(addr, in.bytes, in.len);
	mutex_unlock(&text_mutex);
	return true;
}
#endif
