/*
 * image.c - OCI image configs, manifests, layout export and base image
 * import; see image.h.
 *
 * Imported bytes are kept as they are wherever a digest names them
 * (manifests, configs, layers), so an imported image keeps its ID; only
 * configs that dfopt builds are serialised here, with sorted keys.
 */
#include "build/image.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build/layer.h"
#include "util/util.h"
#include "util/file.h"

/* JSON documents read whole (index, manifest, config) are small. */
#define JSON_MAX (64u << 20)
#define CHUNK (1u << 16)

#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define REF_NAME "org.opencontainers.image.ref.name"
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* --- platform, time, JSON helpers ------------------------------------------ */

const char *df_image_host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__i386__)
	return "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__powerpc64__)
	return "ppc64";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__loongarch64)
	return "loong64";
#elif defined(__mips64) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "mips64le";
#else
	return "unknown";
#endif
}

const char *df_image_host_variant(void)
{
#if defined(__aarch64__)
	return "v8";
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7
	return "v7";
#elif defined(__arm__)
	return "v6";
#else
	return "";
#endif
}

/* RFC 3339 in UTC, as Go prints a time.Time with no fraction. */
static void rfc3339(int64_t epoch, char out[32])
{
	time_t t = (time_t)epoch;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

void df_json_sort_keys(cJSON *node)
{
	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return;
	size_t n = 0;
	for (cJSON *c = node->child; c; c = c->next) {
		df_json_sort_keys(c);
		n++;
	}
	if (!cJSON_IsObject(node) || n < 2)
		return;
	cJSON **v = df_xmalloc(n * sizeof(*v));
	size_t i = 0;
	for (cJSON *c = node->child; c; c = c->next)
		v[i++] = c;
	/* Insertion sort: stable, and objects have few keys. */
	for (i = 1; i < n; i++) {
		cJSON *x = v[i];
		size_t j = i;
		while (j > 0 && strcmp(v[j - 1]->string ? v[j - 1]->string : "", x->string ? x->string : "") > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	/* cJSON's list: the first child's prev is the last child. */
	for (i = 0; i < n; i++) {
		v[i]->prev = i ? v[i - 1] : v[n - 1];
		v[i]->next = i + 1 < n ? v[i + 1] : NULL;
	}
	node->child = v[0];
	free(v);
}

/* obj[key] as an object, created (or replacing a non-object) if needed. */
static cJSON *child_object(cJSON *obj, const char *key)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsObject(c))
		return c;
	if (c)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	return cJSON_AddObjectToObject(obj, key);
}

static cJSON *child_array(cJSON *obj, const char *key)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsArray(c))
		return c;
	if (c)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	return cJSON_AddArrayToObject(obj, key);
}

static void set_string(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value);
}

static const char *get_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool get_digest(const cJSON *obj, const char *key, df_digest *d)
{
	const char *s = get_string(obj, key);
	return s && df_digest_parse(d, s);
}

/* A descriptor's size: a whole number >= 0. */
static bool get_size(const cJSON *obj, uint64_t *size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "size");
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble)
		return false;
	*size = (uint64_t)v->valuedouble;
	return true;
}

static cJSON *parse_object(const df_buf *text)
{
	cJSON *o = cJSON_ParseWithLength(text->buf ? text->buf : "", text->len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static char *print_json(const cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	if (!s)
		df_die_oom();
	return s;
}

static bool is_manifest_type(const char *mt)
{
	return !mt || !strcmp(mt, DF_MEDIA_MANIFEST) || !strcmp(mt, MEDIA_DOCKER_MANIFEST);
}

static bool is_index_type(const char *mt)
{
	return mt && (!strcmp(mt, DF_MEDIA_INDEX) || !strcmp(mt, MEDIA_DOCKER_LIST));
}

/* --- the image in memory ----------------------------------------------------- */

void df_image_init_scratch(df_image *img)
{
	*img = (df_image)DF_IMAGE_INIT;
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "architecture", df_image_host_arch());
	cJSON *cfg = cJSON_AddObjectToObject(c, "config");
	cJSON *env = cJSON_AddArrayToObject(cfg, "Env");
	cJSON_AddItemToArray(env, cJSON_CreateString(DEFAULT_PATH));
	cJSON_AddStringToObject(cfg, "WorkingDir", "/");
	cJSON_AddArrayToObject(c, "history");
	cJSON_AddStringToObject(c, "os", "linux");
	cJSON *rootfs = cJSON_AddObjectToObject(c, "rootfs");
	cJSON_AddArrayToObject(rootfs, "diff_ids");
	cJSON_AddStringToObject(rootfs, "type", "layers");
	if (*df_image_host_variant())
		cJSON_AddStringToObject(c, "variant", df_image_host_variant());
	img->config = c;
}

void df_image_release(df_image *img)
{
	cJSON_Delete(img->config);
	free(img->layers);
	*img = (df_image)DF_IMAGE_INIT;
}

void df_image_copy(df_image *dst, const df_image *src)
{
	*dst = (df_image)DF_IMAGE_INIT;
	dst->config = src->config ? cJSON_Duplicate(src->config, true) : NULL;
	if (src->config && !dst->config)
		df_die_oom();
	if (src->nlayers) {
		dst->layers = df_xmalloc(src->nlayers * sizeof(*dst->layers));
		memcpy(dst->layers, src->layers, src->nlayers * sizeof(*dst->layers));
	}
	dst->nlayers = dst->cap = src->nlayers;
	dst->config_digest = src->config_digest;
	dst->manifest = src->manifest;
}

static void push_layer(df_image *img, const df_image_layer *layer)
{
	df_grow((void **)&img->layers, &img->cap, img->nlayers + 1, sizeof(*img->layers));
	img->layers[img->nlayers++] = *layer;
}

void df_image_add_layer(df_image *img, const df_image_layer *layer)
{
	if (!img->config)
		DF_BUG("df_image_add_layer on an image without a config");
	push_layer(img, layer);
	cJSON *ids = child_array(child_object(img->config, "rootfs"), "diff_ids");
	cJSON_AddItemToArray(ids, cJSON_CreateString(layer->diff_id.s));
	img->config_digest.s[0] = img->manifest.s[0] = '\0';
}

void df_image_add_history(df_image *img, const char *created_by, bool empty_layer, int64_t epoch)
{
	if (!img->config)
		DF_BUG("df_image_add_history on an image without a config");
	char when[32];
	rfc3339(epoch, when);
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "created", when);
	cJSON_AddStringToObject(h, "created_by", created_by ? created_by : "");
	if (empty_layer)	/* omitted when false, as Docker writes it */
		cJSON_AddBoolToObject(h, "empty_layer", true);
	cJSON_AddItemToArray(child_array(img->config, "history"), h);
	img->config_digest.s[0] = img->manifest.s[0] = '\0';
}

