/*
 * opts.h - a command's words read as its program reads its options
 * (getopt_long style), for rules that must tell `-fsSL` (four flags) from
 * `-ofile` (one option and its value) or `-H -f` (a header named "-f").
 *
 * A word "-abc" is a cluster of short options, read letter by letter until
 * one takes a value: the rest of the word is that value, or the next word
 * when nothing is left ("-sSLo out" and "-sSLoout" both give -o "out").
 * "--name=value" is a long option with its value; a long option listed as
 * taking one and written without '=' takes the next word. "-" is an operand;
 * after "--" every word is. Words are read by value (quotes removed).
 *
 * Ownership: the iterator borrows the command and the spec.
 */
#ifndef DF_ENGINE_OPTS_H
#define DF_ENGINE_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "parse/shell.h"

typedef struct df_optspec {
	const char *short_values;	/* short letters that take a value ("oHd"), or NULL */
	const char *const *long_values;	/* long options that take one ("--output"),
					 * NULL-terminated, or NULL */
} df_optspec;

/* One option or operand. An operand has letter 0 and name.ptr NULL. */
typedef struct df_opt {
	size_t word;		/* index in c->words of the word it starts in */
	char letter;		/* a short option, else 0 */
	df_str name;		/* a long option as written up to '=' ("--output"),
				 * else ptr NULL */
	df_str value;		/* the option's value or the operand; ptr NULL: none */
	size_t value_word;	/* index of the word the value is in */
} df_opt;

typedef struct df_opt_iter {
	const df_sh_cmd *c;
	const df_optspec *spec;
	size_t i;		/* the word being read */
	size_t k;		/* next letter of a cluster in word i, 0: none */
	bool operands;		/* after "--" */
} df_opt_iter;

/* Read the words of c after index from (the command name, usually). */
void df_opt_iter_init(df_opt_iter *it, const df_sh_cmd *c, size_t from, const df_optspec *spec);
/* The next option or operand into *o; false at the end. */
bool df_opt_next(df_opt_iter *it, df_opt *o);
/* Does c carry the short option letter (0: none) or one of longs
 * (NULL-terminated, may be NULL), as df_opt_next() reads its words? */
bool df_opt_has(const df_sh_cmd *c, size_t from, const df_optspec *spec, char letter,
		const char *const *longs);
/* Is w (expanded as df_lint_expanded() does) of unknown value that may
 * expand to options: it starts with a variable or a substitution ($FLAGS,
 * not https://host/$VERSION)? */
bool df_opt_may_hide_option(const df_sh_word *w);
/* Is o a long option named one of names (NULL-terminated)? */
bool df_opt_is_long(const df_opt *o, const char *const *names);

#endif
