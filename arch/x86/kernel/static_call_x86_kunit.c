// SPDX-License-Identifier: GPL-2.0
/*
 * White-box tests of x86 inline static calls: decode what was written at
 * each call site and in the trampoline, and check that a site holding
 * something unexpected is never written while the rest of the update
 * goes on.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/memory.h>
#include <linux/panic.h>
#include <linux/static_call.h>
#include <linux/static_call_kunit.h>
#include <linux/unaligned.h>
#include <asm/text-patching.h>

#include "static_call_x86_kunit.h"

static long wb_a(long x)
{
	return x + 1;
}

static long wb_b(long x)
{
	return x + 2;
}

static long wb_c(long x)
{
	return x + 3;
}

DEFINE_STATIC_CALL(sc_wb, wb_a);

static noinline long wb_call_site(long x)
{
	long ret = static_call(sc_wb)(x);

	barrier();
	return ret;
}

static noinline long wb_tail_site(long x)
{
	return static_call(sc_wb)(x);
}

/*
 * Conditional tail calls to a static call, which gcc does not emit from
 * C.  One Jcc sits in the lower half of a 64-byte line and one in the
 * upper half: with ITS, a return wants the thunk in the lower half only,
 * so what each site would want differs, and neither may decide for the
 * return a Jcc to NULL really runs, __static_call_ret's.  Each function
 * has 16 bytes of NOP in front, where call depth tracking puts a thunk.
 */
static int wb_cond_calls;

static void wb_cond_target(long x)
{
	wb_cond_calls++;
}

DEFINE_STATIC_CALL_NULL(sc_wb_cond, wb_cond_target);

#define WB_JCC_FUNC(name, pad)						\
	".balign 64\n\t"						\
	".fill " #pad ", 1, 0x90\n"					\
	#name ":\n\t"							\
	ANNOTATE_NOENDBR						\
	"test %rdi, %rdi\n\t"						\
	"jnz " STATIC_CALL_TRAMP_STR(sc_wb_cond) "\n\t"		\
	ASM_RET								\
	".type " #name ", @function\n\t"				\
	".size " #name ", . - " #name "\n\t"

asm(".pushsection .text, \"ax\"\n\t"
	WB_JCC_FUNC(wb_jcc_low, 16)
	WB_JCC_FUNC(wb_jcc_high, 32)
	".popsection\n");

/*
 * sc_wb_exit has one site, in a built-in __exit function: code that never
 * runs, in text that is neither .text nor .init.text.
 */
DEFINE_STATIC_CALL(sc_wb_exit, wb_a);

static long wb_exit_result;

static void __exit wb_exit_site(void)
{
	wb_exit_result = static_call(sc_wb_exit)(1);
}
module_exit(wb_exit_site);

/*
 * Keys for the module tests (static_call_x86_module_kunit and the refused ones),
 * and their first targets.
 */

/**
 * sc_wb_shared_default - first target of sc_wb_shared
 * @x: any value
 *
 * Return: @x + 10, so that a test can tell it ran.
 */
long sc_wb_shared_default(long x)
{
	return x + 10;
}
EXPORT_SYMBOL_IF_KUNIT(sc_wb_shared_default);

/**
 * sc_wb_refused_default - the target of sc_wb_refused, which never changes
 * @x: any value
 *
 * Return: @x + 30.
 */
long sc_wb_refused_default(long x)
{
	return x + 30;
}
EXPORT_SYMBOL_IF_KUNIT(sc_wb_refused_default);

DEFINE_STATIC_CALL(sc_wb_shared, sc_wb_shared_default);
EXPORT_STATIC_CALL_GPL(sc_wb_shared);
DEFINE_STATIC_CALL(sc_wb_refused, sc_wb_refused_default);
EXPORT_STATIC_CALL_GPL(sc_wb_refused);

/**
 * sc_wb_shared_vmlinux_site - the one call site of sc_wb_shared in vmlinux
 * @x: passed to the target
 *
 * Return: what sc_wb_shared's target returned.
 */