/* --- commit and load ------------------------------------------------------- */

/* An OCI manifest for a config blob and layers, keys in the conventional
 * order (the same bytes for the same arguments). */
static char *manifest_text(const char *config_media, const df_digest *config, uint64_t config_size,
			   const df_image_layer *layers, size_t n)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddNumberToObject(m, "schemaVersion", 2);
	cJSON_AddStringToObject(m, "mediaType", DF_MEDIA_MANIFEST);
	cJSON *c = cJSON_AddObjectToObject(m, "config");
	cJSON_AddStringToObject(c, "mediaType", config_media);
	cJSON_AddStringToObject(c, "digest", config->s);
	cJSON_AddNumberToObject(c, "size", (double)config_size);
	cJSON *ls = cJSON_AddArrayToObject(m, "layers");
	for (size_t i = 0; i < n; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "mediaType", layers[i].media_type);
		cJSON_AddStringToObject(l, "digest", layers[i].blob.s);
		cJSON_AddNumberToObject(l, "size", (double)layers[i].size);
		cJSON_AddItemToArray(ls, l);
	}
	char *s = print_json(m);
	cJSON_Delete(m);
	return s;
}

int df_image_commit(const df_store *s, df_image *img, df_buf *err)
{
	if (!img->config) {
		df_buf_adds(err, "cannot commit an image without a config");
		return -1;
	}
	for (size_t i = 0; i < img->nlayers; i++)
		if (!df_store_has_blob(s, &img->layers[i].blob)) {
			df_buf_addf(err, "cannot commit the image: layer blob '%s' is not in the store '%s'",
				    img->layers[i].blob.s, s->root);
			return -1;
		}
	cJSON *rootfs = child_object(img->config, "rootfs");
	set_string(rootfs, "type", "layers");
	cJSON_DeleteItemFromObjectCaseSensitive(rootfs, "diff_ids");
	cJSON *ids = cJSON_AddArrayToObject(rootfs, "diff_ids");
	for (size_t i = 0; i < img->nlayers; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(img->layers[i].diff_id.s));

	/* The image is as old as its newest step: no clock reading, so the
	 * same inputs give the same ID. */
	const cJSON *hist = cJSON_GetObjectItemCaseSensitive(img->config, "history");
	const cJSON *last = cJSON_IsArray(hist) ? cJSON_GetArrayItem(hist, cJSON_GetArraySize(hist) - 1) : NULL;
	const char *created = get_string(last, "created");
	if (created)
		set_string(img->config, "created", created);
	else if (!get_string(img->config, "created"))
		set_string(img->config, "created", "1970-01-01T00:00:00Z");

	df_json_sort_keys(img->config);
	char *cfg = print_json(img->config);
	size_t cfg_len = strlen(cfg);
	int rc = df_store_put_blob(s, cfg, cfg_len, &img->config_digest, err);
	cJSON_free(cfg);
	if (rc < 0)
		return -1;
	char *m = manifest_text(DF_MEDIA_CONFIG, &img->config_digest, cfg_len, img->layers, img->nlayers);
	rc = df_store_put_blob(s, m, strlen(m), &img->manifest, err);
	cJSON_free(m);
	return rc;
}

static int load(const df_store *s, const df_digest *manifest, df_image *img, df_buf *err)
{
	df_buf text = DF_BUF_INIT;
	cJSON *m = NULL;
	int rc = -1;
	if (df_store_read_blob(s, manifest, &text, err) < 0)
		goto out;
	m = parse_object(&text);
	const char *mt = get_string(m, "mediaType");
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(m, "config");
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(m, "layers");
	df_digest cd;
	if (!m || !is_manifest_type(mt) || !get_digest(config, "digest", &cd) || !cJSON_IsArray(layers)) {
		df_buf_addf(err, "'%s' is not an image manifest", manifest->s);
		goto out;
	}
	if (df_store_read_blob(s, &cd, &text, err) < 0)
		goto out;
	img->config = parse_object(&text);
	const cJSON *rootfs = cJSON_GetObjectItemCaseSensitive(img->config, "rootfs");
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(rootfs, "diff_ids");
	if (!img->config || !cJSON_IsArray(ids)) {
		df_buf_addf(err, "image config '%s' is malformed (no rootfs.diff_ids)", cd.s);
		goto out;
	}
	if (cJSON_GetArraySize(ids) != cJSON_GetArraySize(layers)) {
		df_buf_addf(err, "image '%s' has %d layers but its config lists %d diff_ids", manifest->s,
			    cJSON_GetArraySize(layers), cJSON_GetArraySize(ids));
		goto out;
	}
	const cJSON *l, *id = ids->child;
	cJSON_ArrayForEach(l, layers)
	{
		df_image_layer il;
		memset(&il, 0, sizeof(il));
		const char *lmt = get_string(l, "mediaType");
		if (!get_digest(l, "digest", &il.blob) || !get_size(l, &il.size) || !lmt ||
		    strlen(lmt) >= sizeof(il.media_type) || !cJSON_IsString(id) ||
		    !df_digest_parse(&il.diff_id, id->valuestring)) {
			df_buf_addf(err, "image '%s': malformed layer %zu", manifest->s, img->nlayers + 1);
			goto out;
		}
		memcpy(il.media_type, lmt, strlen(lmt) + 1);
		if (!df_store_has_blob(s, &il.blob)) {
			df_buf_addf(err, "image '%s': layer blob '%s' is not in the store '%s'", manifest->s, il.blob.s,
				    s->root);
			goto out;
		}
		push_layer(img, &il);
		id = id->next;
	}
	img->config_digest = cd;
	img->manifest = *manifest;
	rc = 0;
out:
	cJSON_Delete(m);
	df_buf_release(&text);
	return rc;
}

int df_image_load(const df_store *s, const df_digest *manifest, df_image *img, df_buf *err)
{
	*img = (df_image)DF_IMAGE_INIT;
	if (load(s, manifest, img, err) < 0) {
		df_image_release(img);
		return -1;
	}
	return 0;
}

