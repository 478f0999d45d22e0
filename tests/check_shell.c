/* check_shell.c - tests of the sh parser (src/parse/shell.h). */
#include "parse/shell.h"
#include "util/arena.h"
#include "util/buf.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Helpers */

/* "name: dump", so a failing ck_assert_str_eq names its row on both sides. */
static char *dump_named(const char *name, const char *text, size_t len)
{
	df_arena a = DF_ARENA_INIT;
	df_buf b = DF_BUF_INIT;
	df_buf_addf(&b, "%s: ", name);
	df_sh_dump(df_sh_parse(&a, text, len), &b);
	df_arena_release(&a);
	return df_buf_detach(&b, NULL);
}

static void check_list_spans(const df_sh_script *s, const df_str *root, const df_sh_list *l,
			     const char *name);

static bool inside(const df_str *t, const char *ptr, size_t len)
{
	return ptr >= t->ptr && ptr + len <= t->ptr + t->len;
}

/* raw == text[start..end) inside the script's text, and the same below. */
static void check_word_spans(const df_sh_script *s, const df_str *root, const df_sh_word *w,
			     const char *name)
{
	ck_assert_msg(w->start <= w->end && w->end <= s->text.len,
		      "%s: word span [%u, %u) outside text of %zu bytes", name,
		      (unsigned)w->start, (unsigned)w->end, s->text.len);
	ck_assert_msg(w->raw.ptr == s->text.ptr + w->start && w->raw.len == w->end - w->start,
		      "%s: raw of word [%u, %u) is not text[start..end)", name,
		      (unsigned)w->start, (unsigned)w->end);
	ck_assert_msg(w->value.ptr && w->value.ptr[w->value.len] == '\0',
		      "%s: value not NUL-terminated", name);
	for (size_t i = 0; i < w->nsubs; i++) {
		const df_sh_script *sub = w->subs[i];
		ck_assert_msg(sub && sub->list, "%s: empty substitution", name);
		check_list_spans(sub, root, sub->list, name);
	}
}

static void check_cmd_spans(const df_sh_script *s, const df_str *root, const df_sh_cmd *c,
			    const char *name)
{
	ck_assert_msg(c->start <= c->end && c->end <= s->text.len,
		      "%s: command span [%u, %u) outside text", name, (unsigned)c->start,
		      (unsigned)c->end);
	for (size_t i = 0; i < c->nassigns; i++)
		check_word_spans(s, root, &c->assigns[i], name);
	for (size_t i = 0; i < c->nwords; i++)
		check_word_spans(s, root, &c->words[i], name);
	for (size_t i = 0; i < c->nheader; i++)
		check_word_spans(s, root, &c->header[i], name);
	for (size_t i = 0; i < c->ncase_items; i++)
		for (size_t k = 0; k < c->case_items[i].npatterns; k++)
			check_word_spans(s, root, &c->case_items[i].patterns[k], name);
	for (size_t i = 0; i < c->nredirs; i++) {
		const df_sh_redir *r = &c->redirs[i];
		check_word_spans(s, root, &r->target, name);
		if (r->heredoc_body.ptr)
			ck_assert_msg(inside(&s->text, r->heredoc_body.ptr, r->heredoc_body.len) ||
				      inside(root, r->heredoc_body.ptr, r->heredoc_body.len),
				      "%s: heredoc body outside the text", name);
	}
	if (c->kind == DF_SH_CASE)
		ck_assert_msg(c->ncase_items == c->nbodies, "%s: case items != bodies", name);
	for (size_t i = 0; i < c->nbodies; i++)
		check_list_spans(s, root, c->bodies[i], name);
}

static void check_list_spans(const df_sh_script *s, const df_str *root, const df_sh_list *l,
			     const char *name)
{
	ck_assert_msg(l != NULL, "%s: NULL list", name);
	for (size_t i = 0; i < l->nitems; i++) {
		const df_sh_andor *a = l->items[i];
		ck_assert_msg(a->npipes > 0 && a->ops[0] == DF_SH_OP_NONE, "%s: bad and-or", name);
		ck_assert_msg(a->start <= a->end && a->end <= s->text.len, "%s: and-or span", name);
		for (size_t j = 0; j < a->npipes; j++) {
			const df_sh_pipeline *pl = a->pipes[j];
			ck_assert_msg(pl->ncmds > 0, "%s: empty pipeline", name);
			ck_assert_msg(pl->start <= pl->end && pl->end <= s->text.len,
				      "%s: pipeline span", name);
			for (size_t k = 0; k < pl->ncmds; k++)
				check_cmd_spans(s, root, pl->cmds[k], name);
		}
	}
}

static void check_spans(const df_sh_script *s, const char *text, size_t len, const char *name)
{
	df_str root = { text, len };
	ck_assert_msg(s != NULL && s->list != NULL, "%s: no script", name);
	ck_assert_msg(s->text.ptr == text && s->text.len == len, "%s: script text", name);
	ck_assert_msg(!s->error || s->error_off <= len, "%s: error offset %u past end", name,
		      (unsigned)s->error_off);
	check_list_spans(s, &root, s->list, name);
}

/* ------------------------------------------------------------------------ */
/* The table: input -> df_sh_dump() */

struct row {
	const char *name;
	const char *in;
	const char *want;
};

