/* ConsistentInstructionCasing - keywords all upper case or all lower case. */
#include "engine/fixes.h"
#include "engine/rule.h"

#include <stdint.h>
#include <string.h>

static void check(df_lint *lint, void *state);

const df_rule df_rule_ConsistentInstructionCasing = {
	.code = "ConsistentInstructionCasing",
	.name = "consistent-instruction-casing",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_SAFE,
	.message = "instruction keyword casing is inconsistent",
	.docs = {
		.what = "Reports an instruction keyword written in mixed case (`Run`), and one "
			"written in the minority case of the file: lower case in a file whose "
			"keywords are mostly upper case, or the reverse (a tie counts as upper "
			"case). ONBUILD triggers count as keywords too; a word that is no "
			"instruction at all is a parse error (DL1000), not a casing problem. The "
			"fix writes the keyword in the file's majority case.",
		.why = "The builder accepts any casing, but a file that mixes them is harder to "
		       "scan: the keywords stop standing out from their arguments.",
		.example = "FROM alpine\nRun echo hello > /greeting.txt\nrun cat /greeting.txt\n",
		.instead = "FROM alpine\nRUN echo hello > /greeting.txt\nRUN cat /greeting.txt\n",
	},
	.on_file_end = check,
};

/* 1: every letter upper case, -1: every letter lower case, 0: mixed. */
static int casing(df_str s)
{
	bool upper = false, lower = false;
	for (size_t i = 0; i < s.len; i++) {
		upper |= s.ptr[i] >= 'A' && s.ptr[i] <= 'Z';
		lower |= s.ptr[i] >= 'a' && s.ptr[i] <= 'z';
	}
	return upper && !lower ? 1 : lower && !upper ? -1 : 0;
}

/*
 * Has the keyword of an instruction of a known kind a lower-case letter? It
 * spells the kind's name, letters only, so a letter is lower case exactly
 * when its 0x20 bit is set. Read as two loads that overlap (of 3 letters,
 * the first, middle and last byte are all of them) instead of byte by byte:
 * every keyword of every file is asked.
 */
static bool has_lower(df_str k)
{
	const char *p = k.ptr;
	size_t n = k.len;
	if (n > 16)
		return casing(k) != 1;	/* no instruction's name is this long */
	if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
		return (a | b) & UINT64_C(0x2020202020202020);
	}
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		return (a | b) & 0x20202020u;
	}
	return n && ((p[0] | p[n / 2] | p[n - 1]) & 0x20);
}

/* Has a keyword of the file (ONBUILD triggers too) a lower-case letter? */
static bool any_lower(const df_doc *doc)
{
	for (size_t i = 0; i < doc->ninstrs; i++)
		for (const df_instr *in = doc->instrs[i]; in; in = in->inner)
			if (in->kind != DF_I_UNKNOWN && has_lower(in->keyword))
				return true;
	return false;
}

static void judge(df_lint *lint, const df_instr *in, int majority)
{
	df_str k = in->keyword;
	int c = casing(k);
	df_fix *fix;
	if (c == 0)
		fix = df_report_fix(lint, &df_rule_ConsistentInstructionCasing, DF_FIX_SAFE, in->keyword_span,
				    "instruction '%.*s' should be all upper or all lower case: %s case, as most instructions are",
				    (int)k.len, k.ptr, majority > 0 ? "upper" : "lower");
	else if (c != majority)
		fix = df_report_fix(lint, &df_rule_ConsistentInstructionCasing, DF_FIX_SAFE, in->keyword_span,
				    "instruction '%.*s' should match the casing of most instructions (%s case)",
				    (int)k.len, k.ptr, majority > 0 ? "upper" : "lower");
	else
		return;
	if (!fix)
		return;
	char buf[32];
	const char *w = df_ascii_case(k, majority < 0, buf);
	if (w)	/* every instruction keyword fits */
		df_fix_edit(fix, in->keyword_span.start, in->keyword_span.end, w);
}

/* The majority is known only once every keyword is seen: decide at the end. */
static void check(df_lint *lint, void *state)
{
	(void)state;
	const df_doc *doc = df_lint_doc(lint);
	/* Nearly every file writes its keywords in upper case: then nothing
	 * to judge. */
	if (!any_lower(doc))
		return;
	size_t upper = 0, lower = 0, mixed = 0;
	for (size_t i = 0; i < doc->ninstrs; i++) {
		for (const df_instr *in = doc->instrs[i]; in; in = in->inner) {
			if (in->kind == DF_I_UNKNOWN)
				continue;
			int c = casing(in->keyword);
			upper += c > 0;
			lower += c < 0;
			mixed += c == 0;
		}
	}
	/* Every keyword lower case is as consistent: nothing to judge. */
	if (!mixed && (!upper || !lower))
		return;
	int majority = lower > upper ? -1 : 1;
	for (size_t i = 0; i < doc->ninstrs; i++)
		for (const df_instr *in = doc->instrs[i]; in; in = in->inner)
			if (in->keyword.len && in->kind != DF_I_UNKNOWN)
				judge(lint, in, majority);
}