/* --- export ------------------------------------------------------------------ */

static int mkdirs(const char *path, df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	df_buf_adds(&p, path);
	for (char *c = p.buf + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p.buf, 0755) < 0 && errno != EEXIST) {
			df_buf_addf(err, "cannot create '%s': %s", p.buf, strerror(errno));
			df_buf_release(&p);
			return -1;
		}
		*c = '/';
	}
	if (mkdir(p.buf, 0755) < 0 && errno != EEXIST) {
		df_buf_addf(err, "cannot create '%s': %s", p.buf, strerror(errno));
		df_buf_release(&p);
		return -1;
	}
	df_buf_release(&p);
	return 0;
}

/* Copy the file src to dest through a temporary file beside dest. */
static int copy_file(const char *src, const char *dest, df_buf *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		df_buf_addf(err, "cannot read '%s': %s", src, strerror(errno));
		return -1;
	}
	df_buf tmp = DF_BUF_INIT;
	df_buf_addf(&tmp, "%s.tmp-XXXXXX", dest);
	int out = mkostemp(tmp.buf, O_CLOEXEC);
	if (out < 0) {
		df_buf_addf(err, "cannot create '%s': %s", tmp.buf, strerror(errno));
		close(in);
		df_buf_release(&tmp);
		return -1;
	}
	char *chunk = df_xmalloc(CHUNK);
	int e = 0;
	const char *who = src;
	for (;;) {
		ssize_t n = read(in, chunk, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			break;
		}
		if (n == 0)
			break;
		if (df_write_all(out, chunk, (size_t)n) < 0) {
			e = errno;
			who = dest;
			break;
		}
	}
	free(chunk);
	close(in);
	if (!e && (fchmod(out, 0644) < 0 || fsync(out) < 0)) {
		e = errno;
		who = dest;
	}
	if (close(out) < 0 && !e) {
		e = errno;
		who = dest;
	}
	if (!e && rename(tmp.buf, dest) < 0) {
		e = errno;
		who = dest;
	}
	if (e) {
		unlink(tmp.buf);
		df_buf_addf(err, "cannot copy '%s' to '%s': %s: %s", src, dest, who, strerror(e));
	}
	df_buf_release(&tmp);
	return e ? -1 : 0;
}

/* Put a store blob into the layout: a hard link when both are on one file
 * system, else a copy. A blob already there is taken as it is. */
static int export_blob(const df_store *s, const df_digest *d, const char *blobs, df_buf *err)
{
	df_buf src = DF_BUF_INIT, dest = DF_BUF_INIT;
	df_store_blob_path(s, d, &src);
	df_buf_addf(&dest, "%s/%s", blobs, df_digest_hex(d));
	struct stat a, b;
	int rc = 0;
	if (stat(src.buf, &a) < 0) {
		df_buf_addf(err, "cannot export '%s': %s", src.buf, strerror(errno));
		rc = -1;
	} else if (lstat(dest.buf, &b) == 0 && S_ISREG(b.st_mode) && b.st_size == a.st_size) {
		/* there already */
	} else if (link(src.buf, dest.buf) < 0) {
		/* Another file system, or something else in the way: the
		 * copy is renamed over it. */
		rc = copy_file(src.buf, dest.buf, err);
	}
	df_buf_release(&src);
	df_buf_release(&dest);
	return rc;
}

static uint64_t stored_size(const df_store *s, const df_digest *d)
{
	df_buf p = DF_BUF_INIT;
	df_store_blob_path(s, d, &p);
	struct stat st;
	uint64_t n = stat(p.buf, &st) == 0 ? (uint64_t)st.st_size : 0;
	df_buf_release(&p);
	return n;
}

/* Read a small file whole: 0, 1 when missing, -1. */
static int read_small(const char *path, df_buf *out, df_buf *err)
{
	df_buf_reset(out);
	/* O_NONBLOCK: a FIFO planted in a layout must not hang us. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	const char *why = fstat(fd, &st) < 0 ? strerror(errno) : !S_ISREG(st.st_mode) ? "not a regular file" : NULL;
	if (why) {
		df_buf_addf(err, "cannot read '%s': %s", path, why);
		close(fd);
		return -1;
	}
	for (;;) {
		df_buf_grow(out, CHUNK);
		ssize_t n = read(fd, out->buf + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || out->len + (size_t)n > JSON_MAX) {
			df_buf_addf(err, "cannot read '%s': %s", path, n < 0 ? strerror(errno) : "too large");
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
	}
	close(fd);
	return 0;
}

int df_image_export(const df_store *s, const df_image *img, const char *dir, const char *ref_name, df_buf *err)
{
	if (!df_digest_set(&img->manifest) || !df_digest_set(&img->config_digest)) {
		df_buf_addf(err, "cannot export to '%s': the image is not committed", dir);
		return -1;
	}
	df_buf p = DF_BUF_INIT, blobs = DF_BUF_INIT, text = DF_BUF_INIT;
	cJSON *index = NULL;
	int rc = -1;
	df_buf_addf(&blobs, "%s/blobs/sha256", dir);
	if (mkdirs(blobs.buf, err) < 0)
		goto out;

	df_buf_addf(&p, "%s/oci-layout", dir);
	int have = read_small(p.buf, &text, err);
	if (have < 0)
		goto out;
	if (have == 1) {
		static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		if (df_store_write_atomic(NULL, p.buf, layout, sizeof(layout) - 1, err) < 0)
			goto out;
	}

	/* Blobs before the index that names them: a reader of the layout
	 * never finds a dangling reference. */
	if (export_blob(s, &img->config_digest, blobs.buf, err) < 0 || export_blob(s, &img->manifest, blobs.buf, err) < 0)
		goto out;
	for (size_t i = 0; i < img->nlayers; i++)
		if (export_blob(s, &img->layers[i].blob, blobs.buf, err) < 0)
			goto out;

	df_buf_reset(&p);
	df_buf_addf(&p, "%s/index.json", dir);
	have = read_small(p.buf, &text, err);
	if (have < 0)
		goto out;
	if (have == 0) {
		index = parse_object(&text);
		if (!index || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(index, "manifests"))) {
			df_buf_addf(err, "cannot export to '%s': its index.json is not an image index", dir);
			goto out;
		}
	} else {
		index = cJSON_CreateObject();
		cJSON_AddNumberToObject(index, "schemaVersion", 2);
		cJSON_AddStringToObject(index, "mediaType", DF_MEDIA_INDEX);
		cJSON_AddArrayToObject(index, "manifests");
	}
	cJSON *list = cJSON_GetObjectItemCaseSensitive(index, "manifests");
	for (cJSON *e = list->child, *next; e; e = next) {
		next = e->next;
		const char *ref = get_string(cJSON_GetObjectItemCaseSensitive(e, "annotations"), REF_NAME);
		const char *dg = get_string(e, "digest");
		bool same = ref_name ? ref && !strcmp(ref, ref_name) : !ref && dg && !strcmp(dg, img->manifest.s);
		if (same)
			cJSON_Delete(cJSON_DetachItemViaPointer(list, e));
	}
	cJSON *desc = cJSON_CreateObject();
	cJSON_AddStringToObject(desc, "mediaType", DF_MEDIA_MANIFEST);
	cJSON_AddStringToObject(desc, "digest", img->manifest.s);
	cJSON_AddNumberToObject(desc, "size", (double)stored_size(s, &img->manifest));
	if (ref_name)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(desc, "annotations"), REF_NAME, ref_name);
	cJSON_AddItemToArray(list, desc);
	char *out = print_json(index);
	rc = df_store_write_atomic(NULL, p.buf, out, strlen(out), err);
	cJSON_free(out);
