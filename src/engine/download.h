/*
 * download.h - what a curl or wget command of a RUN fetches and where the
 * body goes, for the rules about downloads (DF2001-DF2003, DF2010).
 *
 * Options are read as the programs read them (opts.h), so `-fsSLo f` is
 * -f -s -S -L and -o f, and the value of -H or -o is never taken for an
 * option or a URL. A URL is any operand (curl and wget read each as one),
 * or the value of curl's --url.
 */
#ifndef DF_ENGINE_DOWNLOAD_H
#define DF_ENGINE_DOWNLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/rule.h"

/* How curl and wget read their words. */
extern const df_optspec df_curl_opts;
extern const df_optspec df_wget_opts;

typedef struct df_download {
	const df_cmd_view *view;	/* the command with its words expanded: word
					 * indices below are into view->cmd->words */
	const df_sh_cmd *cmd;	/* view->cmd */
	bool wget;		/* wget, else curl */
	size_t nurls;
	size_t url_word;	/* the first URL: its word index and value */
	df_str url;
	df_str output;		/* the file the body is saved to (-o, wget -O, or the
				 * URL's last component for curl -O and plain wget);
				 * ptr NULL: stdout, or not known */
	size_t output_word;	/* the word naming output (the URL for -O, the
				 * command's name for `> file`) */
	bool to_stdout;		/* the body goes to stdout (curl's default, -O -) */
	bool piped;		/* and stdout feeds the next command of a pipeline */
	bool unknown;		/* a word of unknown value may be an option ($FLAGS) */
} df_download;

/* Read the curl or wget command v of in (a RUN, or the RUN of an ONBUILD)
 * into d. False when v is neither or fetches no URL. */
bool df_download_read(df_lint *lint, const df_instr *in, const df_cmd_view *v, df_download *d);

/* Does d's command carry the short option letter (0: none) or one of the
 * long options longs (NULL-terminated)? */
bool df_download_has(const df_download *d, char letter, const char *const *longs);

#endif
