// SPDX-License-Identifier: GPL-2.0
/*
 * White-box tests of arm64 static calls: decode what each call site and
 * the trampoline hold after every kind of update, and check that a site
 * holding something unexpected is never written while the rest of the
 * update goes on.  With out-of-line static calls there are no sites, and
 * only the trampoline is looked at.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/memory.h>
#include <linux/panic.h>
#include <linux/sizes.h>
#include <linux/static_call.h>
#include <linux/static_call_kunit.h>
#include <linux/vmalloc.h>
#include <asm/insn.h>
#include <asm/patching.h>
#include <asm/sections.h>

#include "static_call_arm64_kunit.h"

#define INLINE_SITES IS_ENABLED(CONFIG_HAVE_STATIC_CALL_INLINE)

/* Where the trampoline keeps its slot, NULL landing and literal. */
#define TRAMP_SLOT	4
#define TRAMP_NULL	16
#define TRAMP_LITERAL	24

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

DEFINE_STATIC_CALL(sc_a64, wb_a);

static noinline long wb_call_site(long x)
{
	long ret = static_call(sc_a64)(x);

	barrier();
	return ret;
}

/*
 * A tail call, in assembly: arm64 keeps frame pointers, and with them the
 * compiler makes no sibling calls.  BTI C, as at any function entry.
 */
long wb_tail_site(long x);

asm(".pushsection .text, \"ax\"\n"
	"wb_tail_site:\n\t"
	"hint 34\n\t"
	"b " STATIC_CALL_TRAMP_STR(sc_a64) "\n\t"
	".type wb_tail_site, %function\n\t"
	".size wb_tail_site, . - wb_tail_site\n\t"
	".popsection\n");

static int wb_cond_calls;

static void wb_cond_target(long x)
{
	wb_cond_calls++;
}

DEFINE_STATIC_CALL_NULL(sc_a64_cond, wb_cond_target);

static noinline void wb_cond_site(long x)
{
	static_call_cond(sc_a64_cond)(x);
	barrier();
}

/*
 * sc_a64_exit has one site, in a built-in __exit function: code that
 * never runs, in text that is neither .text nor .init.text.
 */
DEFINE_STATIC_CALL(sc_a64_exit, wb_a);

static long wb_exit_result;

static void __exit wb_exit_site(void)
{
	wb_exit_result = static_call(sc_a64_exit)(1);
}
module_exit(wb_exit_site);

/* The module suite's key, and its first target. */

/**
 * sc_a64_shared_default - first target of sc_a64_shared
 * @x: any value
 *
 * Return: @x + 10, so that a test can tell it ran.
 */
long sc_a64_shared_default(long x)
{
	return x + 10;
}
EXPORT_SYMBOL_IF_KUNIT(sc_a64_shared_default);

DEFINE_STATIC_CALL(sc_a64_shared, sc_a64_shared_default);
EXPORT_STATIC_CALL_GPL(sc_a64_shared);

/**
 * sc_a64_shared_vmlinux_site - the one call site of sc_a64_shared in vmlinux
 * @x: passed to the target
 *
 * Return: what sc_a64_shared's target returned.
 */
noinline long sc_a64_shared_vmlinux_site(long x)
{
	long ret = static_call(sc_a64_shared)(x);

	barrier();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(sc_a64_shared_vmlinux_site);

/* Decoding */

static u32 read_insn(void *addr)
{
	u32 insn = 0;

	WARN_ON(aarch64_insn_read(addr, &insn));
	return insn;
}

/**
 * static_call_arm64_kunit_in_range - can a B or BL at @pc reach @dest?
 * @pc: the branch
 * @dest: where it should go
 *
 * Return: whether @dest is within the ±128 MiB of an immediate branch.
 */
bool static_call_arm64_kunit_in_range(const void *pc, const void *dest)
{
	long offset = (long)dest - (long)pc;

	return offset >= -SZ_128M && offset < SZ_128M;
}
EXPORT_SYMBOL_IF_KUNIT(static_call_arm64_kunit_in_range);

static void *branch_dest(void *pc, u32 insn)
{
	return pc + aarch64_get_branch_offset(insn);
}

/* ADRP x16; ADD x16, x16, #lo12; BR x16: where does it go? */
static void *veneer_dest(void *veneer)
{
	u32 adrp = read_insn(veneer), add = read_insn(veneer + 4);
	unsigned long page = ALIGN_DOWN((unsigned long)veneer, SZ_4K);

	if (!aarch64_insn_is_adrp(adrp) || !aarch64_insn_is_add_imm(add) ||
	    read_insn(veneer + 8) !=
	    aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_16,
					AARCH64_INSN_BRANCH_NOLINK))
		return NULL;
	return (void *)(page + aarch64_insn_adrp_get_offset(adrp) +
			aarch64_insn_decode_immediate(AARCH64_INSN_IMM_12, add));
}