out:
	cJSON_Delete(index);
	df_buf_release(&p);
	df_buf_release(&blobs);
	df_buf_release(&text);
	return rc;
}

/* --- import: common ---------------------------------------------------------- */

/* Read a blob of an OCI layout whole, checking its digest. */
static int layout_read_blob(const char *dir, const df_digest *d, df_buf *out, df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	df_buf_addf(&p, "%s/blobs/sha256/%s", dir, df_digest_hex(d));
	int rc = read_small(p.buf, out, err);
	if (rc == 1) {
		df_buf_addf(err, "blob '%s' is missing from the layout", d->s);
		rc = -1;
	}
	if (rc == 0) {
		df_digest got;
		df_sha256_buf(out->buf ? out->buf : "", out->len, &got);
		if (strcmp(got.s, d->s) != 0) {
			df_buf_addf(err, "blob '%s' does not match its digest", p.buf);
			rc = -1;
		}
	}
	df_buf_release(&p);
	return rc;
}

/* Is path inside the store's tmp/ (a layout skopeo just pulled there)? */
static bool in_store_tmp(const df_store *s, const char *path)
{
	char real[PATH_MAX], tmp[PATH_MAX];
	df_buf t = DF_BUF_INIT;
	df_buf_addf(&t, "%s/tmp", s->root);
	bool in = realpath(path, real) && realpath(t.buf, tmp) && !strncmp(real, tmp, strlen(tmp)) &&
		  real[strlen(tmp)] == '/';
	df_buf_release(&t);
	return in;
}

/* Store the file at path as the blob d (checked). Files in the store's
 * own tmp/ are linked after hashing; others are copied, never linked, so
 * that changing the source later cannot damage the store. */
static int store_file_blob(const df_store *s, const char *path, const df_digest *d, uint64_t *size, df_buf *err)
{
	if (df_store_has_blob(s, d)) {
		*size = stored_size(s, d);
		return 0;
	}
	if (in_store_tmp(s, path)) {
		df_digest got;
		if (df_sha256_file(path, &got, size, err) < 0)
			return -1;
		if (strcmp(got.s, d->s) != 0) {
			df_buf_addf(err, "blob '%s' does not match its digest", path);
			return -1;
		}
		df_buf dest = DF_BUF_INIT;
		df_store_blob_path(s, d, &dest);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)fsync(fd);
			close(fd);
		}
		bool ok = link(path, dest.buf) == 0 || errno == EEXIST;
		df_buf_release(&dest);
		if (ok)
			return 0;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		df_buf_addf(err, "cannot read '%s': not a regular file", path);
		close(fd);
		return -1;
	}
	df_blob_writer w;
	if (df_blob_writer_open(s, &w, err) < 0) {
		close(fd);
		return -1;
	}
	char *chunk = df_xmalloc(CHUNK);
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0 || (rc = df_blob_writer_write(&w, chunk, (size_t)n, err)) < 0)
			break;
	}
	free(chunk);
	close(fd);
	if (rc == 0)
		rc = df_blob_writer_commit(&w, d, NULL, size, err);
	df_blob_writer_abort(&w);
	return rc;
}

/* Does the platform object name linux on this machine? */
static bool platform_matches(const cJSON *platform)
{
	const char *os = get_string(platform, "os"), *arch = get_string(platform, "architecture");
	const char *variant = get_string(platform, "variant");
	if (!os || !arch || strcmp(os, "linux") || strcmp(arch, df_image_host_arch()))
		return false;
	/* arm64 images say "v8" or nothing; 32-bit arm ones must match. */
	return !variant || !*df_image_host_variant() || !strcmp(arch, "arm64") ||
	       !strcmp(variant, df_image_host_variant());
}

/* --- import: OCI layout -------------------------------------------------------- */

/* The descriptor of index's manifests to use: by ref name, else the only
 * one, else the only one for this platform. */
static const cJSON *pick_descriptor(const cJSON *index, const char *ref, bool top, df_buf *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(index, "manifests");
	if (!cJSON_IsArray(list)) {
		df_buf_adds(err, "the image index has no manifests");
		return NULL;
	}
	const cJSON *e, *found = NULL;
	int n = 0;
	if (ref) {
		cJSON_ArrayForEach(e, list)
		{
			const char *r = get_string(cJSON_GetObjectItemCaseSensitive(e, "annotations"), REF_NAME);
			if (r && !strcmp(r, ref))
				return e;
		}
		df_buf_addf(err, "no image named '%s' in its index.json", ref);
		return NULL;
	}
	if (top && cJSON_GetArraySize(list) == 1)
		return list->child;
	cJSON_ArrayForEach(e, list)
	{
		if (platform_matches(cJSON_GetObjectItemCaseSensitive(e, "platform"))) {
			found = found ? found : e;
			n++;
		}
	}
	if (n >= 1 && (!top || n == 1))
		return found;	/* nested: the first match, as registries order them */
	if (top)
		df_buf_addf(err, "its index.json lists %d images: name one as DIR:REF", cJSON_GetArraySize(list));
	else
		df_buf_addf(err, "the image index has no manifest for linux/%s", df_image_host_arch());
	return NULL;
}

