/*
 * parser.h - bytes to a lossless df_doc (see ast.h).
 *
 * df_doc_parse() never fails on bad Dockerfile syntax: each bad instruction
 * becomes a DL1000 diagnostic in doc->diags (line, column, message) and
 * parsing goes on at the next instruction. It returns -1 only when the input
 * as a whole is refused (larger than DF_MAX_FILE); doc->diags then holds the
 * reason and doc has no nodes. Either way the caller must df_doc_release().
 *
 * After parsing, builder variable expansion is resolved (scope.h) and the
 * shell text of RUN/CMD/ENTRYPOINT and heredoc scripts is parsed (shell.h).
 */
#ifndef DF_PARSE_PARSER_H
#define DF_PARSE_PARSER_H

#include <stddef.h>

#include "parse/ast.h"
#include "util/buf.h"

typedef struct df_parse_opts {
	const char *const *build_args;	/* "NAME=VALUE" strings known at build time */
	size_t nbuild_args;
	/* Resolve as the builder does at build time (dfopt build), where
	 * nothing is unknown: an ARG with no default and no build arg is
	 * unset, and the ENV of a stage's base image is what image_env
	 * returns for the expanded FROM reference (NAME=VALUE strings,
	 * NULL-terminated, borrowed until parsing ends; NULL: none). */
	bool build_time;
	const char *const *(*image_env)(void *ud, df_str ref);
	void *image_env_ud;
} df_parse_opts;

int df_doc_parse(df_doc *doc, const char *name, const char *data, size_t len,
		 const df_parse_opts *opts);
void df_doc_release(df_doc *doc);

/* Print the document from its nodes: the input, byte for byte. */
void df_doc_print(const df_doc *doc, df_buf *out);

/* Parse the instruction keyword kw[0..len) case-insensitively. */
df_instr_kind df_instr_kind_from(const char *kw, size_t len);

#endif
