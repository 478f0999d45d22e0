/*
 * report.c - a measurement as a table, Markdown (for a pull request
 * comment), JSON and an SVG bar chart.
 *
 * The headline figure of each scenario is the ratio of the seconds the
 * original variant spent rebuilding to the other's: above 1, the rewrite
 * saves that many times the work.
 */
#include "measure/measure.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* "3.2x", "same", or "-" when a side has no figure. */
static void fmt_ratio(const df_measure_scenario *s, char out[32])
{
	const df_measure_cell *a = &s->v[0], *b = &s->v[1];
	if (a->error || b->error)
		snprintf(out, 32, "-");
	else if (a->seconds <= 0.0005 && b->seconds <= 0.0005)
		snprintf(out, 32, "same");
	else if (b->seconds <= 0.0005)
		snprintf(out, 32, "all saved");
	else
		snprintf(out, 32, "%.1fx", a->seconds / b->seconds);
}

static void cell_row(df_buf *out, const char *sep, const df_measure_cell *c, bool dry)
{
	char bytes[32];
	if (c->error) {
		df_buf_addf(out, "%s%s", sep, c->error);
		return;
	}
	df_fmt_bytes(c->bytes, bytes);
	df_buf_addf(out, "%s%zu%s%zu%s%zu%s%.2fs%s%s%s", sep, c->steps, sep, c->hits, sep, c->rebuilt, sep, c->seconds,
		    dry ? " (est.)" : "", sep, dry ? "-" : bytes);
}

void df_measure_table(const df_measure_result *r, df_buf *out)
{
	df_buf_addf(out, "variants: %s against %s\n\n", r->variant[0], r->variant[1]);
	df_buf_addf(out, "%-22s %-16s %5s %5s %8s %12s %10s %8s\n", "scenario", "variant", "steps", "hits", "rebuilt",
		    "seconds", "new bytes", "ratio");
	for (size_t i = 0; i < r->n; i++) {
		const df_measure_scenario *s = &r->sc[i];
		char ratio[32];
		fmt_ratio(s, ratio);
		for (int v = 0; v < 2; v++) {
			const df_measure_cell *c = &s->v[v];
			df_buf_addf(out, "%-22s %-16.16s", v ? "" : s->name, r->variant[v]);
			if (c->error) {
				df_buf_addf(out, " %s\n", c->error);
				continue;
			}
			char bytes[32], secs[32];
			df_fmt_bytes(c->bytes, bytes);
			snprintf(secs, sizeof secs, "%.2fs%s", c->seconds, r->dry_run ? "~" : "");
			df_buf_addf(out, " %5zu %5zu %8zu %12s %10s %8s\n", c->steps, c->hits, c->rebuilt, secs,
				    r->dry_run ? "-" : bytes, v ? "" : ratio);
		}
		if (*s->detail)
			df_buf_addf(out, "%-22s (%s)\n", "", s->detail);
	}
	if (r->dry_run)
		df_buf_adds(out, "~ dry run: keys only; seconds are those recorded when the steps were built, or estimates\n");
	if (r->verified)
		df_buf_addf(out, "verify: %s\n%s", r->verify_ok ? "both variants produce the same file system and config"
							       : "the variants differ (the rewrite is unsafe for this project):",
			    r->verify_ok || !r->verify_report ? "" : r->verify_report);
}

void df_measure_markdown(const df_measure_result *r, df_buf *out)
{
	df_buf_addf(out, "### dfopt measure: %s against %s\n\n", r->variant[0], r->variant[1]);
	df_buf_adds(out, "| scenario | variant | steps | cache hits | rebuilt | rebuild seconds | new bytes | ratio |\n"
			 "|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < r->n; i++) {
		const df_measure_scenario *s = &r->sc[i];
		char ratio[32];
		fmt_ratio(s, ratio);
		for (int v = 0; v < 2; v++) {
			df_buf_addf(out, "| %s | %s", v ? "" : s->name, r->variant[v]);
			cell_row(out, " | ", &s->v[v], r->dry_run);
			df_buf_addf(out, " | %s |\n", v ? "" : ratio);
		}
	}
	if (r->verified)
		df_buf_addf(out, "\n%s\n", r->verify_ok ? "Verified: both variants produce the same file system and config."
						       : "**The variants differ**: the rewrite is unsafe for this project.");
	if (r->fix_diff && *r->fix_diff)
		df_buf_addf(out, "\n<details><summary>The rewrite</summary>\n\n```diff\n%s```\n</details>\n", r->fix_diff);
}