static int import_layout(const df_store *s, const char *dir, const char *ref, df_digest *manifest, df_buf *err)
{
	df_buf p = DF_BUF_INIT, text = DF_BUF_INIT, cfg = DF_BUF_INIT;
	cJSON *index = NULL, *m = NULL;
	int rc = -1;
	df_buf_addf(&p, "%s/index.json", dir);
	int r = read_small(p.buf, &text, err);
	if (r == 1)
		df_buf_addf(err, "'%s' is missing", p.buf);
	if (r != 0)
		goto out;
	index = parse_object(&text);
	if (!index) {
		df_buf_addf(err, "'%s' is not JSON", p.buf);
		goto out;
	}
	const cJSON *desc = pick_descriptor(index, ref, true, err);
	df_digest md;
	/* Follow nested indexes down to one manifest (a few levels at most). */
	for (int depth = 0;; depth++) {
		if (!desc)
			goto out;
		if (!get_digest(desc, "digest", &md)) {
			df_buf_adds(err, "a descriptor without a sha256 digest");
			goto out;
		}
		if (layout_read_blob(dir, &md, &text, err) < 0)
			goto out;
		cJSON_Delete(m);
		m = parse_object(&text);
		const char *mt = m ? get_string(m, "mediaType") : NULL;
		if (!mt && m)
			mt = cJSON_GetObjectItemCaseSensitive(m, "manifests") ? DF_MEDIA_INDEX : NULL;
		if (!m || !(is_index_type(mt) || is_manifest_type(mt))) {
			df_buf_addf(err, "'%s' is not an image manifest or index", md.s);
			goto out;
		}
		if (!is_index_type(mt))
			break;
		if (depth == 4) {
			df_buf_adds(err, "image indexes nested too deep");
			goto out;
		}
		desc = pick_descriptor(m, NULL, false, err);
	}

	const cJSON *config = cJSON_GetObjectItemCaseSensitive(m, "config");
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(m, "layers");
	df_digest cd;
	if (!get_digest(config, "digest", &cd) || !cJSON_IsArray(layers)) {
		df_buf_addf(err, "manifest '%s' has no config or layers", md.s);
		goto out;
	}
	if (layout_read_blob(dir, &cd, &cfg, err) < 0)
		goto out;
	const cJSON *l;
	cJSON_ArrayForEach(l, layers)
	{
		df_digest ld;
		uint64_t want, got;
		if (!get_digest(l, "digest", &ld) || !get_size(l, &want)) {
			df_buf_addf(err, "manifest '%s' has a malformed layer", md.s);
			goto out;
		}
		df_buf_reset(&p);
		df_buf_addf(&p, "%s/blobs/sha256/%s", dir, df_digest_hex(&ld));
		if (store_file_blob(s, p.buf, &ld, &got, err) < 0)
			goto out;
		if (got != want) {
			df_buf_addf(err, "layer '%s' is %llu bytes, its manifest says %llu", ld.s, (unsigned long long)got,
				    (unsigned long long)want);
			goto out;
		}
	}
	df_digest stored;
	if (df_store_put_blob(s, cfg.buf ? cfg.buf : "", cfg.len, &stored, err) < 0 ||
	    df_store_put_blob(s, text.buf ? text.buf : "", text.len, manifest, err) < 0)
		goto out;
	rc = 0;
out:
	cJSON_Delete(index);
	cJSON_Delete(m);
	df_buf_release(&p);
	df_buf_release(&text);
	df_buf_release(&cfg);
	return rc;
}

/* --- import: tar archives ------------------------------------------------------ */