static void expect_branch(struct kunit *test, void *at, bool link, void *dest)
{
	u32 insn = read_insn(at);

	KUNIT_EXPECT_TRUE_MSG(test, link ? aarch64_insn_is_bl(insn) :
				    aarch64_insn_is_b(insn),
			      "%pS: %08x is no %s", at, insn, link ? "BL" : "B");
	KUNIT_EXPECT_PTR_EQ_MSG(test, branch_dest(at, insn), dest,
				"%pS branches to %pS, not %ps", at,
				branch_dest(at, insn), dest);
}

/**
 * static_call_arm64_kunit_expect_site - assert what a call site holds
 * @test: the test case
 * @site: the site
 * @tail: whether it is a tail call (B) rather than a call (BL)
 * @tramp: the trampoline of the site's key
 * @func: the key's target: a function, NULL or __static_call_return0
 *
 * A site out of range of its trampoline keeps branching to the PLT veneer
 * that reaches the trampoline.  Others branch to @func where it is in
 * range, hold a NOP for NULL (a call) or branch to the trampoline.
 */
void static_call_arm64_kunit_expect_site(struct kunit *test, void *site,
					 bool tail, void *tramp, void *func)
{
	u32 insn = read_insn(site);

	if (!static_call_arm64_kunit_in_range(site, tramp)) {
		void *veneer = branch_dest(site, insn);

		expect_branch(test, site, !tail, veneer);
		KUNIT_EXPECT_PTR_EQ_MSG(test, veneer_dest(veneer), tramp,
					"%pS: veneer %pS does not reach %ps",
					site, veneer, tramp);
	} else if (!func && !tail) {
		KUNIT_EXPECT_EQ_MSG(test, insn, aarch64_insn_gen_nop(),
				    "%pS: %08x is no NOP", site, insn);
	} else if (func && static_call_arm64_kunit_in_range(site, func)) {
		expect_branch(test, site, !tail, func);
	} else {
		expect_branch(test, site, !tail, tramp);
	}
}
EXPORT_SYMBOL_IF_KUNIT(static_call_arm64_kunit_expect_site);

/**
 * static_call_arm64_kunit_expect_tramp - assert what a trampoline holds
 * @test: the test case
 * @tramp: the trampoline
 * @func: its key's target
 *
 * The fixed words; the slot (B to @func in range, B to the NULL landing,
 * or NOP; as a module is loaded, B to a PLT entry that reaches @func);
 * and the literal, which holds the target in every state.
 */
void static_call_arm64_kunit_expect_tramp(struct kunit *test, void *tramp,
					  void *func)
{
	u32 bti = aarch64_insn_gen_hint(AARCH64_INSN_HINT_BTIC);
	void *slot = tramp + TRAMP_SLOT;
	void *literal;

	KUNIT_EXPECT_EQ(test, read_insn(tramp), bti);
	KUNIT_EXPECT_EQ(test, read_insn(tramp + 8),
			aarch64_insn_gen_load_literal((unsigned long)tramp + 8,
						      (unsigned long)tramp +
						      TRAMP_LITERAL,
						      AARCH64_INSN_REG_16,
						      true));
	KUNIT_EXPECT_EQ(test, read_insn(tramp + 12),
			aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_16,
						    AARCH64_INSN_BRANCH_NOLINK));
	KUNIT_EXPECT_EQ(test, read_insn(tramp + TRAMP_NULL), bti);
	KUNIT_EXPECT_EQ(test, read_insn(tramp + 20),
			aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_LR,
						    AARCH64_INSN_BRANCH_RETURN));

	if (!func)
		expect_branch(test, slot, false, tramp + TRAMP_NULL);
	else if (aarch64_insn_is_b(read_insn(slot)) &&
		 veneer_dest(branch_dest(slot, read_insn(slot))) == func)
		;	/* a module's, as loaded: B to a PLT entry */
	else if (static_call_arm64_kunit_in_range(slot, func))
		expect_branch(test, slot, false, func);
	else
		KUNIT_EXPECT_EQ_MSG(test, read_insn(slot),
				    aarch64_insn_gen_nop(),
				    "%pS: the slot is no NOP for far %pS",
				    tramp, func);

	memcpy(&literal, tramp + TRAMP_LITERAL, sizeof(literal));
	KUNIT_EXPECT_PTR_EQ_MSG(test, literal, func ?: tramp + TRAMP_NULL,
				"%pS: the literal is stale", tramp);
}
EXPORT_SYMBOL_IF_KUNIT(static_call_arm64_kunit_expect_tramp);