static const struct row rows[] = {
	/* empty */
	{ "empty", "", "(list)" },
	{ "blanks", "  \t  ", "(list)" },
	{ "newlines", "\n\n\n", "(list)" },
	{ "comment only", "# nothing here", "(list)" },

	/* simple commands and assignments */
	{ "simple", "echo hi", "(list (andor (pipe (cmd \"echo\" \"hi\"))))" },
	{ "spec example", "apt-get install -y curl && rm -rf /x",
	  "(list (andor (pipe (cmd \"apt-get\" \"install\" \"-y\" \"curl\")) && "
	  "(pipe (cmd \"rm\" \"-rf\" \"/x\"))))" },
	{ "assign only", "A=1", "(list (andor (pipe (cmd (assign \"A=1\")))))" },
	{ "assigns", "A=1 B=\"x y\" env",
	  "(list (andor (pipe (cmd (assign \"A=1\") (assign \"B=x y\") \"env\"))))" },
	{ "append assign", "FOO+=bar cmd",
	  "(list (andor (pipe (cmd (assign \"FOO+=bar\") \"cmd\"))))" },
	{ "assign after name", "cmd A=1", "(list (andor (pipe (cmd \"cmd\" \"A=1\"))))" },
	{ "not a name", "1A=x cmd", "(list (andor (pipe (cmd \"1A=x\" \"cmd\"))))" },
	{ "array assign", "arr=(a b \"c d\") x",
	  "(list (andor (pipe (cmd (assign \"arr=(a b \\\"c d\\\")\") \"x\"))))" },
	{ "reserved as args", "echo if then fi done",
	  "(list (andor (pipe (cmd \"echo\" \"if\" \"then\" \"fi\" \"done\"))))" },
	{ "redir only", "> f", "(list (andor (pipe (cmd (redir \">\" \"f\")))))" },

	/* operators */
	{ "semicolon", "a; b", "(list (andor (pipe (cmd \"a\"))) (andor (pipe (cmd \"b\"))))" },
	{ "trailing semicolon", "a;", "(list (andor (pipe (cmd \"a\"))))" },
	{ "newline", "a\nb", "(list (andor (pipe (cmd \"a\"))) (andor (pipe (cmd \"b\"))))" },
	{ "background", "a & b",
	  "(list (andor (pipe (cmd \"a\")) &) (andor (pipe (cmd \"b\"))))" },
	{ "background last", "a &", "(list (andor (pipe (cmd \"a\")) &))" },
	{ "and or", "a && b || c",
	  "(list (andor (pipe (cmd \"a\")) && (pipe (cmd \"b\")) || (pipe (cmd \"c\"))))" },
	{ "and newline", "a &&\n\n b",
	  "(list (andor (pipe (cmd \"a\")) && (pipe (cmd \"b\"))))" },
	{ "pipeline", "a | b | c",
	  "(list (andor (pipe (cmd \"a\") (cmd \"b\") (cmd \"c\"))))" },
	{ "pipe newline", "a |\n b", "(list (andor (pipe (cmd \"a\") (cmd \"b\"))))" },
	{ "bang", "! a | b", "(list (andor (pipe ! (cmd \"a\") (cmd \"b\"))))" },
	{ "bang twice", "! ! a", "(list (andor (pipe (cmd \"a\"))))" },
	{ "pipe amp", "a |& b", "(list (andor (pipe (cmd \"a\") (cmd \"b\"))))" },
	{ "no space ops", "a&&b||c;d",
	  "(list (andor (pipe (cmd \"a\")) && (pipe (cmd \"b\")) || (pipe (cmd \"c\"))) "
	  "(andor (pipe (cmd \"d\"))))" },

	/* compound commands */
	{ "subshell", "(a; b) > out",
	  "(list (andor (pipe (subshell (list (andor (pipe (cmd \"a\"))) "
	  "(andor (pipe (cmd \"b\")))) (redir \">\" \"out\")))))" },
	{ "subshell in pipe", "(a) | b",
	  "(list (andor (pipe (subshell (list (andor (pipe (cmd \"a\"))))) (cmd \"b\"))))" },
	{ "group", "{ a; b; }",
	  "(list (andor (pipe (group (list (andor (pipe (cmd \"a\"))) "
	  "(andor (pipe (cmd \"b\"))))))))" },
	{ "group brace word", "{ echo }; }",
	  "(list (andor (pipe (group (list (andor (pipe (cmd \"echo\" \"}\"))))))))" },
	{ "if", "if a; then b; fi",
	  "(list (andor (pipe (if (list (andor (pipe (cmd \"a\")))) "
	  "(list (andor (pipe (cmd \"b\"))))))))" },
	{ "if elif else", "if a; then b; elif c; then d; else e; fi",
	  "(list (andor (pipe (if (list (andor (pipe (cmd \"a\")))) (list (andor (pipe (cmd \"b\")))) "
	  "(list (andor (pipe (cmd \"c\")))) (list (andor (pipe (cmd \"d\")))) "
	  "(list (andor (pipe (cmd \"e\"))))))))" },
	{ "if multiline", "if [ -f x ]\nthen\n  rm x\nfi",
	  "(list (andor (pipe (if (list (andor (pipe (cmd \"[\" \"-f\" \"x\" \"]\")))) "
	  "(list (andor (pipe (cmd \"rm\" \"x\"))))))))" },
	{ "for in", "for i in a \"b c\"; do echo $i; done",
	  "(list (andor (pipe (for \"i\" in \"a\" \"b c\" "
	  "(list (andor (pipe (cmd \"echo\" \"$i\"))))))))" },
	{ "for no in", "for i; do x; done",
	  "(list (andor (pipe (for \"i\" (list (andor (pipe (cmd \"x\"))))))))" },
	{ "for empty in", "for i in\ndo x; done",
	  "(list (andor (pipe (for \"i\" in (list (andor (pipe (cmd \"x\"))))))))" },
	{ "while", "while true; do sleep 1; done",
	  "(list (andor (pipe (while (list (andor (pipe (cmd \"true\")))) "
	  "(list (andor (pipe (cmd \"sleep\" \"1\"))))))))" },
	{ "until", "until false; do x; done",
	  "(list (andor (pipe (until (list (andor (pipe (cmd \"false\")))) "
	  "(list (andor (pipe (cmd \"x\"))))))))" },
	{ "while read heredoc", "while read l; do echo $l; done <<EOF\na\nEOF\n",
	  "(list (andor (pipe (while (list (andor (pipe (cmd \"read\" \"l\")))) "
	  "(list (andor (pipe (cmd \"echo\" \"$l\")))) (heredoc \"<<\" \"EOF\" (body \"a\\n\"))))))" },
	{ "case", "case $x in a|b) echo ab;; *) echo other;; esac",
	  "(list (andor (pipe (case \"$x\" (item (\"a\" \"b\") (list (andor (pipe (cmd \"echo\" \"ab\"))))) "
	  "(item (\"*\") (list (andor (pipe (cmd \"echo\" \"other\")))))))))" },
	{ "case terminators", "case $1 in (a) x;& b|c) y;;& *) z; esac",
	  "(list (andor (pipe (case \"$1\" (item (\"a\") (list (andor (pipe (cmd \"x\")))) ;&) "
	  "(item (\"b\" \"c\") (list (andor (pipe (cmd \"y\")))) ;;&) "
	  "(item (\"*\") (list (andor (pipe (cmd \"z\")))))))))" },
	{ "case multiline", "case \"$a\" in\n  x86_64) A=amd64 ;;\n  *) exit 1 ;;\nesac",
	  "(list (andor (pipe (case \"$a\" (item (\"x86_64\") (list (andor (pipe (cmd (assign \"A=amd64\")))))) "
	  "(item (\"*\") (list (andor (pipe (cmd \"exit\" \"1\")))))))))" },
	{ "case empty", "case x in esac", "(list (andor (pipe (case \"x\"))))" },
	{ "function", "f() { echo hi; } > log",
	  "(list (andor (pipe (function \"f\" (list (andor (pipe (group (list (andor (pipe "
	  "(cmd \"echo\" \"hi\")))) (redir \">\" \"log\")))))))))" },
	{ "function keyword", "function g { x; }",
	  "(list (andor (pipe (function \"g\" (list (andor (pipe (group (list (andor (pipe "
	  "(cmd \"x\"))))))))))))" },
	{ "function subshell body", "f() ( a )",
	  "(list (andor (pipe (function \"f\" (list (andor (pipe (subshell (list (andor (pipe "
	  "(cmd \"a\"))))))))))))" },

	/* quoting */
	{ "single and double", "echo 'a b' \"c $d\"",
	  "(list (andor (pipe (cmd \"echo\" \"a b\" \"c $d\"))))" },
	{ "single keeps all", "echo 'a\\b $c \"d\"'",
	  "(list (andor (pipe (cmd \"echo\" \"a\\\\b $c \\\"d\\\"\"))))" },
	{ "backslash", "echo a\\ b \\$x \\'",
	  "(list (andor (pipe (cmd \"echo\" \"a b\" \"$x\" \"'\"))))" },
	{ "double escapes", "echo \"a\\\"b\\\\c\\$d\\e\"",
	  "(list (andor (pipe (cmd \"echo\" \"a\\\"b\\\\c$d\\\\e\"))))" },
	{ "mixed parts", "echo \"a  b\"c'd'",
	  "(list (andor (pipe (cmd \"echo\" \"a  bcd\"))))" },
	{ "empty quotes", "echo '' \"\"", "(list (andor (pipe (cmd \"echo\" \"\" \"\"))))" },
	{ "newline in quotes", "echo 'a\nb'", "(list (andor (pipe (cmd \"echo\" \"a\\nb\"))))" },
	{ "ansi c", "echo $'a b'", "(list (andor (pipe (cmd \"echo\" \"$'a b'\"))))" },
	{ "trailing backslash", "echo a\\", "(list (andor (pipe (cmd \"echo\" \"a\\\\\"))))" },
	{ "metachar quoted", "echo 'a;b' \"c|d\" e\\&f",
	  "(list (andor (pipe (cmd \"echo\" \"a;b\" \"c|d\" \"e&f\"))))" },

	/* line continuations and comments */
	{ "continuation", "apt-get install \\\n  curl",
	  "(list (andor (pipe (cmd \"apt-get\" \"install\" \"curl\"))))" },
	{ "continuation in word", "ab\\\ncd", "(list (andor (pipe (cmd \"abcd\"))))" },
	{ "continuation in dq", "echo \"a\\\nb\"", "(list (andor (pipe (cmd \"echo\" \"ab\"))))" },
	{ "comment", "echo a # comment\necho b",
	  "(list (andor (pipe (cmd \"echo\" \"a\"))) (andor (pipe (cmd \"echo\" \"b\"))))" },
	{ "hash in word", "echo a#b", "(list (andor (pipe (cmd \"echo\" \"a#b\"))))" },
	{ "comment after op", "a;#b c", "(list (andor (pipe (cmd \"a\"))))" },

	/* expansions and substitutions */
	{ "cmdsub nested", "echo $(a $(b))",
	  "(list (andor (pipe (cmd \"echo\" (w \"$(a $(b))\" (list (andor (pipe (cmd \"a\" "
	  "(w \"$(b)\" (list (andor (pipe (cmd \"b\"))))))))))))))" },
	{ "cmdsub list", "echo $(a; b | c)",
	  "(list (andor (pipe (cmd \"echo\" (w \"$(a; b | c)\" (list (andor (pipe (cmd \"a\"))) "
	  "(andor (pipe (cmd \"b\") (cmd \"c\")))))))))" },
	{ "cmdsub in dq", "echo \"$(cmd \"q\")\"",
	  "(list (andor (pipe (cmd \"echo\" (w \"$(cmd \\\"q\\\")\" (list (andor (pipe "
	  "(cmd \"cmd\" \"q\")))))))))" },
	{ "cmdsub with case", "echo $(case x in a) y;; esac)",
	  "(list (andor (pipe (cmd \"echo\" (w \"$(case x in a) y;; esac)\" (list (andor (pipe "
	  "(case \"x\" (item (\"a\") (list (andor (pipe (cmd \"y\"))))))))))))))" },
	{ "cmdsub in assign", "X=$(cat f) y",
	  "(list (andor (pipe (cmd (assign (w \"X=$(cat f)\" (list (andor (pipe (cmd \"cat\" \"f\")))))) "
	  "\"y\"))))" },
	{ "cmdsub in redir", "echo x > $(mktemp)",
	  "(list (andor (pipe (cmd \"echo\" \"x\" (redir \">\" (w \"$(mktemp)\" (list (andor "
	  "(pipe (cmd \"mktemp\"))))))))))" },
	{ "backticks", "echo `date`",
	  "(list (andor (pipe (cmd \"echo\" (w \"`date`\" (list (andor (pipe (cmd \"date\")))))))))" },
	{ "backticks nested", "echo `echo \\`id\\``",
	  "(list (andor (pipe (cmd \"echo\" (w \"`echo \\\\`id\\\\``\" (list (andor (pipe (cmd \"echo\" "
	  "(w \"`id`\" (list (andor (pipe (cmd \"id\"))))))))))))))" },
	{ "arithmetic", "echo $((1 + (2 * 3))) $(( x ))",
	  "(list (andor (pipe (cmd \"echo\" \"$((1 + (2 * 3)))\" \"$(( x ))\"))))" },
	{ "parameters", "echo ${x:-a b} ${y#*/} $1 $@ $#",
	  "(list (andor (pipe (cmd \"echo\" \"${x:-a b}\" \"${y#*/}\" \"$1\" \"$@\" \"$#\"))))" },
	{ "nested braces", "echo \"${a:-${b:-\"}\"}}\"",
	  "(list (andor (pipe (cmd \"echo\" \"${a:-${b:-\\\"}\\\"}}\"))))" },
	{ "sub in braces", "echo ${x:-$(pwd)}",
	  "(list (andor (pipe (cmd \"echo\" (w \"${x:-$(pwd)}\" (list (andor (pipe "
	  "(cmd \"pwd\")))))))))" },
	{ "lone dollar", "echo $ a$", "(list (andor (pipe (cmd \"echo\" \"$\" \"a$\"))))" },
	{ "dbracket", "[[ -n $x && -f y ]] && z",
	  "(list (andor (pipe (cmd \"[[\" \"-n\" \"$x\" \"&&\" \"-f\" \"y\" \"]]\")) && "
	  "(pipe (cmd \"z\"))))" },

	/* redirections */
	{ "redirs", "cmd >f 2>>g <in 3<>rw >|c &>all &>>both",
	  "(list (andor (pipe (cmd \"cmd\" (redir \">\" \"f\") (redir 2 \">>\" \"g\") (redir \"<\" \"in\") "
	  "(redir 3 \"<>\" \"rw\") (redir \">|\" \"c\") (redir \"&>\" \"all\") "
	  "(redir \"&>>\" \"both\")))))" },
	{ "dup redirs", "cmd 2>&1 >&- <&3",
	  "(list (andor (pipe (cmd \"cmd\" (redir 2 \">&\" \"1\") (redir \">&\" \"-\") "
	  "(redir \"<&\" \"3\")))))" },
	{ "redir chain", "echo 2>&1>/dev/null x",
	  "(list (andor (pipe (cmd \"echo\" \"x\" (redir 2 \">&\" \"1\") (redir \">\" \"/dev/null\")))))" },
	{ "redir before name", "2>/dev/null cmd a",
	  "(list (andor (pipe (cmd \"cmd\" \"a\" (redir 2 \">\" \"/dev/null\")))))" },
	{ "digits not fd", "echo 12 3x>f",
	  "(list (andor (pipe (cmd \"echo\" \"12\" \"3x\" (redir \">\" \"f\")))))" },
	{ "here string", "cat <<< \"$x\"", "(list (andor (pipe (cmd \"cat\" (redir \"<<<\" \"$x\")))))" },

	/* heredocs */
	{ "heredoc no body", "cat <<EOF > /etc/x",
	  "(list (andor (pipe (cmd \"cat\" (heredoc \"<<\" \"EOF\") (redir \">\" \"/etc/x\")))))" },
	{ "heredoc body", "cat <<EOF\nhello $x\nEOF\necho after",
	  "(list (andor (pipe (cmd \"cat\" (heredoc \"<<\" \"EOF\" (body \"hello $x\\n\"))))) "
	  "(andor (pipe (cmd \"echo\" \"after\"))))" },
	{ "heredoc dash", "cat <<-\"EOF\" >f\n\thi\n\tEOF\n",
	  "(list (andor (pipe (cmd \"cat\" (heredoc \"<<-\" \"EOF\" quoted (body \"\\thi\\n\")) "
	  "(redir \">\" \"f\")))))" },
	{ "heredoc two", "cat <<A; cat 3<<'B'\none\nA\ntwo\nB\nrest",
	  "(list (andor (pipe (cmd \"cat\" (heredoc \"<<\" \"A\" (body \"one\\n\"))))) "
	  "(andor (pipe (cmd \"cat\" (heredoc 3 \"<<\" \"B\" quoted (body \"two\\n\"))))) "
	  "(andor (pipe (cmd \"rest\"))))" },
	{ "heredoc unterminated", "cat <<EOF\nline",
	  "(list (andor (pipe (cmd \"cat\" (heredoc \"<<\" \"EOF\" (body \"line\"))))))" },
	{ "heredoc in pipe", "cat <<EOF | sh\necho x\nEOF",
	  "(list (andor (pipe (cmd \"cat\" (heredoc \"<<\" \"EOF\" (body \"echo x\\n\"))) (cmd \"sh\"))))" },

	/* syntax errors: best-effort structure, message and offset */
	{ "unterminated single", "echo 'abc",
	  "(list (andor (pipe (cmd \"echo\" \"abc\")))) (error \"unterminated single quote\" 5)" },
	{ "unterminated double", "echo \"abc",
	  "(list (andor (pipe (cmd \"echo\" \"abc\")))) (error \"unterminated double quote\" 5)" },
	{ "unmatched paren", "(a",
	  "(list (andor (pipe (subshell (list (andor (pipe (cmd \"a\")))))))) (error \"unmatched '('\" 0)" },
	{ "and at end", "a &&",
	  "(list (andor (pipe (cmd \"a\")))) (error \"missing command after '&&'\" 2)" },
	{ "or at end", "a ||  \n",
	  "(list (andor (pipe (cmd \"a\")))) (error \"missing command after '||'\" 2)" },
	{ "pipe at start", "| a", "(list) (error \"unexpected '|'\" 0)" },
	{ "pipe at end", "a |",
	  "(list (andor (pipe (cmd \"a\")))) (error \"missing command after '|'\" 2)" },
	{ "stray close", "a )", "(list (andor (pipe (cmd \"a\")))) (error \"unexpected ')'\" 2)" },
	{ "stray dsemi", "a ;; b", "(list (andor (pipe (cmd \"a\")))) (error \"unexpected ';;'\" 2)" },
	{ "stray fi", "a; fi", "(list (andor (pipe (cmd \"a\")))) (error \"unexpected 'fi'\" 3)" },
	{ "double and", "a && && b",
	  "(list (andor (pipe (cmd \"a\")))) (error \"unexpected '&&'\" 5)" },
	{ "if without fi", "if a; then b",
	  "(list (andor (pipe (if (list (andor (pipe (cmd \"a\")))) (list (andor (pipe (cmd \"b\")))))))) "
	  "(error \"unmatched 'if'\" 0)" },
	{ "if without then", "if a; fi",
	  "(list (andor (pipe (if (list (andor (pipe (cmd \"a\")))))))) (error \"expected 'then' before 'fi'\" 6)" },
	{ "group unclosed", "{ a",
	  "(list (andor (pipe (group (list (andor (pipe (cmd \"a\")))))))) (error \"unmatched '{'\" 0)" },
	{ "missing target", "cat >",
	  "(list (andor (pipe (cmd \"cat\")))) (error \"missing target after '>'\" 4)" },
	{ "unterminated cmdsub", "echo $(a",
	  "(list (andor (pipe (cmd \"echo\" (w \"$(a\" (list (andor (pipe (cmd \"a\"))))))))) "
	  "(error \"unterminated command substitution\" 5)" },
	{ "unterminated backquote", "echo `a",
	  "(list (andor (pipe (cmd \"echo\" \"`a\")))) (error \"unterminated backquote\" 5)" },
	{ "unterminated brace", "echo ${a",
	  "(list (andor (pipe (cmd \"echo\" \"${a\")))) (error \"unterminated parameter expansion\" 5)" },
	{ "unterminated arith", "echo $((1",
	  "(list (andor (pipe (cmd \"echo\" \"$((1\")))) (error \"unterminated arithmetic expansion\" 5)" },
	{ "error in cmdsub", "echo $(a; fi)",
	  "(list (andor (pipe (cmd \"echo\" (w \"$(a; fi)\" (list (andor (pipe (cmd \"a\"))))))))) "
	  "(error \"unexpected 'fi' in command substitution\" 10)" },
	{ "error in escaped backquote", "echo `echo \\`a; fi\\``",
	  "(list (andor (pipe (cmd \"echo\" (w \"`echo \\\\`a; fi\\\\``\" (list (andor (pipe (cmd \"echo\" "
	  "(w \"`a; fi`\" (list (andor (pipe (cmd \"a\")))))))))))))) "
	  "(error \"unexpected 'fi' in backquotes\" 5)" },
	{ "case unclosed", "case x in a) b",
	  "(list (andor (pipe (case \"x\" (item (\"a\") (list (andor (pipe (cmd \"b\"))))))))) "
	  "(error \"unmatched 'case'\" 0)" },
	{ "dbracket unclosed", "[[ -f x",
	  "(list (andor (pipe (cmd \"[[\" \"-f\" \"x\")))) (error \"unmatched '[['\" 0)" },
	{ "semicolon at start", ";", "(list) (error \"unexpected ';'\" 0)" },
};