static struct archive *open_tar(const char *path, df_buf *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		df_die_oom();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK) {
		df_buf_addf(err, "cannot read '%s': %s", path, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* A member name without "./" prefixes and trailing '/'. */
static void clean_name(const char *name, df_buf *out)
{
	df_buf_reset(out);
	while (name[0] == '.' && name[1] == '/')
		for (name += 2; *name == '/'; name++)
			;
	df_buf_adds(out, name);
	while (out->len && out->buf[out->len - 1] == '/')
		out->buf[--out->len] = '\0';
}

/* Join dir (of a link) and a relative target, folding "." and ".."; false
 * when it leaves the archive's root. */
static bool join_path(const char *base, const char *rel, df_buf *out)
{
	df_buf in = DF_BUF_INIT;
	const char *slash = strrchr(base, '/');
	if (slash)
		df_buf_add(&in, base, (size_t)(slash - base) + 1);
	df_buf_adds(&in, rel);
	df_buf_reset(out);
	bool ok = true;
	char *save = NULL;
	for (char *c = strtok_r(in.buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (!out->len) {
				ok = false;
				break;
			}
			char *last = strrchr(out->buf, '/');
			out->len = last ? (size_t)(last - out->buf) : 0;
			out->buf[out->len] = '\0';
			continue;
		}
		if (out->len)
			df_buf_addc(out, '/');
		df_buf_adds(out, c);
	}
	df_buf_release(&in);
	return ok;
}

typedef struct tar_link {
	char *name, *target;	/* target: already joined, archive-relative */
} tar_link;

typedef struct tar_scan {
	bool manifest_json, oci_layout, index_json;
	df_buf manifest;	/* manifest.json's bytes */
	tar_link *links;
	size_t nlinks, caplinks;
} tar_scan;

static void tar_scan_release(tar_scan *t)
{
	df_buf_release(&t->manifest);
	for (size_t i = 0; i < t->nlinks; i++) {
		free(t->links[i].name);
		free(t->links[i].target);
	}
	free(t->links);
}

/* Read data of the current member into out, at most max bytes. */
static int read_member(struct archive *a, const char *path, size_t max, df_buf *out, df_buf *err)
{
	df_buf_reset(out);
	for (;;) {
		df_buf_grow(out, CHUNK);
		la_ssize_t n = archive_read_data(a, out->buf + out->len, CHUNK);
		if (n < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, archive_error_string(a));
			return -1;
		}
		if (n == 0)
			return 0;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (out->len > max) {
			df_buf_addf(err, "cannot read '%s': a member is too large", path);
			return -1;
		}
	}
}

/* First pass over an archive: what kind it is, manifest.json and links. */
static int scan_tar(const char *path, tar_scan *t, df_buf *err)
{
	struct archive *a = open_tar(path, err);
	if (!a)
		return -1;
	df_buf name = DF_BUF_INIT, target = DF_BUF_INIT;
	int rc = 0;
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		clean_name(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", &name);
		const char *sym = archive_entry_symlink(e), *hard = archive_entry_hardlink(e);
		if (sym || hard) {
			bool ok;
			if (hard) {
				clean_name(hard, &target);
				ok = true;
			} else {
				ok = sym[0] != '/' && join_path(name.buf, sym, &target);
			}
			if (ok) {
				df_grow((void **)&t->links, &t->caplinks, t->nlinks + 1, sizeof(*t->links));
				t->links[t->nlinks].name = df_xstrdup(name.buf);
				t->links[t->nlinks].target = df_xstrdup(target.buf);
				t->nlinks++;
			}
			continue;
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (!strcmp(name.buf, "manifest.json")) {
			t->manifest_json = true;
			if ((rc = read_member(a, path, JSON_MAX, &t->manifest, err)) < 0)
				break;
		} else if (!strcmp(name.buf, "oci-layout")) {
			t->oci_layout = true;
		} else if (!strcmp(name.buf, "index.json")) {
			t->index_json = true;
		}
	}
	if (rc == 0 && r != ARCHIVE_EOF) {
		df_buf_addf(err, "not a tar archive, an OCI layout or a directory (%s)", archive_error_string(a));
		rc = -1;
	}
	archive_read_free(a);
	df_buf_release(&name);
	df_buf_release(&target);
	return rc;
}

/* Follow links from name to the member holding the data. */
static bool resolve_member(const tar_scan *t, const char *name, df_buf *out)
{
	df_buf_reset(out);
	clean_name(name, out);
	for (int hops = 0; hops < 16; hops++) {
		size_t i;
		for (i = 0; i < t->nlinks; i++)
			if (!strcmp(t->links[i].name, out->buf))
				break;
		if (i == t->nlinks)
			return true;
		df_buf_reset(out);
		df_buf_adds(out, t->links[i].target);
	}
	return false;
}

/* The media type of a layer from its first bytes. */
static const char *layer_media(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return DF_MEDIA_LAYER_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return MEDIA_LAYER_ZSTD;
	return DF_MEDIA_LAYER_TAR;
}

typedef struct save_layer {
	char *member;		/* resolved member name */
	bool done;
	df_image_layer l;
} save_layer;

/* Stream the current member into the store as a blob. */
static int member_to_blob(const df_store *s, struct archive *a, const char *path, df_image_layer *l, df_buf *err)
{
	df_blob_writer w;
	if (df_blob_writer_open(s, &w, err) < 0)
		return -1;
	unsigned char *chunk = df_xmalloc(CHUNK);
	bool first = true;
	int rc = 0;
	for (;;) {
		la_ssize_t n = archive_read_data(a, chunk, CHUNK);
		if (n < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, archive_error_string(a));
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		if (first) {
			snprintf(l->media_type, sizeof(l->media_type), "%s", layer_media(chunk, (size_t)n));
			first = false;
		}
		if ((rc = df_blob_writer_write(&w, chunk, (size_t)n, err)) < 0)
			break;
	}
	free(chunk);
	if (first)
		snprintf(l->media_type, sizeof(l->media_type), "%s", DF_MEDIA_LAYER_TAR);
	if (rc == 0)
		rc = df_blob_writer_commit(&w, NULL, &l->blob, &l->size, err);
	df_blob_writer_abort(&w);
	return rc;
}

/* The manifest.json entry to import: the only one, or the one tagged name. */
static const cJSON *pick_save_entry(const cJSON *list, const char *name, df_buf *err)
{
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
		df_buf_adds(err, "its manifest.json lists no image");
		return NULL;
	}
	if (cJSON_GetArraySize(list) == 1)
		return list->child;
	if (!name) {
		df_buf_addf(err, "its manifest.json lists %d images: give the name of one", cJSON_GetArraySize(list));
		return NULL;
	}
	df_buf want = DF_BUF_INIT, have = DF_BUF_INIT;
	df_store_normalize_name(name, &want);
	const cJSON *e, *tag, *found = NULL;
	cJSON_ArrayForEach(e, list)
	{
		cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(e, "RepoTags"))
		{
			if (!cJSON_IsString(tag))
				continue;
			df_buf_reset(&have);
			df_store_normalize_name(tag->valuestring, &have);
			if (!found && !strcmp(have.buf, want.buf))
				found = e;
		}
	}
	if (!found)
		df_buf_addf(err, "its manifest.json lists %d images, none tagged '%s'", cJSON_GetArraySize(list),
			    want.buf);
	df_buf_release(&want);
	df_buf_release(&have);
	return found;
}

