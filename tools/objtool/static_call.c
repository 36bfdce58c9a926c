// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Emit .static_call_sites: one entry for every call or jump to a static
 * call trampoline.  check.c collects those instructions on
 * file->static_call_list while it decodes; this file turns the list into
 * the table the kernel patches from (struct static_call_site, in
 * include/linux/static_call_types.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/static_call_types.h>
#include <objtool/builtin.h>
#include <objtool/check.h>
#include <objtool/elf.h>
#include <objtool/static_call.h>
#include <objtool/warn.h>

/*
 * The key of the trampoline __SCT__<name> is __SCK__<name>.  A module
 * may reach a trampoline whose key it cannot see (the kernel exported
 * only the trampoline): it then names the trampoline, and the kernel
 * finds the key when it loads the module.
 */
static struct symbol *site_key_symbol(struct objtool_file *file,
				      struct symbol *tramp)
{
	struct symbol *key;
	const char *name;
	char *key_name;
	size_t size;

	/* Only past the prefix check is there a name after the prefix. */
	if (strncmp(tramp->name, STATIC_CALL_TRAMP_PREFIX_STR,
		    STATIC_CALL_TRAMP_PREFIX_LEN)) {
		WARN("static_call: %s is not a trampoline name", tramp->name);
		return NULL;
	}
	name = tramp->name + STATIC_CALL_TRAMP_PREFIX_LEN;
	size = STATIC_CALL_KEY_PREFIX_LEN + strlen(name) + 1;
	key_name = malloc(size);
	if (!key_name) {
		perror("malloc");
		return NULL;
	}
	snprintf(key_name, size, "%s%s", STATIC_CALL_KEY_PREFIX_STR, name);
	key = find_symbol_by_name(file->elf, key_name);
	if (!key && !opts.module)
		WARN("static_call: no key %s for %s", key_name, tramp->name);
	free(key_name);
	if (!key && opts.module)
		key = tramp;
	return key;
}

static int emit_site(struct objtool_file *file, struct section *sec, int idx,
		     struct instruction *insn)
{
	size_t off = idx * sizeof(struct static_call_site);
	bool tail = insn->type != INSN_CALL;
	struct symbol *key;

	key = site_key_symbol(file, insn_call_dest(insn));
	if (!key)
		return -1;

	if (!elf_init_reloc_text_sym(file->elf, sec,
				     off + offsetof(struct static_call_site, addr),
				     2 * idx, insn->sec, insn->offset))
		return -1;

	/* The flags ride in the low bits of the key's address. */
	if (!elf_init_reloc_data_sym(file->elf, sec,
				     off + offsetof(struct static_call_site, key),
				     2 * idx + 1, key,
				     tail ? STATIC_CALL_SITE_TAIL : 0))
		return -1;
	return 0;
}

int create_static_call_sections(struct objtool_file *file)
{
	struct instruction *insn;
	struct section *sec;
	int nr = 0, idx = 0;

	if (find_section_by_name(file->elf, ".static_call_sites")) {
		WARN("file already has .static_call_sites section, skipping");
		INIT_LIST_HEAD(&file->static_call_list);
		return 0;
	}

	list_for_each_entry(insn, &file->static_call_list, call_node)
		nr++;
	if (!nr)
		return 0;

	sec = elf_create_section_pair(file->elf, ".static_call_sites",
				      sizeof(struct static_call_site), nr,
				      2 * nr);
	if (!sec)
		return -1;

	/* The kernel names keys for trampolines and sorts the table. */
	sec->sh.sh_flags |= SHF_WRITE;

	list_for_each_entry(insn, &file->static_call_list, call_node)
		if (emit_site(file, sec, idx++, insn))
			return -1;
	return 0;
}