/* df_sh_script.simple: for a script without an error, the commands
 * df_sh_walk() visits, in its order; NULL after an error. */
struct simple_cursor {
	const df_sh_script *s;
	size_t at;
	const char *name;
};

static int match_simple(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	(void)ctx;
	struct simple_cursor *c = ud;
	ck_assert_msg(c->at < c->s->nsimple, "%s: the walk visits more than %zu commands", c->name,
		      c->s->nsimple);
	ck_assert_msg(c->s->simple[c->at] == cmd, "%s: command %zu is not the walk's", c->name, c->at);
	c->at++;
	return 0;
}

static void check_simple_list(const df_sh_script *s, const char *name)
{
	if (s->error) {
		ck_assert_msg(s->simple == NULL, "%s: a command list despite an error", name);
		return;
	}
	ck_assert_msg(s->simple != NULL, "%s: no command list", name);
	struct simple_cursor c = { s, 0, name };
	df_sh_walk(s, match_simple, &c);
	ck_assert_msg(c.at == s->nsimple, "%s: the walk visits %zu commands, the list holds %zu", name,
		      c.at, s->nsimple);
}

START_TEST(t_table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		size_t len = strlen(r->in);
		char want[4096];
		snprintf(want, sizeof(want), "%s: %s", r->name, r->want);
		char *got = dump_named(r->name, r->in, len);
		ck_assert_str_eq(got, want);
		free(got);

		df_arena a = DF_ARENA_INIT;
		df_sh_script *s = df_sh_parse(&a, r->in, len);
		check_spans(s, r->in, len, r->name);
		check_simple_list(s, r->name);
		df_arena_release(&a);
	}
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Spans */