static int import_docker_save(const df_store *s, const char *path, const tar_scan *t, const char *name,
			      df_digest *manifest, df_buf *err)
{
	cJSON *list = cJSON_ParseWithLength(t->manifest.buf ? t->manifest.buf : "", t->manifest.len);
	cJSON *config = NULL;
	save_layer *layers = NULL;
	size_t nlayers = 0;
	df_image_layer *out = NULL;
	df_buf cfg_member = DF_BUF_INIT, cfg = DF_BUF_INIT, mname = DF_BUF_INIT;
	struct archive *a = NULL;
	int rc = -1;
	const cJSON *entry = pick_save_entry(list, name, err);
	if (!entry)
		goto out;
	const char *cfg_name = get_string(entry, "Config");
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(entry, "Layers");
	if (!cfg_name || !cJSON_IsArray(paths)) {
		df_buf_adds(err, "its manifest.json has no Config or Layers");
		goto out;
	}
	if (!resolve_member(t, cfg_name, &cfg_member)) {
		df_buf_addf(err, "'%s' is a link loop", cfg_name);
		goto out;
	}
	size_t n = (size_t)cJSON_GetArraySize(paths);
	layers = df_xcalloc(n + 1, sizeof(*layers));
	const cJSON *lp;
	cJSON_ArrayForEach(lp, paths)
	{
		if (!cJSON_IsString(lp) || !resolve_member(t, lp->valuestring, &mname)) {
			df_buf_adds(err, "its manifest.json names a layer that is not a file of the archive");
			goto out;
		}
		layers[nlayers++].member = df_xstrdup(mname.buf);
	}

	/* Second pass: the config whole, the layers streamed into the store. */
	if (!(a = open_tar(path, err)))
		goto out;
	bool have_cfg = false;
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
			continue;
		clean_name(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", &mname);
		if (!have_cfg && !strcmp(mname.buf, cfg_member.buf)) {
			if (read_member(a, path, JSON_MAX, &cfg, err) < 0)
				goto out;
			have_cfg = true;
			continue;
		}
		save_layer *first = NULL;
		for (size_t i = 0; i < nlayers; i++) {
			if (layers[i].done || strcmp(layers[i].member, mname.buf))
				continue;
			if (!first) {
				if (member_to_blob(s, a, path, &layers[i].l, err) < 0)
					goto out;
				first = &layers[i];
			} else {
				layers[i].l = first->l;	/* the same file twice */
			}
			layers[i].done = true;
		}
	}
	if (r != ARCHIVE_EOF) {
		df_buf_addf(err, "cannot read '%s': %s", path, archive_error_string(a));
		goto out;
	}
	if (!have_cfg) {
		df_buf_addf(err, "its config '%s' is not in the archive", cfg_name);
		goto out;
	}
	for (size_t i = 0; i < nlayers; i++)
		if (!layers[i].done) {
			df_buf_addf(err, "its layer '%s' is not in the archive", layers[i].member);
			goto out;
		}

	config = parse_object(&cfg);
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(config, "rootfs"), "diff_ids");
	if (!cJSON_IsArray(ids) || (size_t)cJSON_GetArraySize(ids) != nlayers) {
		df_buf_adds(err, "its config's rootfs.diff_ids do not match its layers");
		goto out;
	}
	out = df_xcalloc(nlayers + 1, sizeof(*out));
	const cJSON *id = ids->child;
	for (size_t i = 0; i < nlayers; i++, id = id->next) {
		out[i] = layers[i].l;
		if (!cJSON_IsString(id) || !df_digest_parse(&out[i].diff_id, id->valuestring)) {
			df_buf_adds(err, "its config has a malformed diff_id");
			goto out;
		}
		/* An uncompressed layer is its own diffID: check it now.
		 * Compressed ones are checked when unpacked. */
		if (!strcmp(out[i].media_type, DF_MEDIA_LAYER_TAR) && strcmp(out[i].blob.s, out[i].diff_id.s)) {
			df_buf_addf(err, "layer '%s' is %s, its config says %s", layers[i].member, out[i].blob.s,
				    out[i].diff_id.s);
			goto out;
		}
	}
	df_digest cd;
	if (df_store_put_blob(s, cfg.buf, cfg.len, &cd, err) < 0)
		goto out;
	char *m = manifest_text(DF_MEDIA_CONFIG, &cd, cfg.len, out, nlayers);
	rc = df_store_put_blob(s, m, strlen(m), manifest, err);
	cJSON_free(m);
out:
	if (a)
		archive_read_free(a);
	for (size_t i = 0; i < nlayers; i++)
		free(layers[i].member);
	free(layers);
	free(out);
	cJSON_Delete(list);
	cJSON_Delete(config);
	df_buf_release(&cfg_member);
	df_buf_release(&cfg);
	df_buf_release(&mname);
	return rc;
}

