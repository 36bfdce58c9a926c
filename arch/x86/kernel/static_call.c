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
 *	Jcc site	NULL		Jcc.d32 to a lone return
 *
 * A trampoline is a jump site.  A compiler emits a conditional tail call
 * as a Jcc; the Jcc is kept, only its destination changes.
 */
#include <linux/bug.h>
#include <linux/memory.h>
#include <linux/uaccess.h>
#include <linux/static_call.h>
#include <asm/text-patching.h>
#include <linux/unaligned.h>

/* Bytes 5-7 of every trampoline; see asm/static_call.h. */
static const u8 tramp_signature[] = { 0x0f, 0xb9, 0xc8 };

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

struct sc_insn {
	u8 bytes[POKE_MAX_OPCODE_SIZE];
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
	in->bytes[0] = at[0];
	__text_gen_insn(in->bytes + 1, at[1], at + 1, dest, JMP32_INSN_SIZE);
	in->len = JMP32_INSN_SIZE + 1;
}

static void gen_return(struct sc_insn *in, void *at, bool thunk)
{
	if (thunk)
		gen_rel32(in, JMP32_INSN_OPCODE, at, x86_return_thunk);
	else
		gen_copy(in, ret_padded, sizeof(ret_padded));
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

/* A return, or for a Jcc somewhere to return from. */
static void gen_null_jump(struct sc_insn *in, u8 *at, bool thunk)
{
	if (!is_jcc32(at))
		gen_return(in, at, thunk);
	else if (thunk)
		gen_jcc(in, at, x86_return_thunk);
	else
		gen_jcc(in, at, __static_call_ret);
}

static void gen_jump_site(struct sc_insn *in, void *at, void *func)
{
	if (!func)
		gen_null_jump(in, at, cpu_wants_rethunk_at(at));
	else if (is_jcc32(at))
		gen_jcc(in, at, func);
	else
		gen_rel32(in, JMP32_INSN_OPCODE, at, func);
}

/* What @at must hold for @func: the same rules for every caller. */
static void gen_insn(struct sc_insn *in, void *at, void *func, bool tail)
{
	in->emulate = NULL;
	if (tail)
		gen_jump_site(in, at, func);
	else
		gen_call_site(in, at, func);
}

static bool holds(const void *at, const struct sc_insn *in)
{
	return !memcmp(at, in->bytes, in->len);
}

/*
 * A NULL target's return, in any form: rethunk is decided late, and a
 * NULL trampoline is compiled as a jump to __x86_return_thunk until
 * __static_call_fixup() rewrites it.
 */
static bool holds_null_jump(u8 *at)
{
	struct sc_insn in;

	gen_null_jump(&in, at, false);
	if (holds(at, &in))
		return true;
	gen_null_jump(&in, at, true);
	if (holds(at, &in))
		return true;
	if (!IS_ENABLED(CONFIG_MITIGATION_RETHUNK) || is_jcc32(at))
		return false;
	gen_rel32(&in, JMP32_INSN_OPCODE, at, __x86_return_thunk);
	return holds(at, &in);
}

/* The destination of the CALL, JMP or Jcc at @at, if it is one. */
static void *branch_dest(u8 *at, bool tail)
{
	int len = JMP32_INSN_SIZE;
	s32 disp;

	if (is_jcc32(at) && tail)
		len++;
	else if (at[0] != (tail ? JMP32_INSN_OPCODE : CALL_INSN_OPCODE))
		return NULL;
	disp = get_unaligned((s32 *)(at + len - sizeof(s32)));
	return at + len + disp;
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

static bool holds_expected(void *addr, void *tramp, void *old, bool tail)
{
	struct sc_insn in;

	gen_insn(&in, addr, old, tail);
	if (holds(addr, &in))
		return true;
	if (!old && tail && holds_null_jump(addr))
		return true;
	/* Written before call depth tracking was set up: no thunk yet. */
	if (!tail && old && old != __static_call_return0) {
		gen_rel32(&in, CALL_INSN_OPCODE, addr, old);
		if (holds(addr, &in))
			return true;
	}
	return addr != tramp && holds_branch_to_tramp(addr, tramp, tail);
}

int arch_static_call_validate(void *addr, void *tramp, void *old, bool tail)
{
	lockdep_assert_held(&text_mutex);

	if (addr == tramp && !is_tramp(addr)) {
		pr_err("static_call: %pS is not a trampoline: %*ph\n",
		       addr, 8, addr);
		return -EINVAL;
	}
	if (holds_expected(addr, tramp, old, tail))
		return 0;
	pr_err("static_call: %s %pS holds %*ph: not a %s to %ps nor to %s\n",
	       addr == tramp ? "trampoline" : "site", addr, 6, addr,
	       tail ? "jump" : "call", old,
	       addr == tramp ? "itself" : "a trampoline");
	return -EINVAL;
}

void arch_static_call_queue(void *addr, void *tramp, void *func, bool tail,
			    bool early)
{
	struct sc_insn in;

	lockdep_assert_held(&text_mutex);

	gen_insn(&in, addr, func, tail);
	if (holds(addr, &in))
		return;
	if (early)
		text_poke_early(addr, in.bytes, in.len);
	else
		text_poke_queue(addr, in.bytes, in.len, in.emulate);
}

void arch_static_call_flush(void)
{
	lockdep_assert_held(&text_mutex);
	text_poke_finish();
}

/**
 * __static_call_update_early - retarget a trampoline before static calls
 *	are initialised
 * @tramp: the trampoline
 * @func: the new target
 *
 * For static_call_update_early() only: Xen's hypercall page must be
 * chosen before anything else runs, from noinstr code, on one CPU.
 */
noinstr void __static_call_update_early(void *tramp, void *func)
{
	/* One CPU, and no site patched yet: only the trampoline matters. */
	BUG_ON(static_call_initialized || system_state != SYSTEM_BOOTING);
	__text_gen_insn(tramp, JMP32_INSN_OPCODE, tramp, func, JMP32_INSN_SIZE);
	sync_core();
}

#ifdef CONFIG_MITIGATION_RETHUNK
/*
 * apply_returns() rewrites every recorded return, including the one in
 * each NULL trampoline, and hands each to us first: a trampoline's return
 * is ours to write, in whichever form the CPU now wants.  Returns true
 * when @addr is a trampoline (and so dealt with).
 */
bool __static_call_fixup(void *addr, u8 op, void *dest)
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
	gen_return(&in, addr, cpu_wants_rethunk_at(addr));
	if (!holds(addr, &in))
		text_poke_early(addr, in.bytes, in.len);
	mutex_unlock(&text_mutex);
	return true;
}
#endif