/* The sites of sc_a64 */

#define MAX_SITES 4

struct sites {
	int nr;
	void *addr[MAX_SITES];
	bool tail[MAX_SITES];
};

#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
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

static void get_sites_of(struct kunit *test, struct static_call_key *key,
			 struct sites *s, int nr)
{
	memset(s, 0, sizeof(*s));
	static_call_visit_sites(key, collect_site, s);
	KUNIT_ASSERT_EQ_MSG(test, s->nr, nr, "%ps: %d sites, not %d", key,
			    s->nr, nr);
}
#else
static void get_sites_of(struct kunit *test, struct static_call_key *key,
			 struct sites *s, int nr)
{
	memset(s, 0, sizeof(*s));
}
#endif

static void get_sites(struct kunit *test, struct sites *s)
{
	get_sites_of(test, &STATIC_CALL_KEY(sc_a64), s, 2);
}

static void expect_all(struct kunit *test, void *func)
{
	void *tramp = &STATIC_CALL_TRAMP(sc_a64);
	struct sites s;
	int i;

	get_sites(test, &s);
	for (i = 0; i < s.nr; i++)
		static_call_arm64_kunit_expect_site(test, s.addr[i], s.tail[i],
						    tramp, func);
	static_call_arm64_kunit_expect_tramp(test, tramp, func);
}

static void restore_a64(void *unused)
{
	static_call_update(sc_a64, wb_a);
}

#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
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

		KUNIT_EXPECT_TRUE_MSG(test, s.addr[i] - fn >= 0 &&
				      s.addr[i] - fn < 32,
				      "%s site %pS outside %ps",
				      s.tail[i] ? "tail" : "call", s.addr[i], fn);
	}
}

#endif

static void patched_at_boot(struct kunit *test)
{
	expect_all(test, wb_a);
	KUNIT_EXPECT_EQ(test, wb_call_site(1), 2);
	KUNIT_EXPECT_EQ(test, wb_tail_site(1), 2);
}

/* One kind of target: what the places must hold, and what a call gives. */
struct wb_target_case {
	const char *name;
	void *func;
	bool calls;		/* false: NULL, the site calls nothing */
	long arg;
	long result;
};