/* Is name (cleaned) relative and free of ".." components? */
static bool name_inside(const char *name)
{
	if (name[0] == '/')
		return false;
	for (const char *p = name; (p = strstr(p, "..")); p += 2)
		if ((p == name || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return false;
	return true;
}

/* A tar of an OCI layout: its regular files and directories unpacked into
 * dest (names that would leave it refused; libarchive also refuses ".."
 * and writing through symlinks, and none are created), then read as a
 * layout. */
static int unpack_layout(const char *path, const char *dest_dir, df_buf *err)
{
	/* libarchive's symlink check covers the whole path, dest's too. */
	char dest[PATH_MAX];
	if (!realpath(dest_dir, dest)) {
		df_buf_addf(err, "cannot resolve '%s': %s", dest_dir, strerror(errno));
		return -1;
	}
	struct archive *a = open_tar(path, err);
	if (!a)
		return -1;
	struct archive *w = archive_write_disk_new();
	if (!w)
		df_die_oom();
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	df_buf name = DF_BUF_INIT, full = DF_BUF_INIT;
	int rc = 0, r;
	struct archive_entry *e;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		mode_t type = archive_entry_filetype(e);
		if ((type != AE_IFREG && type != AE_IFDIR) || archive_entry_hardlink(e))
			continue;
		clean_name(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", &name);
		if (!name.len)
			continue;
		if (!name_inside(name.buf)) {
			df_buf_addf(err, "'%s' in '%s' points outside the layout", name.buf, path);
			rc = -1;
			break;
		}
		df_buf_reset(&full);
		df_buf_addf(&full, "%s/%s", dest, name.buf);
		archive_entry_set_pathname(e, full.buf);
		archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
		archive_entry_set_uid(e, getuid());
		archive_entry_set_gid(e, getgid());
		if (archive_write_header(w, e) != ARCHIVE_OK) {
			df_buf_addf(err, "cannot unpack '%s' from '%s': %s", name.buf, path, archive_error_string(w));
			rc = -1;
			break;
		}
		const void *buf;
		size_t size;
		la_int64_t off;
		int dr;
		while ((dr = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(w, buf, size, off) != ARCHIVE_OK) {
				dr = ARCHIVE_FATAL;
				break;
			}
		if (dr != ARCHIVE_EOF || archive_write_finish_entry(w) != ARCHIVE_OK) {
			df_buf_addf(err, "cannot unpack '%s' from '%s': %s", name.buf, path,
				    archive_error_string(a) ? archive_error_string(a) : archive_error_string(w));
			rc = -1;
			break;
		}
	}
	if (rc == 0 && r != ARCHIVE_EOF) {
		df_buf_addf(err, "cannot read '%s': %s", path, archive_error_string(a));
		rc = -1;
	}
	archive_write_free(w);
	archive_read_free(a);
	df_buf_release(&name);
	df_buf_release(&full);
	return rc;
}

/* --- import: root file systems ------------------------------------------------- */

/* Hash (and with w, copy) what libarchive's raw reader gives for path:
 * the bytes after any compression is undone. */
static int raw_stream(const char *path, df_blob_writer *w, df_digest *out, df_buf *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		df_die_oom();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	struct archive_entry *e;
	int rc = 0;
	if (archive_read_open_filename(a, path, CHUNK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		df_buf_addf(err, "cannot read '%s': %s", path, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	df_sha256 h;
	df_sha256_init(&h);
	char *chunk = df_xmalloc(CHUNK);
	for (;;) {
		la_ssize_t n = archive_read_data(a, chunk, CHUNK);
		if (n < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, archive_error_string(a));
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		df_sha256_update(&h, chunk, (size_t)n);
		if (w && (rc = df_blob_writer_write(w, chunk, (size_t)n, err)) < 0)
			break;
	}
	free(chunk);
	df_sha256_final(&h, out);
	archive_read_free(a);
	return rc;
}

static int rootfs_tarball(const df_store *s, const char *path, df_image_layer *l, df_buf *err)
{
	unsigned char magic[2] = { 0, 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, magic, sizeof(magic)) < 0) {
		df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	memset(l, 0, sizeof(*l));
	if (!strcmp(layer_media(magic, sizeof(magic)), DF_MEDIA_LAYER_GZIP)) {
		/* A gzip layer as it is: its digest, and the diffID of what
		 * it unpacks to. */
		df_digest d;
		if (df_sha256_file(path, &d, NULL, err) < 0 || store_file_blob(s, path, &d, &l->size, err) < 0 ||
		    raw_stream(path, NULL, &l->diff_id, err) < 0)
			return -1;
		l->blob = d;
		snprintf(l->media_type, sizeof(l->media_type), "%s", DF_MEDIA_LAYER_GZIP);
		return 0;
	}
	df_blob_writer w;
	if (df_blob_writer_open(s, &w, err) < 0)
		return -1;
	int rc = raw_stream(path, &w, &l->diff_id, err);
	if (rc == 0)
		rc = df_blob_writer_commit(&w, &l->diff_id, &l->blob, &l->size, err);
	df_blob_writer_abort(&w);
	snprintf(l->media_type, sizeof(l->media_type), "%s", DF_MEDIA_LAYER_TAR);
	return rc;
}

/* A one-layer image of a root file system. */
static int commit_rootfs(const df_store *s, const df_image_layer *l, df_digest *manifest, df_buf *err)
{
	df_image img;
	df_image_init_scratch(&img);
	df_image_add_layer(&img, l);
	df_image_add_history(&img, "dfopt image import", false, 0);
	int rc = df_image_commit(s, &img, err);
	if (rc == 0)
		*manifest = img.manifest;
	df_image_release(&img);
	return rc;
}

/* --- import ------------------------------------------------------------------------ */

static bool is_layout_dir(const char *dir)
{
	df_buf p = DF_BUF_INIT;
	df_buf_addf(&p, "%s/oci-layout", dir);
	struct stat st;
	bool yes = stat(p.buf, &st) == 0 && S_ISREG(st.st_mode);
	df_buf_release(&p);
	return yes;
}

static int import_any(const df_store *s, const char *src, const char *name, df_digest *manifest, df_buf *err)
{
	struct stat st;
	if (stat(src, &st) < 0) {
		int e = errno;
		/* DIR:REF names an image of a layout; the ref may hold ':'
		 * too ("busybox:1.36"), so the first split that gives a
		 * layout wins. */
		for (const char *colon = strchr(src, ':'); colon && colon[1]; colon = strchr(colon + 1, ':')) {
			char *dir = df_xstrndup(src, (size_t)(colon - src));
			bool layout = is_layout_dir(dir);
			int rc = layout ? import_layout(s, dir, colon + 1, manifest, err) : 0;
			free(dir);
			if (layout)
				return rc;
		}
		df_buf_adds(err, strerror(e));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (is_layout_dir(src))
			return import_layout(s, src, NULL, manifest, err);
		df_image_layer l;
		memset(&l, 0, sizeof(l));
		df_buf blobs = DF_BUF_INIT;
		df_store_blobs_dir(s, &blobs);
		df_layer out;
		int rc = df_layer_write(src, DF_LAYER_PLAIN, 0, blobs.buf, &out, err);
		df_buf_release(&blobs);
		if (rc < 0)
			return -1;
		l.blob = out.digest;
		l.diff_id = out.diff_id;
		l.size = out.size;
		snprintf(l.media_type, sizeof(l.media_type), "%s", DF_MEDIA_LAYER_GZIP);
		return commit_rootfs(s, &l, manifest, err);
	}
	if (!S_ISREG(st.st_mode)) {
		df_buf_adds(err, "not a tar archive, an OCI layout or a directory");
		return -1;
	}
	tar_scan t;
	memset(&t, 0, sizeof(t));
	int rc = scan_tar(src, &t, err);
	if (rc == 0 && t.manifest_json) {
		rc = import_docker_save(s, src, &t, name, manifest, err);
	} else if (rc == 0 && t.oci_layout && t.index_json) {
		df_buf dir = DF_BUF_INIT, ignored = DF_BUF_INIT;
		rc = df_store_mkscratch(s, "import", &dir, err);
		if (rc == 0)
			rc = unpack_layout(src, dir.buf, err);
		if (rc == 0)
			rc = import_layout(s, dir.buf, NULL, manifest, err);
		if (dir.len)
			(void)df_store_remove_tree(dir.buf, &ignored);
		df_buf_release(&dir);
		df_buf_release(&ignored);
	} else if (rc == 0) {
		df_image_layer l;
		rc = rootfs_tarball(s, src, &l, err);
		if (rc == 0)
			rc = commit_rootfs(s, &l, manifest, err);
	}
	tar_scan_release(&t);
	return rc;
}

int df_image_import(const df_store *s, const char *src, const char *name, df_digest *manifest, df_buf *err)
{
	df_buf why = DF_BUF_INIT;
	df_digest m;
	int rc = import_any(s, src, name, &m, &why);
	if (rc == 0) {
		/* Check what was stored before naming it. */
		df_image img;
		rc = df_image_load(s, &m, &img, &why);
		df_image_release(&img);
	}
	if (rc == 0 && name)
		rc = df_store_tag(s, name, &m, &why);
	if (rc < 0)
		df_buf_addf(err, "cannot import '%s': %s", src, df_buf_str(&why));
	else
		*manifest = m;
	df_buf_release(&why);
	return rc;
}
