/*
 * check_parse.c - unit tests of the parser's building blocks and of facts
 * that are easier to assert on the tree than in a JSON dump: positions,
 * exec-form decoding, flag typing, durations, heredoc bodies, limits, and
 * robustness against arbitrary bytes.
 */
#include "parse/flags.h"
#include "parse/jsonargs.h"
#include "parse/lexer.h"
#include "parse/scope.h"
#include "parse/shell.h"
#include "parse/words.h"
#include "testutil.h"

static df_doc doc;

static const df_instr *parse1(const char *text)
{
	df_doc_parse(&doc, "Dockerfile", text, strlen(text), NULL);
	ck_assert_msg(doc.ninstrs >= 1, "no instruction in %s", text);
	tu_check_lossless("inline", &doc, text, strlen(text));
	return doc.instrs[doc.ninstrs - 1];
}

static void done(void)
{
	df_doc_release(&doc);
}

static void assert_str(df_str s, const char *want)
{
	ck_assert_msg(s.ptr && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0,
		      "got '%.*s', want '%s'", (int)s.len, s.ptr ? s.ptr : "", want);
}

static const df_diag *first_error(void)
{
	return doc.diags.len ? &doc.diags.items[0] : NULL;
}

/* ---- lines ------------------------------------------------------------------- */

START_TEST(test_continuation_joins_without_separator)
{
	const df_instr *in = parse1("RUN echo a\\\n    b\n");
	assert_str(in->rest, "echo a    b");
	ck_assert_uint_eq(in->line, 1);
	ck_assert_uint_eq(in->end_line, 2);
	done();
}
END_TEST

START_TEST(test_escaped_escape_does_not_continue)
{
	df_doc_parse(&doc, "f", "RUN echo a\\\\\nRUN b\n", 19, NULL);
	ck_assert_uint_eq(doc.ninstrs, 2);
	assert_str(doc.instrs[0]->rest, "echo a\\\\");
	done();
}
END_TEST

START_TEST(test_comment_and_blank_inside_continuation)
{
	const df_instr *in = parse1("RUN a \\\n# note\n\n  && b\n");
	assert_str(in->rest, "a   && b");
	ck_assert_uint_eq(in->empty_continuations, 1);
	ck_assert_uint_eq(doc.nnodes, 1);
	done();
}
END_TEST

START_TEST(test_crlf_and_bom)
{
	const char text[] = "\xEF\xBB\xBFrun echo hi\r\nCMD [\"a\"]\r\n";
	df_doc_parse(&doc, "f", text, sizeof(text) - 1, NULL);
	ck_assert(doc.bom);
	ck_assert_uint_eq(doc.ninstrs, 2);
	assert_str(doc.instrs[0]->rest, "echo hi");
	assert_str(doc.instrs[0]->keyword, "run");
	ck_assert_int_eq(doc.instrs[0]->kind, DF_I_RUN);
	ck_assert(doc.instrs[1]->exec_form);
	tu_check_lossless("crlf", &doc, text, sizeof(text) - 1);
	done();
}
END_TEST

START_TEST(test_backtick_escape_directive)
{
	const df_instr *in = parse1("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n  && echo x\n");
	ck_assert_int_eq(doc.escape, '`');
	assert_str(in->rest, "dir C:\\   && echo x");
	done();
}
END_TEST

START_TEST(test_directive_after_comment_is_comment)
{
	parse1("# hello\n# escape=`\nRUN a `\n");
	ck_assert_int_eq(doc.escape, '\\');
	ck_assert_ptr_null(doc.escape_dir);
	done();
}
END_TEST

START_TEST(test_repeated_directive_is_error)
{
	parse1("# syntax=a\n# SYNTAX=b\nFROM x\n");
	ck_assert_ptr_nonnull(first_error());
	ck_assert_uint_eq(first_error()->line, 2);
	ck_assert_str_eq(first_error()->code, "DL1000");
	done();
}
END_TEST

START_TEST(test_long_line_is_error_not_crash)
{
	size_t n = 70000;
	char *text = malloc(n + 16);
	memcpy(text, "RUN ", 4);
	memset(text + 4, 'a', n);
	memcpy(text + 4 + n, "\nRUN b\n", 8);
	df_doc_parse(&doc, "f", text, strlen(text), NULL);
	ck_assert_uint_eq(doc.ninstrs, 2);
	ck_assert_ptr_nonnull(first_error());
	ck_assert_uint_eq(first_error()->line, 1);
	ck_assert_msg(strstr(first_error()->message, "too long"), "%s", first_error()->message);
	tu_check_lossless("long", &doc, text, strlen(text));
	free(text);
	done();
}
END_TEST

