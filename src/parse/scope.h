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

#endif
