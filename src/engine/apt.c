/* apt.c - see apt.h. */
#include "engine/apt.h"

#include "engine/cmds.h"
#include "util/util.h"

/* -qq, -q -q or --quiet --quiet: apt-get's quiet level 2 implies -y. */
static bool quiet_two(const df_sh_cmd *c, size_t from)
{
	size_t q = 0, quiet = 0;
	for (size_t i = from + 1; i < c->nwords; i++) {
		df_str s = c->words[i].value;
		if (df_mem_eq(s.ptr, s.len, "--"))
			break;
		if (df_mem_eq(s.ptr, s.len, "--quiet")) {
			quiet++;
			continue;
		}
		if (s.len < 2 || s.ptr[0] != '-' || s.ptr[1] == '-')
			continue;
		size_t k = 1;
		while (k < s.len && df_is_alnum((unsigned char)s.ptr[k]))
			k++;
		for (size_t j = 1; k == s.len && j < s.len; j++)
			q += s.ptr[j] == 'q';
	}
	return q == 2 || quiet == 2 || df_cmd_has_word(c, from, "-q=2");
}

bool df_apt_assumes_yes(const df_sh_cmd *c, size_t from)
{
	return df_sh_has_flag(c, from, "-y") || df_sh_has_flag(c, from, "--yes") ||
	       df_sh_has_flag(c, from, "--assume-yes") || df_sh_has_flag(c, from, "--qq") ||
	       quiet_two(c, from);
}