START_TEST(test_file_too_large)
{
	char c = 0;
	ck_assert_int_eq(df_doc_parse(&doc, "f", &c, (size_t)DF_MAX_FILE + 1, NULL), -1);
	ck_assert_uint_eq(doc.nnodes, 0);
	ck_assert_ptr_nonnull(strstr(doc.diags.items[0].message, "too large"));
	done();
}
END_TEST

START_TEST(test_keywords_round_trip)
{
	for (int k = DF_I_UNKNOWN + 1; k < DF_I_COUNT; k++) {
		const char *name = df_instr_kind_name((df_instr_kind)k);
		ck_assert_int_eq(df_instr_kind_from(name, strlen(name)), k);
		char lower[16];
		size_t n = strlen(name);
		for (size_t i = 0; i <= n; i++)
			lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
		ck_assert_int_eq(df_instr_kind_from(lower, n), k);
		ck_assert_int_eq(df_instr_kind_from(name, n - 1), DF_I_UNKNOWN);
	}
	ck_assert_int_eq(df_instr_kind_from("UNKNOWN", 7), DF_I_UNKNOWN);
	ck_assert_int_eq(df_instr_kind_from("FORM", 4), DF_I_UNKNOWN);
}
END_TEST

/* ---- exec form ------------------------------------------------------------------ */

START_TEST(test_exec_form_decodes_json)
{
	static const char text[] = "CMD [\"a\\u0000b\", \"\\u00e9\\n\", \"\\ud83d\\ude00\"]\n";
	const df_instr *in = parse1(text);
	ck_assert(in->exec_form);
	ck_assert_uint_eq(in->nargs, 3);
	ck_assert_uint_eq(in->args[0].value.len, 3);
	ck_assert_int_eq(in->args[0].value.ptr[1], '\0');
	assert_str(in->args[1].value, "\xc3\xa9\n");
	assert_str(in->args[2].value, "\xf0\x9f\x98\x80");
	/* The first element's span covers its JSON literal, quotes included. */
	ck_assert_uint_eq(in->args[0].span.start, 5);
	ck_assert_uint_eq(in->args[0].span.end, 15);
	done();
}
END_TEST

START_TEST(test_json_fallback_rules)
{
	const df_instr *in = parse1("RUN ['a', 'b']\n");
	ck_assert(!in->exec_form);
	assert_str(in->rest, "['a', 'b']");
	done();
	in = parse1("RUN [\"a\", \n");
	ck_assert(!in->exec_form);
	done();
	parse1("RUN [\"a\", 1]\n");
	ck_assert_ptr_nonnull(first_error());
	ck_assert_ptr_nonnull(strstr(first_error()->message, "strings only"));
	done();
	in = parse1("ENTRYPOINT []\n");
	ck_assert(in->exec_form);
	ck_assert_uint_eq(in->nargs, 0);
	done();
}
END_TEST

/* ---- flags ------------------------------------------------------------------------- */

START_TEST(test_mount_flag_typed)
{
	const df_instr *in = parse1("RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=pip "
				    "--mount=type=secret,id=tok --network=none pip install x\n");
	ck_assert_uint_eq(in->nflags, 3);
	ck_assert_ptr_nonnull(in->flags[0].mount);
	ck_assert_int_eq(in->flags[0].mount->type, DF_MOUNT_CACHE);
	assert_str(in->flags[0].mount->target, "/root/.cache");
	ck_assert_int_eq(in->flags[0].mount->sharing, DF_SHARING_LOCKED);
	ck_assert_int_eq(in->flags[1].mount->type, DF_MOUNT_SECRET);
	assert_str(in->flags[2].value, "none");
	assert_str(in->rest, "pip install x");
	ck_assert_uint_eq(doc.diags.len, 0);
	done();
}
END_TEST

