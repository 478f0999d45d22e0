/*
 * scope.h - the builder's variable scoping, applied to a parsed document.
 *
 * df_scope_resolve() walks the instructions in order keeping what the builder
 * keeps: global ARGs (before the first FROM, usable in FROM lines and visible
 * in a stage only after `ARG NAME` re-declares them), each stage's ARG and ENV
 * values (ENV inherited from a base stage), and the predefined platform and
 * proxy args. For every value the builder expands it fills the df_expanded of
 * that word, flag or pair: KNOWN with the result when every input is known,
 * UNKNOWN when it depends on a build arg with no known value, ERROR with the
 * message when expansion fails.
 */
#ifndef DF_PARSE_SCOPE_H
#define DF_PARSE_SCOPE_H

#include "parse/ast.h"
#include "parse/parser.h"

void df_scope_resolve(df_doc *doc, const df_parse_opts *opts);

/* The binding of name that an expansion sees in bindings (an instruction's
 * in->scope): ENV over ARG, and of a base stage only the ENV bindings.
 * NULL when name is not bound. Walks the list: for one-off questions. */
const df_var *df_scope_find(const df_var *bindings, const char *name, size_t len);

#endif