static const struct wb_target_case wb_target_cases[] = {
	{ "function: BL and B to it", (void *)wb_b, true, 1, 3 },
	{ "NULL: NOP, B to the trampoline, trampoline returns", NULL, false },
	{ "__static_call_return0: BL and B to it",
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

	kunit_add_action(test, restore_a64, NULL);
	static_call_update(sc_a64, c->func);
	expect_all(test, c->func);
	if (!c->calls) {
		/* The tail site still runs: through the trampoline's RET. */
		wb_tail_site(1);
		return;
	}
	KUNIT_EXPECT_EQ(test, wb_call_site(c->arg), c->result);
	KUNIT_EXPECT_EQ(test, wb_tail_site(c->arg), c->result);
}

static void restore_cond(void *unused)
{
	static_call_update(sc_a64_cond, NULL);
}

static void cond_call_null_is_a_nop(struct kunit *test)
{
	void *tramp = &STATIC_CALL_TRAMP(sc_a64_cond);
	struct sites s;

	kunit_add_action(test, restore_cond, NULL);
	get_sites_of(test, &STATIC_CALL_KEY(sc_a64_cond), &s,
		     INLINE_SITES ? 1 : 0);
	if (s.nr)
		static_call_arm64_kunit_expect_site(test, s.addr[0], s.tail[0],
						    tramp, NULL);
	static_call_arm64_kunit_expect_tramp(test, tramp, NULL);
	wb_cond_calls = 0;
	wb_cond_site(1);
	KUNIT_EXPECT_EQ(test, wb_cond_calls, 0);

	static_call_update(sc_a64_cond, wb_cond_target);
	if (s.nr)
		static_call_arm64_kunit_expect_site(test, s.addr[0], s.tail[0],
						    tramp, wb_cond_target);
	static_call_arm64_kunit_expect_tramp(test, tramp, wb_cond_target);
	wb_cond_site(1);
	KUNIT_EXPECT_EQ(test, wb_cond_calls, 1);
}

#ifdef CONFIG_EXECMEM
/*
 * A function out of branch range of the kernel, as a module far away
 * would have: BTI C (the trampoline reaches it with BR x16), ADD x0, x0,
 * #4, RET, in a page at least 256 MiB past the end of the image.
 */
struct far_fn {
	void *page;
	long (*fn)(long x);
};

static int far_fn_init(struct far_fn *far)
{
	unsigned long start = ALIGN((unsigned long)_end + SZ_256M, PAGE_SIZE);
	u32 code[] = {
		aarch64_insn_gen_hint(AARCH64_INSN_HINT_BTIC),
		aarch64_insn_gen_add_sub_imm(AARCH64_INSN_REG_0,
					     AARCH64_INSN_REG_0, 4,
					     AARCH64_INSN_VARIANT_64BIT,
					     AARCH64_INSN_ADSB_ADD),
		aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_LR,
					    AARCH64_INSN_BRANCH_RETURN),
	};
	int i;

	far->page = __vmalloc_node_range(PAGE_SIZE, PAGE_SIZE, start,
					 VMALLOC_END, GFP_KERNEL,
					 PAGE_KERNEL_ROX, VM_FLUSH_RESET_PERMS,
					 NUMA_NO_NODE,
					 __builtin_return_address(0));
	if (!far->page)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(code); i++)
		if (aarch64_insn_patch_text_nosync(far->page + 4 * i, code[i]))
			return -EFAULT;
	far->fn = far->page;
	return 0;
}

static void restore_a64_and_free(void *page)
{
	static_call_update(sc_a64, wb_a);
	vfree(page);
}

/*
 * A target no site and not the trampoline can reach: the sites call the
 * trampoline, whose slot is a NOP and whose literal holds the target.
 * Back in range, the slot branches again and the literal follows.
 */
static void far_target_through_literal(struct kunit *test)
{
	struct far_fn far;

	KUNIT_ASSERT_EQ(test, far_fn_init(&far), 0);
	kunit_add_action(test, restore_a64_and_free, far.page);
	KUNIT_ASSERT_FALSE(test, static_call_arm64_kunit_in_range(_stext,
								  far.page));
	KUNIT_ASSERT_EQ(test, far.fn(1), 5);

	static_call_update(sc_a64, far.fn);
	expect_all(test, far.fn);
	KUNIT_EXPECT_EQ(test, wb_call_site(1), 5);
	KUNIT_EXPECT_EQ(test, wb_tail_site(2), 6);

	static_call_update(sc_a64, NULL);
	expect_all(test, NULL);
	static_call_update(sc_a64, far.fn);
	static_call_update(sc_a64, wb_c);
	expect_all(test, wb_c);
	KUNIT_EXPECT_EQ(test, wb_call_site(1), 4);
}
#endif /* CONFIG_EXECMEM: patch_map() writes vmalloc text */

#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
/* Writing a site by hand, the way an update would. */
static void poke(void *addr, u32 insn)
{
	mutex_lock(&text_mutex);
	WARN_ON(aarch64_insn_patch_text_nosync(addr, insn));
	mutex_unlock(&text_mutex);
}

/*
 * A site that holds a call the key never made is left as found, loudly
 * (a WARN, which taints); the trampoline and every other site follow the
 * update, so nothing keeps calling the old target.
 */