START_TEST(t_spans)
{
	const char *text = "A=1  apt-get \"x y\" 'z'\\\nw $(b c) >f\ncat <<EOF\nhi\nEOF\n";
	df_arena a = DF_ARENA_INIT;
	df_sh_script *s = df_sh_parse(&a, text, strlen(text));
	ck_assert_ptr_null(s->error);
	check_spans(s, text, strlen(text), "spans");

	const df_sh_cmd *c = s->list->items[0]->pipes[0]->cmds[0];
	ck_assert_uint_eq(c->nassigns, 1);
	ck_assert_uint_eq(c->assigns[0].start, 0);
	ck_assert_uint_eq(c->assigns[0].end, 3);
	ck_assert_uint_eq(c->nwords, 4);
	ck_assert_uint_eq(c->words[0].start, 5);
	ck_assert_str_eq(c->words[1].value.ptr, "x y");
	ck_assert(c->words[1].quoted);
	ck_assert(!c->words[0].quoted);
	/* 'z'\<newline>w is one word; the continuation stays in raw only. */
	ck_assert_str_eq(c->words[2].value.ptr, "zw");
	ck_assert_uint_eq(c->words[2].raw.len, 6);
	ck_assert(c->words[3].has_expansion);
	ck_assert_uint_eq(c->words[3].nsubs, 1);
	const df_sh_cmd *sub = c->words[3].subs[0]->list->items[0]->pipes[0]->cmds[0];
	ck_assert_uint_eq(sub->words[0].start, (uint32_t)(strchr(text, 'b') - text));
	ck_assert_uint_eq(c->start, 0);
	ck_assert_uint_eq(c->end, (uint32_t)(strstr(text, ">f") - text) + 2);
	ck_assert_uint_eq(c->redirs[0].target.start, c->end - 1);

	const df_sh_redir *r = &s->list->items[1]->pipes[0]->cmds[0]->redirs[0];
	ck_assert(r->heredoc);
	ck_assert(!r->heredoc_quoted);
	ck_assert_ptr_eq(r->heredoc_body.ptr, strstr(text, "hi\n"));
	ck_assert_uint_eq(r->heredoc_body.len, 3);
	df_arena_release(&a);

	/* A `...` body with escapes is parsed from a copy, its own text. */
	const char *bt = "echo `a \\$x`";
	s = df_sh_parse(&a, bt, strlen(bt));
	check_spans(s, bt, strlen(bt), "backquote copy");
	const df_sh_script *copy = s->list->items[0]->pipes[0]->cmds[0]->words[1].subs[0];
	ck_assert_uint_eq(copy->text.len, 4);
	ck_assert(memcmp(copy->text.ptr, "a $x", 4) == 0);
	df_arena_release(&a);

	/* NULL text is the empty script. */
	s = df_sh_parse(&a, NULL, 0);
	ck_assert_uint_eq(s->list->nitems, 0);
	ck_assert_ptr_null(s->error);
	df_arena_release(&a);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Walking */

static int record(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	df_buf *b = ud;
	ck_assert_ptr_nonnull(ctx->andor);
	ck_assert_ptr_eq(ctx->pipe->cmds[ctx->pipe_index], cmd);
	df_buf_addf(b, "%s%s:%d%s", b->len ? " " : "",
		    cmd->nwords ? cmd->words[0].value.ptr : "-", ctx->depth,
		    ctx->in_substitution ? "s" : "");
	if (ctx->pipe_index)
		df_buf_addf(b, "|%zu", ctx->pipe_index);
	return 0;
}

static int stop_at_third(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	(void)cmd;
	(void)ctx;
	return ++*(int *)ud == 3 ? 42 : 0;
}

START_TEST(t_walk)
{
	const char *text = "a; (b | c) && { d; }; e $(f) `g` > $(h); if i; then j; fi; "
			   "case k in x) l;; esac; m() { n; }; X=$(o) p";
	df_arena a = DF_ARENA_INIT;
	df_buf b = DF_BUF_INIT;
	df_sh_script *s = df_sh_parse(&a, text, strlen(text));
	ck_assert_ptr_null(s->error);
	ck_assert_int_eq(df_sh_walk(s, record, &b), 0);
	ck_assert_str_eq(df_buf_str(&b),
			 "a:0 b:1 c:1|1 d:1 e:0 f:1s g:1s h:1s i:1 j:1 l:1 n:2 p:0 o:1s");
	ck_assert_uint_eq(df_sh_count_commands(s), 14);
	check_simple_list(s, "walk");

	int n = 0;
	ck_assert_int_eq(df_sh_walk(s, stop_at_third, &n), 42);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(df_sh_walk(NULL, record, &b), 0);
	df_buf_release(&b);
	df_arena_release(&a);
}
END_TEST

/* The list kept at parse time against the walk, where the order is least
 * obvious: commands in a command's first word, in assignments, in names of
 * functions, nested substitutions, heredoc bodies, loops' word lists. */
START_TEST(t_simple_order)
{
	static const char *const texts[] = {
		"$(a $(b)) c $(d)", "`x` y $(z)", "X=$(o) Y=`q` p $(r)", "f$(g)() { h; }",
		"$(i)() { j; }; k", "for v in $(seq) `u`; do w; done", "case $(s) in t) $(m) n;; esac",
		"cat <<EOF\n$(k1)\nEOF\nk2", "$(($(a2) + 1)) b2", "! $(c2) | d2 && e2 || $(f2)",
		"[[ $(g2) ]] && h2", "{ $(i2); } > $(j2)", "",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		df_arena a = DF_ARENA_INIT;
		df_sh_script *s = df_sh_parse(&a, texts[i], strlen(texts[i]));
		ck_assert_msg(!s->error, "'%s': %s", texts[i], s->error);
		check_simple_list(s, texts[i]);
		df_arena_release(&a);
	}
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Queries */

static const df_sh_cmd *first_cmd(df_arena *a, const char *text)
{
	df_sh_script *s = df_sh_parse(a, text, strlen(text));
	ck_assert_msg(!s->error, "'%s': %s", text, s->error);
	return s->list->items[0]->pipes[0]->cmds[0];
}

START_TEST(t_name_index)
{
	static const struct {
		const char *in;
		size_t want;
	} cases[] = {
		{ "apt-get install x", 0 },
		{ "sudo apt-get install x", 1 },
		{ "sudo -E apt-get install x", 2 },
		{ "sudo -u root -E apt-get", 4 },
		{ "sudo --user=root apt-get", 2 },
		{ "sudo -- apt-get", 2 },
		{ "env A=1 B=2 apt-get update", 3 },
		{ "env -i PATH=/bin apt-get", 3 },
		{ "env -u HOME apt-get", 3 },
		{ "sudo -u root env -i PATH=/x /usr/bin/apt-get update", 6 },
		{ "nice -n 5 time -p apt-get", 5 },
		{ "timeout -s KILL 10 apt-get update", 4 },
		{ "exec nohup stdbuf -oL apt-get", 4 },
		{ "command -v apt-get", 0 },
		{ "command apt-get", 1 },
		{ "sudo -l apt-get", 0 },
		{ "sudo", 0 },
		{ "sudo -E", 0 },
		{ "env", 0 },
		{ "/usr/bin/sudo pip install x", 1 },
	};
	df_arena a = DF_ARENA_INIT;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = df_sh_cmd_name_index(first_cmd(&a, cases[i].in));
		ck_assert_msg(got == cases[i].want, "'%s': got %zu, want %zu", cases[i].in, got,
			      cases[i].want);
	}
	const df_sh_cmd *c = first_cmd(&a, "/usr/bin/apt-get update");
	ck_assert(df_sh_cmd_is(c, "apt-get"));
	ck_assert(df_sh_cmd_is(c, "/usr/bin/apt-get"));
	ck_assert(!df_sh_cmd_is(c, "apt"));
	ck_assert(!df_sh_cmd_is(c, "bin/apt-get"));
	ck_assert(df_sh_word_is(&c->words[1], "update"));
	c = first_cmd(&a, "(apt-get)");
	ck_assert(!df_sh_cmd_is(c, "apt-get"));
	ck_assert_uint_eq(df_sh_cmd_name_index(c), 0);
	c = first_cmd(&a, "sudo \"apt-get\" install");
	ck_assert(df_sh_word_is(&c->words[df_sh_cmd_name_index(c)], "apt-get"));
	df_arena_release(&a);
}
END_TEST

START_TEST(t_has_flag)
{
	df_arena a = DF_ARENA_INIT;
	const df_sh_cmd *c = first_cmd(&a, "apt-get -qy install --no-install-recommends "
					   "--target-release=buster -oDpkg::Opt=x pkg -- -z --late");
	ck_assert(df_sh_has_flag(c, 0, "-y"));
	ck_assert(df_sh_has_flag(c, 0, "-q"));
	ck_assert(df_sh_has_flag(c, 0, "-qy"));
	ck_assert(!df_sh_has_flag(c, 0, "-z"));		/* after -- */
	ck_assert(!df_sh_has_flag(c, 0, "--late"));
	ck_assert(df_sh_has_flag(c, 0, "--no-install-recommends"));
	ck_assert(df_sh_has_flag(c, 0, "--target-release"));
	ck_assert(!df_sh_has_flag(c, 0, "--target"));	/* prefix without '=' */
	ck_assert(!df_sh_has_flag(c, 0, "--no"));
	ck_assert(!df_sh_has_flag(c, 0, "-n"));		/* inside a long option */
	ck_assert(!df_sh_has_flag(c, 0, "-D"));		/* inside an option value */
	ck_assert(df_sh_has_flag(c, 0, "-o"));		/* the -o with its value */
	ck_assert(!df_sh_has_flag(c, 1, "-y"));		/* only after words[from] */
	ck_assert(!df_sh_has_flag(c, 0, "y"));
	ck_assert(!df_sh_has_flag(c, 0, ""));
	ck_assert(!df_sh_has_flag(c, 100, "-y"));
	ck_assert(!df_sh_has_flag(c, SIZE_MAX, "-y"));

	c = first_cmd(&a, "apt-get install --yes=true '-y'");
	ck_assert(df_sh_has_flag(c, 0, "--yes"));
	ck_assert(df_sh_has_flag(c, 1, "-y"));	/* compared by value */
	df_arena_release(&a);
}
END_TEST

START_TEST(t_positionals)
{
	static const char *const value_opts[] = { "-t", "--target-release", "-o", NULL };
	df_arena a = DF_ARENA_INIT;
	const df_sh_cmd *c = first_cmd(&a, "apt-get install -y -t buster --target-release bookworm "
					   "--no-install-recommends curl -o X=1 wget=1.0 "
					   "--target-release=sid -tsid - -- -weird");
	const df_sh_word *out[8];
	size_t n = df_sh_positionals(c, 1, value_opts, out, 8);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(out[0]->value.ptr, "curl");
	ck_assert_str_eq(out[1]->value.ptr, "wget=1.0");
	ck_assert_str_eq(out[2]->value.ptr, "-");
	ck_assert_str_eq(out[3]->value.ptr, "-weird");
	ck_assert_uint_eq(df_sh_positionals(c, 1, value_opts, NULL, 0), 4);
	ck_assert_uint_eq(df_sh_positionals(c, 1, value_opts, out, 2), 2);
	ck_assert_str_eq(out[1]->value.ptr, "wget=1.0");

	/* From the command name: the subcommand is the first positional. */
	n = df_sh_positionals(c, 0, value_opts, out, 8);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(out[0]->value.ptr, "install");

	/* Without value options an option's value looks positional. */
	n = df_sh_positionals(c, 1, NULL, out, 8);
	ck_assert_uint_eq(n, 7);
	ck_assert_str_eq(out[0]->value.ptr, "buster");

	ck_assert_uint_eq(df_sh_positionals(c, 100, value_opts, out, 8), 0);
	ck_assert_uint_eq(df_sh_positionals(NULL, 0, value_opts, out, 8), 0);
	/* A value option at the end takes nothing. */
	c = first_cmd(&a, "apt-get install -t");
	ck_assert_uint_eq(df_sh_positionals(c, 1, value_opts, out, 8), 0);
	df_arena_release(&a);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Hostile input */

START_TEST(t_deep_nesting)
{
	static const char *const openers[] = {
		"(", "$(", "${", "$((", "\"$(", "{ ", "if ", "while ", "for i in x; do ",
		"case x in x) ", "f() ", "`", "! ", "a | ", "x=$(",
	};
	enum { N = 10000 };
	for (size_t k = 0; k < sizeof(openers) / sizeof(openers[0]); k++) {
		size_t ol = strlen(openers[k]);
		char *text = malloc(N * ol + 2);
		ck_assert_ptr_nonnull(text);
		for (size_t i = 0; i < N; i++)
			memcpy(text + i * ol, openers[k], ol);
		text[N * ol] = 'a';
		text[N * ol + 1] = '\0';

		df_arena a = DF_ARENA_INIT;
		df_buf b = DF_BUF_INIT;
		df_sh_script *s = df_sh_parse(&a, text, N * ol + 1);
		check_spans(s, text, N * ol + 1, openers[k]);
		df_sh_dump(s, &b);
		df_sh_count_commands(s);
		/* `! `, `a | ` and pairs of backquotes nest nothing. */
		if (strcmp(openers[k], "! ") != 0 && strcmp(openers[k], "a | ") != 0 &&
		    strcmp(openers[k], "`") != 0)
			ck_assert_msg(s->error != NULL, "'%s' x %d: no error", openers[k], N);
		df_buf_release(&b);
		df_arena_release(&a);
		free(text);
	}

	/* The spec case: 10,000 '(' stop at the depth cap. */
	char *parens = malloc(N + 1);
	ck_assert_ptr_nonnull(parens);
	memset(parens, '(', N);
	parens[N] = '\0';
	df_arena a = DF_ARENA_INIT;
	df_sh_script *s = df_sh_parse(&a, parens, N);
	ck_assert_str_eq(s->error, "nesting too deep");
	ck_assert_uint_eq(s->error_off, DF_SH_MAX_DEPTH);
	df_arena_release(&a);
	free(parens);
}
END_TEST

static uint32_t rng_next(uint32_t *state)
{
	/* xorshift32: a fixed sequence on every platform. */
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static int poke(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	static const char *const value_opts[] = { "-t", "--target-release", NULL };
	const df_sh_word *out[4];
	(void)ctx;
	(void)ud;
	size_t i = df_sh_cmd_name_index(cmd);
	ck_assert(i == 0 || i < cmd->nwords);
	df_sh_has_flag(cmd, i, "-y");
	df_sh_has_flag(cmd, i, "--yes");
	ck_assert_uint_le(df_sh_positionals(cmd, i, value_opts, out, 4), 4);
	df_sh_cmd_is(cmd, "apt-get");
	return 0;
}

START_TEST(t_random)
{
	static const char *const frags[] = {
		"if ", "then ", "elif ", "else ", "fi", "for ", " in ", "do ", "done", "while ",
		"case ", "esac", "function ", "(", ")", "{ ", " }", "$(", "${", "$((", "))", "`",
		"\\`", "'", "\"", "\\", "\n", "<<EOF\n", "EOF\n", "<<-'E'\n", "\tE\n", "2>&1", ">",
		"<", "|", "|&", "&&", "||", ";", ";;", ";&", "&", "!", " ", "  ", "a", "apt-get",
		"x=", "=(", "#", "[[ ", " ]]", "\t", "\\\n", "$x", "$'", "-y", "--", "sudo ", "}",
		"\r", "<<<", "&>",
	};
	uint32_t seed = 0x5eed1234u;
	char buf[512];
	for (int iter = 0; iter < 2000; iter++) {
		size_t len = rng_next(&seed) % (sizeof(buf) + 1);
		bool raw = iter % 3 == 0;
		size_t n = 0;
		while (n < len) {
			if (raw) {
				buf[n++] = (char)(rng_next(&seed) & 0xff);
				continue;
			}
			const char *f = frags[rng_next(&seed) % (sizeof(frags) / sizeof(frags[0]))];
			for (size_t k = 0; f[k] && n < len; k++)
				buf[n++] = f[k];
		}
		/* A private copy of exactly len bytes, so ASan sees any overread. */
		char *text = malloc(len ? len : 1);
		ck_assert_ptr_nonnull(text);
		if (len)
			memcpy(text, buf, len);

		char name[32];
		snprintf(name, sizeof(name), "random #%d", iter);
		df_arena a = DF_ARENA_INIT;
		df_buf b = DF_BUF_INIT;
		df_sh_script *s = df_sh_parse(&a, text, len);
		check_spans(s, text, len, name);
		check_simple_list(s, name);
		df_sh_dump(s, &b);
		ck_assert_uint_gt(b.len, 0);
		df_sh_walk(s, poke, NULL);
		df_buf_release(&b);
		df_arena_release(&a);
		free(text);
	}
}
END_TEST

static Suite *shell_suite(void)
{
	Suite *s = suite_create("shell");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_table);
	tcase_add_test(tc, t_spans);
	tcase_add_test(tc, t_walk);
	tcase_add_test(tc, t_simple_order);
	tcase_add_test(tc, t_name_index);
	tcase_add_test(tc, t_has_flag);
	tcase_add_test(tc, t_positionals);
	tcase_add_test(tc, t_deep_nesting);
	tcase_add_test(tc, t_random);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(shell_suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