START_TEST(test_flag_errors)
{
	parse1("COPY --frm=build /a /b\n");
	ck_assert_ptr_nonnull(first_error());
	ck_assert_ptr_nonnull(strstr(first_error()->message, "did you mean --from?"));
	ck_assert_uint_eq(first_error()->col, 6);
	done();
	parse1("COPY --from=a --from=b /a /b\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "duplicate flag"));
	done();
	parse1("COPY --link=maybe a b\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "expecting boolean"));
	done();
	parse1("COPY --from a b\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "missing a value"));
	done();
	/* Repeatable flags are fine. */
	const df_instr *in = parse1("COPY --exclude=*.md --exclude=*.txt . /app/\n");
	ck_assert_uint_eq(doc.diags.len, 0);
	ck_assert_uint_eq(in->nflags, 2);
	done();
}
END_TEST

START_TEST(test_flag_quotes_and_double_dash)
{
	const df_instr *in = parse1("COPY --chown=\"1000:1000\" -- --weird /dst/\n");
	assert_str(in->flags[0].value, "1000:1000");
	ck_assert_uint_eq(in->nsources, 1);
	assert_str(in->sources[0].raw, "--weird");
	done();
}
END_TEST

START_TEST(test_durations)
{
	int64_t ns;
	ck_assert(df_parse_duration("30s", 3, &ns) && ns == 30000000000LL);
	ck_assert(df_parse_duration("1m30s", 5, &ns) && ns == 90000000000LL);
	ck_assert(df_parse_duration("1.5s", 4, &ns) && ns == 1500000000LL);
	ck_assert(df_parse_duration("500ms", 5, &ns) && ns == 500000000LL);
	ck_assert(df_parse_duration("0", 1, &ns) && ns == 0);
	ck_assert(df_parse_duration("2h", 2, &ns) && ns == 7200000000000LL);
	ck_assert(!df_parse_duration("30", 2, &ns));
	ck_assert(!df_parse_duration("s", 1, &ns));
	ck_assert(!df_parse_duration("3x", 2, &ns));
	ck_assert(!df_parse_duration("", 0, &ns));
	const df_instr *in = parse1("HEALTHCHECK --interval=5m --timeout=3s --retries=3 CMD curl -f http://x/ || exit 1\n");
	ck_assert_int_eq(in->flags[0].duration_ns, 300000000000LL);
	ck_assert_int_eq(in->flags[2].integer, 3);
	ck_assert(!in->exec_form);
	assert_str(in->args[0].value, "curl -f http://x/ || exit 1");
	done();
	parse1("HEALTHCHECK --interval=10 CMD true\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "invalid duration"));
	done();
}
END_TEST

/* ---- instructions ------------------------------------------------------------ */

START_TEST(test_from_forms)
{
	const df_instr *in = parse1("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n");
	assert_str(in->from_image.raw, "golang:1.22");
	assert_str(in->from_alias.raw, "Build");
	assert_str(in->from_platform->value, "$BUILDPLATFORM");
	done();
	parse1("FROM a b\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "one or three"));
	done();
	parse1("FROM a AS 1x\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "invalid name for build stage"));
	done();
}
END_TEST

START_TEST(test_env_forms)
{
	const df_instr *in = parse1("FROM scratch\nENV A=1 B=\"two words\" C=a\\ b\n");
	ck_assert_uint_eq(in->npairs, 3);
	assert_str(in->pairs[1].key, "B");
	assert_str(in->pairs[1].value, "\"two words\"");
	assert_str(in->pairs[1].value_exp.value, "two words");
	assert_str(in->pairs[2].value_exp.value, "a b");
	ck_assert(!in->legacy_kv);
	done();
	in = parse1("ENV PATH /usr/local/bin:$PATH extra\n");
	ck_assert(in->legacy_kv);
	assert_str(in->pairs[0].key, "PATH");
	assert_str(in->pairs[0].value, "/usr/local/bin:$PATH extra");
	done();
	parse1("ENV A=1 B\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "can't find ="));
	done();
	parse1("ENV A\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "two arguments"));
	done();
}
END_TEST

/* The splitters' plain flag: a word is plain when its raw text holds no
 * '$', quote or escape char (either one, in force or not), and only then;
 * the resolver takes such a word as its own expansion. */
START_TEST(test_plain_words)
{
	const df_instr *in = parse1("FROM scratch\nENV A=1 B=\"x\" C=$D E=a\\ b F=/p\n");
	ck_assert_uint_eq(in->nargs, 5);
	ck_assert(in->args[0].plain);
	ck_assert(!in->args[1].plain);
	ck_assert(!in->args[2].plain);
	ck_assert(!in->args[3].plain);
	ck_assert(in->args[4].plain);
	assert_str(in->pairs[0].value_exp.value, "1");
	assert_str(in->pairs[4].value_exp.value, "/p");
	done();
	in = parse1("FROM scratch\nCOPY a $b c`d 'e' /dst/\n");
	ck_assert_uint_eq(in->nargs, 5);
	ck_assert(in->args[0].plain);
	ck_assert(!in->args[1].plain);
	ck_assert(!in->args[2].plain);	/* '`' is ordinary here, but no plain word holds it */
	ck_assert(!in->args[3].plain);
	ck_assert(in->args[4].plain);
	done();
	in = parse1("# escape=`\nFROM scratch\nCOPY C:\\a D:\\b\n");
	ck_assert(!in->args[0].plain);
	assert_str(in->args[0].exp.value, "C:\\a");
	done();
	in = parse1("FROM scratch\nCOPY [\"a\", \"/d\"]\n");
	ck_assert(!in->args[0].plain);	/* decoded JSON: not the splitters' */
	done();
}
END_TEST

START_TEST(test_env_uses_old_value)
{
	df_doc_parse(&doc, "f", "FROM scratch\nENV a=1\nENV a=2 b=$a\n", 33, NULL);
	const df_instr *in = doc.instrs[2];
	assert_str(in->pairs[1].value_exp.value, "1");
	done();
}
END_TEST

START_TEST(test_arg_scoping)
{
	static const char text[] =
		"ARG VER=1.0\n"
		"ARG IMG=alpine:$VER\n"
		"FROM $IMG\n"
		"RUN echo\n"
		"WORKDIR /v$VER\n"
		"ARG VER\n"
		"WORKDIR /v$VER\n"
		"ARG NODEF\n"
		"WORKDIR /n/$NODEF\n";
	df_doc_parse(&doc, "f", text, strlen(text), NULL);
	ck_assert_uint_eq(doc.diags.len, 0);
	assert_str(doc.instrs[2]->from_image.exp.value, "alpine:1.0");
	/* The global VER is not visible in the stage until re-declared... */
	ck_assert_int_eq(doc.instrs[4]->args[0].exp.state, DF_EXP_UNKNOWN);
	/* ...and then takes the global value. */
	assert_str(doc.instrs[6]->args[0].exp.value, "/v1.0");
	ck_assert_int_eq(doc.instrs[8]->args[0].exp.state, DF_EXP_UNKNOWN);
	done();
}
END_TEST

START_TEST(test_scope_find_sees_base_env_not_args)
{
	static const char text[] =
		"FROM scratch AS base\n"
		"ARG A=1\n"
		"ENV E=2\n"
		"ARG E=3\n"
		"FROM base\n"
		"WORKDIR /$A/$E\n";
	df_doc_parse(&doc, "f", text, strlen(text), NULL);
	ck_assert_uint_eq(doc.diags.len, 0);
	const df_instr *wd = doc.instrs[5];
	/* The base stage's ARG is gone, its ENV stays (and beats its ARG). */
	ck_assert_ptr_null(df_scope_find(wd->scope, "A", 1));
	const df_var *e = df_scope_find(wd->scope, "E", 1);
	ck_assert_ptr_nonnull(e);
	ck_assert(e->is_env);
	assert_str(e->value, "2");
	assert_str(wd->args[0].exp.value, "//2");
	/* In the base stage itself both are visible, ENV over ARG. */
	const df_var *a = df_scope_find(doc.instrs[3]->scope, "A", 1);
	ck_assert_ptr_nonnull(a);
	assert_str(a->value, "1");
	done();
}
END_TEST

START_TEST(test_build_args_override)
{
	static const char text[] = "ARG V=1\nFROM scratch\nARG V\nWORKDIR /$V\n";
	const char *ba[] = { "V=9" };
	df_parse_opts o = { .build_args = ba, .nbuild_args = 1 };
	df_doc_parse(&doc, "f", text, strlen(text), &o);
	assert_str(doc.instrs[3]->args[0].exp.value, "/9");
	done();
}
END_TEST

START_TEST(test_copy_forms)
{
	const df_instr *in = parse1("COPY [\"a b\", \"c\", \"/dst/\"]\n");
	ck_assert(in->exec_form);
	ck_assert_uint_eq(in->nsources, 2);
	assert_str(in->sources[0].value, "a b");
	assert_str(in->dest->value, "/dst/");
	done();
	parse1("COPY onlyone\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "at least two arguments"));
	done();
	/* Several sources into a path without '/': BuildKit builds it. */
	in = parse1("FROM scratch\nCOPY a b /nodir\n");
	ck_assert_uint_eq(doc.diags.len, 0);
	ck_assert_uint_eq(in->nsources, 2);
	done();
}
END_TEST

START_TEST(test_onbuild)
{
	const df_instr *in = parse1("ONBUILD RUN --mount=type=cache,target=/x make\n");
	ck_assert_ptr_nonnull(in->inner);
	ck_assert_int_eq(in->inner->kind, DF_I_RUN);
	assert_str(in->inner->rest, "make");
	ck_assert_uint_eq(in->inner->nflags, 1);
	ck_assert_uint_eq(in->inner->keyword_span.start, 8);
	done();
	parse1("ONBUILD ONBUILD RUN x\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "ONBUILD ONBUILD"));
	done();
	parse1("onbuild from x\n");
	ck_assert_ptr_nonnull(strstr(first_error()->message, "isn't allowed as an ONBUILD trigger"));
	done();
}
END_TEST

START_TEST(test_unknown_instruction_recovers)
{
	df_doc_parse(&doc, "f", "FORM alpine\nRUN ok\n", 19, NULL);
	ck_assert_uint_eq(doc.ninstrs, 2);
	ck_assert_int_eq(doc.instrs[0]->kind, DF_I_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(first_error()->message, "did you mean FROM?"));
	ck_assert_int_eq(doc.instrs[1]->kind, DF_I_RUN);
	ck_assert(!doc.instrs[1]->has_error);
	done();
}
END_TEST

/* ---- heredocs ------------------------------------------------------------------ */

START_TEST(test_heredoc_bodies)
{
	static const char text[] =
		"COPY <<a.txt <<\"b.txt\" /dst/\n"
		"hello $X\n"
		"a.txt\n"
		"raw $X\n"
		"b.txt\n"
		"RUN <<-EOT bash\n"
		"\techo one\n"
		"\tEOT\n";
	df_doc_parse(&doc, "f", text, strlen(text), NULL);
	ck_assert_uint_eq(doc.diags.len, 0);
	ck_assert_uint_eq(doc.ninstrs, 2);
	const df_instr *c = doc.instrs[0];
	ck_assert_uint_eq(c->nheredocs, 2);
	assert_str(c->heredocs[0].name, "a.txt");
	ck_assert(c->heredocs[0].expand);
	assert_str(c->heredocs[0].body.str, "hello $X\n");
	ck_assert(!c->heredocs[1].expand);
	assert_str(c->heredocs[1].body.str, "raw $X\n");
	const df_instr *r = doc.instrs[1];
	ck_assert(r->heredocs[0].chomp);
	assert_str(r->heredocs[0].body.str, "echo one\n");
	ck_assert_ptr_nonnull(r->heredocs[0].script);
	ck_assert_uint_eq(df_sh_count_commands(r->heredocs[0].script), 1);
	tu_check_lossless("heredoc", &doc, text, strlen(text));
	done();
}
END_TEST

START_TEST(test_heredoc_fd_and_unterminated)
{
	const df_instr *in = parse1("RUN 3<<EOF cat /dev/fd/3\nx\nEOF\n");
	ck_assert_int_eq(in->heredocs[0].fd, 3);
	done();
	df_doc_parse(&doc, "f", "RUN <<EOF\nabc\n", 14, NULL);
	ck_assert_ptr_nonnull(first_error());
	ck_assert_ptr_nonnull(strstr(first_error()->message, "unterminated heredoc"));
	tu_check_lossless("unterminated", &doc, "RUN <<EOF\nabc\n", 14);
	done();
	/* Exec form never has heredocs. */
	in = parse1("RUN [\"cat\", \"<<EOF\"]\n");
	ck_assert_uint_eq(in->nheredocs, 0);
	done();
}
END_TEST

START_TEST(test_python_heredoc_is_not_sh)
{
	const df_instr *in = parse1("RUN <<EOF\n#!/usr/bin/env python3\nprint('x')\nEOF\n");
	ck_assert_ptr_null(in->heredocs[0].script);
	done();
	in = parse1("RUN python3 <<EOF\nprint('x')\nEOF\n");
	ck_assert_ptr_null(in->heredocs[0].script);
	done();
	in = parse1("RUN <<EOF\n#!/bin/bash\nset -e\nEOF\n");
	ck_assert_ptr_nonnull(in->heredocs[0].script);
	done();
}
END_TEST

START_TEST(test_run_shell_parsed)
{
	const df_instr *in = parse1("RUN apt-get update && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*\n");
	ck_assert_ptr_nonnull(in->script);
	ck_assert_uint_eq(df_sh_count_commands(in->script), 3);
	done();
}
END_TEST

/* ---- robustness ----------------------------------------------------------------- */

START_TEST(test_random_bytes_never_crash)
{
	/* Fixed seed: Dockerfile-ish alphabet so that deep paths are reached. */
	static const char alphabet[] = "RUNFROMCOPYADDENVARG \t\n\r\\`\"'[]{}$#=<-,:/0123456789abcEOF";
	unsigned seed = 12345;
	char buf[600];
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = (size_t)(seed % sizeof(buf));
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (seed >> 16) % 7 == 0 ? (char)(seed >> 8) : alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		seed = seed * 1103515245u + 12345u;
		df_doc_parse(&doc, "rand", buf, len, NULL);
		tu_check_lossless("random", &doc, buf, len);
		done();
	}
}
END_TEST

START_TEST(test_many_continuations_and_heredocs)
{
	df_buf b = DF_BUF_INIT;
	df_buf_adds(&b, "RUN a");
	for (int i = 0; i < 100000; i++)
		df_buf_adds(&b, " \\\n b");
	df_buf_adds(&b, "\n");
	for (int i = 0; i < 2000; i++)
		df_buf_adds(&b, "RUN <<A <<B\nx\nA\ny\nB\n");
	df_doc_parse(&doc, "big", b.buf, b.len, NULL);
	ck_assert_uint_eq(doc.ninstrs, 2001);
	ck_assert_uint_eq(doc.diags.len, 0);
	tu_check_lossless("big", &doc, b.buf, b.len);
	done();
	df_buf_release(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *lines = tcase_create("lines");
	tcase_add_test(lines, test_continuation_joins_without_separator);
	tcase_add_test(lines, test_escaped_escape_does_not_continue);
	tcase_add_test(lines, test_comment_and_blank_inside_continuation);
	tcase_add_test(lines, test_crlf_and_bom);
	tcase_add_test(lines, test_backtick_escape_directive);
	tcase_add_test(lines, test_directive_after_comment_is_comment);
	tcase_add_test(lines, test_repeated_directive_is_error);
	tcase_add_test(lines, test_long_line_is_error_not_crash);
	tcase_add_test(lines, test_file_too_large);
	tcase_add_test(lines, test_keywords_round_trip);
	suite_add_tcase(s, lines);
	TCase *instrs = tcase_create("instructions");
	tcase_add_test(instrs, test_exec_form_decodes_json);
	tcase_add_test(instrs, test_json_fallback_rules);
	tcase_add_test(instrs, test_mount_flag_typed);
	tcase_add_test(instrs, test_flag_errors);
	tcase_add_test(instrs, test_flag_quotes_and_double_dash);
	tcase_add_test(instrs, test_durations);
	tcase_add_test(instrs, test_from_forms);
	tcase_add_test(instrs, test_env_forms);
	tcase_add_test(instrs, test_plain_words);
	tcase_add_test(instrs, test_env_uses_old_value);
	tcase_add_test(instrs, test_arg_scoping);
	tcase_add_test(instrs, test_build_args_override);
	tcase_add_test(instrs, test_scope_find_sees_base_env_not_args);
	tcase_add_test(instrs, test_copy_forms);
	tcase_add_test(instrs, test_onbuild);
	tcase_add_test(instrs, test_unknown_instruction_recovers);
	tcase_add_test(instrs, test_heredoc_bodies);
	tcase_add_test(instrs, test_heredoc_fd_and_unterminated);
	tcase_add_test(instrs, test_python_heredoc_is_not_sh);
	tcase_add_test(instrs, test_run_shell_parsed);
	suite_add_tcase(s, instrs);
	TCase *robust = tcase_create("robustness");
	tcase_set_timeout(robust, 120);
	tcase_add_test(robust, test_random_bytes_never_crash);
	tcase_add_test(robust, test_many_continuations_and_heredocs);
	suite_add_tcase(s, robust);
	return tu_run(s);
}
