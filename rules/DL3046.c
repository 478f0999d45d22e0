/* DL3046 - useradd with a high uid needs -l. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "parse/scope.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3046 = {
	.code = "DL3046",
	.name = "useradd-high-uid",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "`useradd` without flag `-l` and high UID will result in excessively large Image.",
	.docs = {
		.what = "Reports `useradd -u UID` (also in ONBUILD RUN) where UID is longer than "
			"five characters and neither `-l` nor `--no-log-init` is given. As in "
			"hadolint only the `-u` value is measured. A `$VAR` uid is measured by the "
			"ARG/ENV value where dfopt knows it, and skipped where it does not.",
		.why = "useradd records the user in /var/log/lastlog and faillog, sparse files "
		       "sized by the uid; the image layer stores them in full, gigabytes for a "
		       "large uid.",
		.example = "FROM debian:12\nRUN useradd -u 1000000 app\n",
		.instead = "FROM debian:12\nRUN useradd -l -u 1000000 app\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "useradd", NULL },
	.on_instr = check,
};

typedef struct ctx {
	df_lint *lint;
	const df_instr *in;
} ctx;

/* Length of the uid as the shell sees it, or -1 when it is unknown. */
static long uid_length(const df_instr *in, const df_sh_word *w, df_str v)
{
	if (!w->has_expansion)
		return (long)v.len;
	/* Only a whole $NAME or ${NAME} with a known ARG/ENV value. */
	size_t at = 1, end = v.len;
	if (v.len >= 3 && v.ptr[1] == '{' && v.ptr[v.len - 1] == '}') {
		at = 2;
		end = v.len - 1;
	}
	if (v.len < 2 || v.ptr[0] != '$' || end <= at)
		return -1;
	for (size_t i = at; i < end; i++)
		if (!df_is_alnum((unsigned char)v.ptr[i]) && v.ptr[i] != '_')
			return -1;
	const df_var *var = df_scope_find(in->scope, v.ptr + at, end - at);
	if (!var || var->state != DF_EXP_KNOWN)
		return -1;
	return (long)var->value.len;
}

static int each(const df_cmd_view *v, void *ud)
{
	ctx *c = ud;
	const df_sh_cmd *cmd = v->cmd;
	if (!df_cmd_named(v, "useradd") || df_sh_has_flag(cmd, v->name, "-l") ||
	    df_sh_has_flag(cmd, v->name, "--no-log-init"))
		return 0;
	for (size_t i = v->name + 1; i < cmd->nwords; i++) {
		df_str s = cmd->words[i].value;
		if (df_mem_eq(s.ptr, s.len, "--"))
			break;
		size_t at = i;
		if (df_mem_eq(s.ptr, s.len, "-u") && i + 1 < cmd->nwords) {
			at = ++i;
			s = cmd->words[at].value;
		} else if (s.len > 2 && s.ptr[0] == '-' && s.ptr[1] == 'u') {
			s.ptr += 2;	/* -u1000000 */
			s.len -= 2;
		} else {
			continue;
		}
		long n = uid_length(c->in, &cmd->words[at], s);
		if (n > 5) {
			df_report(c->lint, &df_rule_DL3046, df_cmd_word_span(v, at), NULL);
			return 1;	/* one finding per instruction, as hadolint */
		}
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	ctx c = { lint, in->inner ? in->inner : in };
	df_lint_each_command(lint, c.in, each, &c);
}