void df_measure_json(const df_measure_result *r, df_buf *out)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *vars = cJSON_AddArrayToObject(j, "variants");
	cJSON_AddItemToArray(vars, cJSON_CreateString(r->variant[0]));
	cJSON_AddItemToArray(vars, cJSON_CreateString(r->variant[1]));
	cJSON_AddBoolToObject(j, "dry_run", r->dry_run);
	cJSON *scs = cJSON_AddArrayToObject(j, "scenarios");
	for (size_t i = 0; i < r->n; i++) {
		const df_measure_scenario *s = &r->sc[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", s->name);
		cJSON_AddStringToObject(o, "detail", s->detail);
		cJSON *cells = cJSON_AddArrayToObject(o, "variants");
		for (int v = 0; v < 2; v++) {
			const df_measure_cell *c = &s->v[v];
			cJSON *cj = cJSON_CreateObject();
			cJSON_AddStringToObject(cj, "variant", r->variant[v]);
			if (c->error) {
				cJSON_AddStringToObject(cj, "error", c->error);
			} else {
				cJSON_AddNumberToObject(cj, "steps", (double)c->steps);
				cJSON_AddNumberToObject(cj, "hits", (double)c->hits);
				cJSON_AddNumberToObject(cj, "rebuilt", (double)c->rebuilt);
				cJSON_AddNumberToObject(cj, "seconds", c->seconds);
				cJSON_AddNumberToObject(cj, "new_bytes", (double)c->bytes);
			}
			cJSON_AddItemToArray(cells, cj);
		}
		const df_measure_cell *a = &s->v[0], *b = &s->v[1];
		if (!a->error && !b->error && b->seconds > 0.0005)
			cJSON_AddNumberToObject(o, "ratio", a->seconds / b->seconds);
		else
			cJSON_AddNullToObject(o, "ratio");
		cJSON_AddItemToArray(scs, o);
	}
	if (r->verified) {
		cJSON *v = cJSON_AddObjectToObject(j, "verify");
		cJSON_AddBoolToObject(v, "same", r->verify_ok);
		cJSON_AddStringToObject(v, "differences", r->verify_report ? r->verify_report : "");
	}
	if (r->fix_diff)
		cJSON_AddStringToObject(j, "fix_diff", r->fix_diff);
	char *s = cJSON_Print(j);
	df_buf_adds(out, s);
	df_buf_addc(out, '\n');
	free(s);
	cJSON_Delete(j);
}

/* Text with the five XML specials escaped. */
static void xml_text(df_buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': df_buf_adds(out, "&lt;"); break;
		case '>': df_buf_adds(out, "&gt;"); break;
		case '&': df_buf_adds(out, "&amp;"); break;
		case '"': df_buf_adds(out, "&quot;"); break;
		case '\'': df_buf_adds(out, "&apos;"); break;
		default: df_buf_addc(out, *s);
		}
	}
}

void df_measure_svg(const df_measure_result *r, df_buf *out)
{
	enum { LEFT = 170, BAR = 18, GAP = 6, GROUP = 2 * BAR + GAP + 16, WIDTH = 760, PLOT = WIDTH - LEFT - 90 };
	static const char *const colour[2] = { "#c0504d", "#4f81bd" };
	double max = 0;
	for (size_t i = 0; i < r->n; i++)
		for (int v = 0; v < 2; v++)
			if (!r->sc[i].v[v].error && r->sc[i].v[v].seconds > max)
				max = r->sc[i].v[v].seconds;
	if (max <= 0)
		max = 1;
	int height = 70 + (int)r->n * GROUP + 30;
	df_buf_addf(out,
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		    "font-family=\"sans-serif\" font-size=\"13\">\n"
		    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		    "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Rebuild seconds per scenario%s</text>\n",
		    WIDTH, height, WIDTH, height, 10, r->dry_run ? " (dry run, estimated)" : "");
	for (int v = 0; v < 2; v++) {
		df_buf_addf(out, "<rect x=\"%d\" y=\"36\" width=\"14\" height=\"14\" fill=\"%s\"/><text x=\"%d\" y=\"48\">",
			    10 + v * 220, colour[v], 30 + v * 220);
		xml_text(out, r->variant[v]);
		df_buf_adds(out, "</text>\n");
	}
	for (size_t i = 0; i < r->n; i++) {
		const df_measure_scenario *s = &r->sc[i];
		int y = 70 + (int)i * GROUP;
		df_buf_addf(out, "<text x=\"10\" y=\"%d\">", y + BAR + GAP / 2 + 4);
		xml_text(out, s->name);
		df_buf_adds(out, "</text>\n");
		for (int v = 0; v < 2; v++) {
			const df_measure_cell *c = &s->v[v];
			int by = y + v * (BAR + GAP);
			if (c->error) {
				df_buf_addf(out, "<text x=\"%d\" y=\"%d\" fill=\"#666\">", LEFT, by + BAR - 4);
				xml_text(out, c->error);
				df_buf_adds(out, "</text>\n");
				continue;
			}
			int w = (int)(c->seconds / max * PLOT + 0.5);
			df_buf_addf(out,
				    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
				    "<text x=\"%d\" y=\"%d\">%.2fs, %zu/%zu cached</text>\n",
				    LEFT, by, w > 0 ? w : 1, BAR, colour[v], LEFT + (w > 0 ? w : 1) + 6, by + BAR - 4,
				    c->seconds, c->hits, c->steps);
		}
	}
	df_buf_adds(out, "</svg>\n");
}