static void corrupt_site_left_as_found_rest_updated(struct kunit *test)
{
	void *tramp = &STATIC_CALL_TRAMP(sc_a64);
	struct sites s;
	u32 corrupt;
	int call = 0;

	kunit_add_action(test, restore_a64, NULL);
	get_sites(test, &s);
	if (s.tail[0])
		call = 1;

	/* A call, but to a function the key never had. */
	corrupt = aarch64_insn_gen_branch_imm((unsigned long)s.addr[call],
					      (unsigned long)wb_c,
					      AARCH64_INSN_BRANCH_LINK);
	poke(s.addr[call], corrupt);

	pr_info("static_call_arm64_kunit: the next warning is expected\n");
	static_call_update(sc_a64, wb_b);
	pr_info("static_call_arm64_kunit: end of expected warning\n");

	KUNIT_EXPECT_TRUE_MSG(test, test_taint(TAINT_WARN),
			      "leaving a site as found did not warn");
	KUNIT_EXPECT_PTR_EQ(test, (void *)static_call_query(sc_a64),
			    (void *)wb_b);
	KUNIT_EXPECT_EQ_MSG(test, read_insn(s.addr[call]), corrupt,
			    "the corrupt site was written");
	static_call_arm64_kunit_expect_site(test, s.addr[!call], s.tail[!call],
					    tramp, wb_b);
	static_call_arm64_kunit_expect_tramp(test, tramp, wb_b);
	KUNIT_EXPECT_EQ(test, wb_tail_site(1), 3);

	/* Repaired by hand, the site follows the next update again. */
	poke(s.addr[call],
	     aarch64_insn_gen_branch_imm((unsigned long)s.addr[call],
					 (unsigned long)wb_b,
					 AARCH64_INSN_BRANCH_LINK));
	static_call_update(sc_a64, wb_a);
	expect_all(test, wb_a);
}
#endif

static void restore_exit(void *unused)
{
	static_call_update(sc_a64_exit, wb_a);
}

/*
 * A built-in __exit function never runs and its text is not kernel
 * text: its site is never visited, and updating its key works.
 */
static void exit_text_site_never_written(struct kunit *test)
{
	struct sites s;

	kunit_add_action(test, restore_exit, NULL);
	get_sites_of(test, &STATIC_CALL_KEY(sc_a64_exit), &s, 0);
	static_call_update(sc_a64_exit, wb_b);
	KUNIT_EXPECT_PTR_EQ(test, (void *)static_call_query(sc_a64_exit),
			    (void *)wb_b);
}

/* A site reserves its own four bytes from kprobes, no more. */
static void site_reserves_only_its_instruction(struct kunit *test)
{
	void *tramp = &STATIC_CALL_TRAMP(sc_a64);
	struct sites s;
	int i;

	KUNIT_EXPECT_EQ(test, static_call_text_reserved(tramp, tramp), 1);
	get_sites(test, &s);
	for (i = 0; i < s.nr; i++) {
		void *site = s.addr[i];

		KUNIT_EXPECT_EQ_MSG(test,
				    static_call_text_reserved(site, site + 3),
				    1, "%pS not reserved", site);
		KUNIT_EXPECT_EQ_MSG(test,
				    static_call_text_reserved(site + 4, site + 4),
				    0, "the instruction after %pS is reserved",
				    site);
	}
}

/* Out of line there are no sites: only the trampoline is looked at. */
static struct kunit_case static_call_arm64_cases[] = {
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
	KUNIT_CASE(sites_found_with_their_kind),
#endif
	KUNIT_CASE(patched_at_boot),
	KUNIT_CASE_PARAM(update_writes_encoding_for_target,
			 wb_target_gen_params),
	KUNIT_CASE(cond_call_null_is_a_nop),
#ifdef CONFIG_EXECMEM
	KUNIT_CASE(far_target_through_literal),
#endif
	KUNIT_CASE(exit_text_site_never_written),
	KUNIT_CASE(site_reserves_only_its_instruction),
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
	/* Last: it taints the kernel. */
	KUNIT_CASE(corrupt_site_left_as_found_rest_updated),
#endif
	{}
};

static struct kunit_suite static_call_arm64_suite = {
	.name = "static_call_arm64",
	.test_cases = static_call_arm64_cases,
};

kunit_test_suite(static_call_arm64_suite);
