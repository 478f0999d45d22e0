/* manifest.c - reading the facts of manifest.h from package.json. */
#include "context/manifest.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "util/file.h"

/* The lifecycle scripts `npm ci` and `npm install` run for the project
 * itself, in the order they run. */
static const char *const install_hooks[] = { "preinstall", "install", "postinstall", "prepare", NULL };

/* The dependency maps an install of the project resolves. */
static const char *const dep_maps[] = { "dependencies", "devDependencies", "optionalDependencies", NULL };

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A spec installing a directory of the project rather than a registry
 * package. */
static bool is_local_spec(const char *spec)
{
	return strncmp(spec, "file:", 5) == 0 || strncmp(spec, "link:", 5) == 0;
}

static void read_package_json(const cJSON *root, df_manifest *m)
{
	const cJSON *scripts = cJSON_GetObjectItemCaseSensitive(root, "scripts");
	for (size_t i = 0; cJSON_IsObject(scripts) && install_hooks[i] && !m->hook; i++) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(scripts, install_hooks[i]);
		if (cJSON_IsString(s) && s->valuestring[0])
			m->hook = install_hooks[i];
	}
	/* An array of globs, or yarn's {"packages": [...]}: either way more
	 * package.json files than this one. */
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(root, "workspaces");
	m->workspaces = (cJSON_IsArray(ws) || cJSON_IsObject(ws)) && cJSON_GetArraySize(ws) > 0;
	for (size_t i = 0; dep_maps[i] && !m->local_dep[0]; i++) {
		const cJSON *deps = cJSON_GetObjectItemCaseSensitive(root, dep_maps[i]);
		const cJSON *d;
		cJSON_ArrayForEach(d, deps) {
			if (cJSON_IsString(d) && d->string && is_local_spec(d->valuestring)) {
				snprintf(m->local_dep, sizeof(m->local_dep), "%s", d->string);
				break;
			}
		}
	}
}

int df_manifest_parse(const char *name, const char *data, size_t len, df_manifest *m, df_buf *err)
{
	memset(m, 0, sizeof(*m));
	if (strcmp(base_name(name), "package.json") != 0)
		return 0;
	m->known = true;
	cJSON *root = cJSON_ParseWithLength(data, len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		m->known = false;
		df_buf_addf(err, "'%s': not a JSON object", name);
		return -1;
	}
	read_package_json(root, m);
	cJSON_Delete(root);
	return 0;
}

int df_manifest_read(const char *path, df_manifest *m, df_buf *err)
{
	memset(m, 0, sizeof(*m));
	if (strcmp(base_name(path), "package.json") != 0)
		return 0;
	df_buf data = DF_BUF_INIT;
	int rc = df_read_input(path, DF_MANIFEST_MAX, &data, err);
	if (rc == 0)
		rc = df_manifest_parse(path, data.buf ? data.buf : "", data.len, m, err);
	df_buf_release(&data);
	return rc;
}
