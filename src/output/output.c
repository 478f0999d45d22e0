/* output.c - findings as tty text or JSON; see output.h. */
#include "output/output.h"
#include "parse/dump.h"

#include <cjson/cJSON.h>
#include <string.h>

static void render_tty(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	for (size_t f = 0; f < nfiles; f++)
		for (size_t i = 0; i < files[f].diags->len; i++) {
			const df_diag *d = &files[f].diags->items[i];
			df_buf_addf(out, "%s:%u:%u %s %s: %s\n", files[f].file, d->line, d->col, d->code,
				    df_severity_name(d->severity), d->message);
		}
}

static void render_json(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t f = 0; f < nfiles; f++)
		for (size_t i = 0; i < files[f].diags->len; i++) {
			const df_diag *d = &files[f].diags->items[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "code", d->code);
			cJSON_AddNumberToObject(o, "column", d->col);
			cJSON_AddNumberToObject(o, "end_column", d->end_col);
			cJSON_AddNumberToObject(o, "end_line", d->end_line);
			cJSON_AddItemToObject(o, "file", df_dump_json_str((df_str){ files[f].file, strlen(files[f].file) }));
			cJSON_AddStringToObject(o, "level", df_severity_name(d->severity));
			cJSON_AddNumberToObject(o, "line", d->line);
			cJSON_AddItemToObject(o, "message", df_dump_json_str((df_str){ d->message, strlen(d->message) }));
			cJSON_AddItemToArray(arr, o);
		}
	char *s = cJSON_PrintUnformatted(arr);
	df_buf_adds(out, s);
	df_buf_addc(out, '\n');
	cJSON_free(s);
	cJSON_Delete(arr);
}

bool df_output_known(const char *format)
{
	return !strcmp(format, "tty") || !strcmp(format, "json");
}

int df_output_render(const char *format, const df_file_findings *files, size_t nfiles, df_buf *out)
{
	if (!strcmp(format, "tty"))
		render_tty(files, nfiles, out);
	else if (!strcmp(format, "json"))
		render_json(files, nfiles, out);
	else
		return -1;
	return 0;
}