noinline long sc_wb_shared_vmlinux_site(long x)
{
	long ret = static_call(sc_wb_shared)(x);

	barrier();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(sc_wb_shared_vmlinux_site);

#define MAX_SITES 4

struct sites {
	int nr;
	u8 *addr[MAX_SITES];
	bool tail[MAX_SITES];
};

static int collect_site(void *addr, bool tail, void *arg)
{
	struct sites *s = arg;

	if (s->nr < MAX_SITES) {
		s->addr[s->nr] = addr;
		s->tail[s->nr] = tail;
	}
	s->nr++;
	return 0;
}

static void get_sites(struct kunit *test, struct sites *s)
{
	memset(s, 0, sizeof(*s));
	static_call_visit_sites(&STATIC_CALL_KEY(sc_wb), collect_site, s);
	KUNIT_ASSERT_EQ_MSG(test, s->nr, 2, "sc_wb should have two sites");
}

static void *call_dest_for(void *func)
{
	void *dest;

	mutex_lock(&text_mutex);
	dest = callthunks_translate_call_dest(func);
	mutex_unlock(&text_mutex);
	return dest;
}

static void *rel32_dest(const u8 *insn, int len)
{
	return (void *)insn + len + get_unaligned((s32 *)(insn + len - 4));
}

/**
 * static_call_kunit_expect_site - assert what a site holds for a target
 * @test: the test case
 * @site: the site (or trampoline) address
 * @tail: whether it is a tail-call site
 * @func: the key's target: a function, NULL or __static_call_return0
 *
 * Decodes the bytes at @site: a direct call or jump to @func (through its
 * call depth accounting thunk where there is one), a NOP or a return for
 * NULL, the 5-byte xor for __static_call_return0.
 */
void static_call_kunit_expect_site(struct kunit *test, u8 *site, bool tail,
				   void *func)
{
	static const u8 xor_eax_5[] = { 0x2e, 0x2e, 0x2e, 0x31, 0xc0 };

	if (tail && !func) {
		bool ret = site[0] == RET_INSN_OPCODE;
		bool thunk = site[0] == JMP32_INSN_OPCODE &&
			     rel32_dest(site, 5) == x86_return_thunk;

		KUNIT_EXPECT_TRUE_MSG(test, ret || thunk,
				      "%pS: %*ph is no return", site, 5, site);
	} else if (tail) {
		KUNIT_EXPECT_EQ_MSG(test, site[0], JMP32_INSN_OPCODE,
				    "%pS: %*ph", site, 5, site);
		KUNIT_EXPECT_PTR_EQ_MSG(test, rel32_dest(site, 5), func,
					"%pS jumps to %ps", site,
					rel32_dest(site, 5));
	} else if (!func) {
		KUNIT_EXPECT_MEMEQ_MSG(test, site, x86_nops[5], 5,
				       "%pS is no NOP", site);
	} else if (func == __static_call_return0) {
		KUNIT_EXPECT_MEMEQ_MSG(test, site, xor_eax_5, 5,
				       "%pS is no xor", site);
	} else {
		KUNIT_EXPECT_EQ_MSG(test, site[0], CALL_INSN_OPCODE,
				    "%pS: %*ph", site, 5, site);
		KUNIT_EXPECT_PTR_EQ_MSG(test, rel32_dest(site, 5),
					call_dest_for(func),
					"%pS calls %ps", site,
					rel32_dest(site, 5));
	}
}
EXPORT_SYMBOL_IF_KUNIT(static_call_kunit_expect_site);

static void expect_all(struct kunit *test, void *func)
{
	u8 *tramp = (u8 *)&STATIC_CALL_TRAMP(sc_wb);
	struct sites s;
	int i;

	get_sites(test, &s);
	for (i = 0; i < s.nr; i++)
		static_call_kunit_expect_site(test, s.addr[i], s.tail[i], func);
	/* The trampoline is a jump site of its own. */
	static_call_kunit_expect_site(test, tramp, true, func);
}

static void restore_wb(void *unused)
{
	static_call_update(sc_wb, wb_a);
}

static void sites_found_with_their_kind(struct kunit *test)
{
	struct sites s;
	int i;

	get_sites(test, &s);
	KUNIT_EXPECT_NE_MSG(test, s.tail[0], s.tail[1],
			    "one call site and one tail call expected");
	for (i = 0; i < s.nr; i++) {
		void *fn = s.tail[i] ? (void *)wb_tail_site :
				       (void *)wb_call_site;

		/* A distance, not fn + 32: that is no ENDBR, says objtool. */
		KUNIT_EXPECT_TRUE_MSG(test, s.addr[i] - (u8 *)fn >= 0 &&
				      s.addr[i] - (u8 *)fn < 32,
				      "%s site %pS outside %ps",
				      s.tail[i] ? "tail" : "call", s.addr[i], fn);
	}
}

static void sites_patched_at_boot(struct kunit *test)
{
	expect_all(test, wb_a);
}

/* One kind of target: what the sites must hold, and what a call gives. */
struct wb_target_case {
	const char *name;
	void *func;
	bool calls;		/* false: NULL, the site calls nothing */
	long arg;
	long result;
};

static const struct wb_target_case wb_target_cases[] = {
	{ "function: CALL and JMP to it", (void *)wb_b, true, 1, 3 },
	{ "NULL: NOP and return", NULL, false },
	{ "__static_call_return0: XOR and JMP to it",
	  (void *)__static_call_return0, true, 5, 0 },
};

static void wb_target_case_desc(const struct wb_target_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wb_target, wb_target_cases, wb_target_case_desc);

static void update_writes_encoding_for_target(struct kunit *test)
{
	const struct wb_target_case *c = test->param_value;

	kunit_add_action(test, restore_wb, NULL);
	static_call_update(sc_wb, c->func);
	expect_all(test, c->func);
	if (!c->calls)
		return;
	KUNIT_EXPECT_EQ(test, wb_call_site(c->arg), c->result);
	KUNIT_EXPECT_EQ(test, wb_tail_site(c->arg), c->result);
}

static void update_early_after_init_patches_sites(struct kunit *test)
{
	kunit_add_action(test, restore_wb, NULL);
	static_call_update_early(sc_wb, wb_c);
	expect_all(test, wb_c);
	KUNIT_EXPECT_EQ(test, wb_call_site(1), 4);
	KUNIT_EXPECT_PTR_EQ(test, (void *)static_call_query(sc_wb),
			    (void *)wb_c);
}

static void poke(void *addr, const void *bytes, size_t len)
{
	mutex_lock(&text_mutex);
	text_poke_bp(addr, bytes, len, NULL);
	mutex_unlock(&text_mutex);
}

/*
 * A site that holds a call the key never made is left as found, loudly
 * (a WARN, which taints); the trampoline and every other site follow the
 * update, so nothing keeps calling the old target.
 */
static void corrupt_site_left_as_found_rest_updated(struct kunit *test)
{
	u8 *tramp = (u8 *)&STATIC_CALL_TRAMP(sc_wb);
	u8 saved[5], corrupt[5];
	struct sites s;
	int call = 0;

	kunit_add_action(test, restore_wb, NULL);
	get_sites(test, &s);
	if (s.tail[0])
		call = 1;
	memcpy(saved, s.addr[call], 5);

	/* A call, but to a function the key never had. */
	__text_gen_insn(corrupt, CALL_INSN_OPCODE, s.addr[call], wb_c, 5);
	poke(s.addr[call], corrupt, 5);

	pr_info("static_call_x86_kunit: the next warning is expected\n");
	static_call_update(sc_wb, wb_b);
	pr_info("static_call_x86_kunit: end of expected warning\n");

	KUNIT_EXPECT_TRUE_MSG(test, test_taint(TAINT_WARN),
			      "leaving a site as found did not warn");
	KUNIT_EXPECT_PTR_EQ(test, (void *)static_call_query(sc_wb),
			    (void *)wb_b);
	KUNIT_EXPECT_MEMEQ_MSG(test, s.addr[call], corrupt, 5,
			       "the corrupt site was written");
	static_call_kunit_expect_site(test, s.addr[!call], s.tail[!call], wb_b);
	static_call_kunit_expect_site(test, tramp, true, wb_b);
	KUNIT_EXPECT_EQ(test, wb_tail_site(1), 3);

	/* Repaired by hand, the site follows the next update again. */
	__text_gen_insn(saved, CALL_INSN_OPCODE, s.addr[call],
			call_dest_for(wb_b), 5);
	poke(s.addr[call], saved, 5);
	static_call_update(sc_wb, wb_a);
	expect_all(test, wb_a);
}

static void restore_wb_cond(void *unused)
{
	static_call_update(sc_wb_cond, NULL);
}

static void expect_jcc_sites(struct kunit *test, void *dest)
{
	struct sites s;
	int i;

	memset(&s, 0, sizeof(s));
	static_call_visit_sites(&STATIC_CALL_KEY(sc_wb_cond), collect_site, &s);
	KUNIT_ASSERT_EQ_MSG(test, s.nr, 2, "sc_wb_cond should have two sites");
	for (i = 0; i < s.nr; i++) {
		u8 *site = s.addr[i];

		KUNIT_EXPECT_TRUE_MSG(test, s.tail[i] && site[0] == 0x0f &&
				      (site[1] & 0xf0) == 0x80,
				      "%pS: %*ph is no Jcc.d32", site, 6, site);
		KUNIT_EXPECT_PTR_EQ_MSG(test, rel32_dest(site, 6), dest,
					"%pS jumps to %ps", site,
					rel32_dest(site, 6));
	}
}

/*
 * A Jcc to NULL goes to a return; the thunk, if that return wants one,
 * is decided where the return is.  Under ITS that differs from half a
 * cache line to the other.
 */
static void jcc_null_returns_as_its_return_wants(struct kunit *test)
{
	void *ret = cpu_wants_rethunk_at(__static_call_ret) ?
		    (void *)x86_return_thunk : (void *)__static_call_ret;

	kunit_add_action(test, restore_wb_cond, NULL);
	expect_jcc_sites(test, ret);
	wb_cond_calls = 0;
	wb_jcc_low(1);
	wb_jcc_high(1);
	KUNIT_EXPECT_EQ(test, wb_cond_calls, 0);

	static_call_update(sc_wb_cond, wb_cond_target);
	expect_jcc_sites(test, wb_cond_target);
	wb_jcc_low(1);
	wb_jcc_high(0);
	KUNIT_EXPECT_EQ(test, wb_cond_calls, 1);

	static_call_update(sc_wb_cond, NULL);
	expect_jcc_sites(test, ret);
}

/* The bytes other code and outside tools know a trampoline by. */
static void trampoline_carries_ud1_signature(struct kunit *test)
{
	static const u8 ud1_esp_ecx[] = { 0x0f, 0xb9, 0xcc };
	u8 *tramp = (u8 *)&STATIC_CALL_TRAMP(sc_wb);

	KUNIT_EXPECT_MEMEQ_MSG(test, tramp + 5, ud1_esp_ecx, 3,
			       "%pS: %*ph", tramp, 8, tramp);
}

static int count_site(void *addr, bool tail, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void restore_wb_exit(void *unused)
{
	static_call_update(sc_wb_exit, wb_a);
}

/*
 * A built-in __exit function never runs and its text is not kernel
 * text: its site is never visited, and updating its key, which would
 * write there through the text poking path, works.
 */
static void exit_text_site_never_written(struct kunit *test)
{
	int nr = 0;

	kunit_add_action(test, restore_wb_exit, NULL);
	static_call_visit_sites(&STATIC_CALL_KEY(sc_wb_exit), count_site, &nr);
	KUNIT_EXPECT_EQ_MSG(test, nr, 0, "a site in __exit text is live");
	static_call_update(sc_wb_exit, wb_b);
	KUNIT_EXPECT_PTR_EQ(test, (void *)static_call_query(sc_wb_exit),
			    (void *)wb_b);
}

/*
 * A site reserves its own bytes, no more: a CALL or JMP is 5 bytes, and
 * the instruction after it can be probed.
 */
static void site_reserves_only_its_instruction(struct kunit *test)
{
	struct sites s;
	int i;

	get_sites(test, &s);
	for (i = 0; i < s.nr; i++) {
		u8 *site = s.addr[i];

		KUNIT_EXPECT_EQ_MSG(test, static_call_text_reserved(site, site), 1,
				    "%pS not reserved", site);
		KUNIT_EXPECT_EQ_MSG(test,
				    static_call_text_reserved(site + 4, site + 4),
				    1, "%pS: last byte not reserved", site);
		KUNIT_EXPECT_EQ_MSG(test,
				    static_call_text_reserved(site + 5, site + 5),
				    0, "the instruction after %pS is reserved",
				    site);
	}
}

#ifdef CONFIG_KPROBES
static int wb_probe_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

/* What the reservation is for: kprobes next to a site. */
static void kprobe_after_call_site_registers(struct kunit *test)
{
	struct kprobe kp = { .pre_handler = wb_probe_pre };
	struct sites s;
	int call = 0, ret;

	get_sites(test, &s);
	if (s.tail[0])
		call = 1;
	kp.addr = (kprobe_opcode_t *)(s.addr[call] + 5);
	KUNIT_ASSERT_EQ_MSG(test, register_kprobe(&kp), 0,
			    "no kprobe at %pS, after a call site", kp.addr);
	KUNIT_EXPECT_EQ(test, wb_call_site(1), 2);
	unregister_kprobe(&kp);

	kp = (struct kprobe){ .pre_handler = wb_probe_pre,
			      .addr = (kprobe_opcode_t *)s.addr[call] };
	ret = register_kprobe(&kp);
	KUNIT_EXPECT_NE_MSG(test, ret, 0, "a kprobe took the call site %pS",
			    s.addr[call]);
	if (!ret)
		unregister_kprobe(&kp);

	kp = (struct kprobe){ .pre_handler = wb_probe_pre,
			      .addr = (kprobe_opcode_t *)&STATIC_CALL_TRAMP(sc_wb) };
	ret = register_kprobe(&kp);
	KUNIT_EXPECT_NE_MSG(test, ret, 0, "a kprobe took the trampoline %pS",
			    kp.addr);
	if (!ret)
		unregister_kprobe(&kp);
}
#endif

static struct kunit_case static_call_x86_cases[] = {
	KUNIT_CASE(sites_found_with_their_kind),
	KUNIT_CASE(sites_patched_at_boot),
	KUNIT_CASE_PARAM(update_writes_encoding_for_target,
			 wb_target_gen_params),
	KUNIT_CASE(update_early_after_init_patches_sites),
	KUNIT_CASE(trampoline_carries_ud1_signature),
	KUNIT_CASE(jcc_null_returns_as_its_return_wants),
	KUNIT_CASE(exit_text_site_never_written),
	KUNIT_CASE(site_reserves_only_its_instruction),
#ifdef CONFIG_KPROBES
	KUNIT_CASE(kprobe_after_call_site_registers),
#endif
	/* Last: it taints the kernel. */
	KUNIT_CASE(corrupt_site_left_as_found_rest_updated),
	{}
};

static struct kunit_suite static_call_x86_suite = {
	.name = "static_call_x86",
	.test_cases = static_call_x86_cases,
};

kunit_test_suite(static_call_x86_suite);
