/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _OBJTOOL_STATIC_CALL_H
#define _OBJTOOL_STATIC_CALL_H

#include <objtool/objtool.h>

int create_static_call_sections(struct objtool_file *file);

#endif /* _OBJTOOL_STATIC_CALL_H */
