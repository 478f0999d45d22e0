/*
 * image.h - OCI images in the store: config, manifest, layout export and
 * import of base images.
 *
 * An image is its config (a cJSON tree in the OCI image config format:
 * architecture, os, config{User, Env, Entrypoint, Cmd, WorkingDir, Labels,
 * ExposedPorts, Volumes, StopSignal, Healthcheck}, rootfs{type, diff_ids},
 * history[]) and its layers, base first. df_image_commit() serialises the
 * config deterministically (keys in a fixed order, no whitespace), so the
 * same inputs give the same image ID (the config's digest) and manifest
 * digest, byte for byte.
 *
 * Ownership: a df_image owns its config tree and layer array.
 */
#ifndef DF_BUILD_IMAGE_H
#define DF_BUILD_IMAGE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "build/digest.h"
#include "build/store.h"
#include "util/buf.h"

#define DF_MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define DF_MEDIA_CONFIG "application/vnd.oci.image.config.v1+json"
#define DF_MEDIA_INDEX "application/vnd.oci.image.index.v1+json"

typedef struct df_image_layer {
	df_digest blob;		/* digest of the stored blob */
	df_digest diff_id;	/* sha256 of its uncompressed tar */
	uint64_t size;		/* bytes of the blob */
	char media_type[64];	/* DF_MEDIA_LAYER_GZIP or DF_MEDIA_LAYER_TAR */
} df_image_layer;

typedef struct df_image {
	cJSON *config;		/* owned */
	df_image_layer *layers;	/* owned */
	size_t nlayers, cap;
	df_digest config_digest;	/* set by commit/load */
	df_digest manifest;		/* set by commit/load */
} df_image;

#define DF_IMAGE_INIT { NULL, NULL, 0, 0, { "" }, { "" } }

/* The empty image (FROM scratch): linux on the host's architecture (Go's
 * GOARCH names), with WorkingDir "/" and the default PATH in Env, as
 * BuildKit starts a scratch stage; created is set by commit. */
void df_image_init_scratch(df_image *img);
void df_image_release(df_image *img);
/* A deep copy, for a stage built on another. */
void df_image_copy(df_image *dst, const df_image *src);

/* Append a layer, with its diffID in rootfs.diff_ids. */
void df_image_add_layer(df_image *img, const df_image_layer *layer);
/* Append a history entry: created_by text, empty_layer when the step made
 * no layer; created is the epoch (RFC 3339). */
void df_image_add_history(df_image *img, const char *created_by, bool empty_layer, int64_t epoch);

/* Write the config and manifest blobs; set config_digest and manifest.
 * rootfs.diff_ids is rewritten from the layers, "created" is the last
 * history entry's (the epoch when there is none), and every object's keys
 * are sorted (df_json_sort_keys), so the bytes depend on the content only. */
int df_image_commit(const df_store *s, df_image *img, df_buf *err);
/* Load the image whose manifest blob is manifest (checking that every layer
 * blob is stored and that layers and diff_ids agree). */
int df_image_load(const df_store *s, const df_digest *manifest, df_image *img, df_buf *err);

/*
 * Write a committed image as an OCI image layout in dir (created if
 * missing; an existing layout gets the image added to its index, replacing
 * one with the same ref name): oci-layout, index.json with ref_name in the
 * org.opencontainers.image.ref.name annotation (NULL: none), blobs/sha256/.
 */
int df_image_export(const df_store *s, const df_image *img, const char *dir, const char *ref_name, df_buf *err);

/*
 * Import a base image into the store and name it: src is an OCI image
 * layout directory (optionally "DIR:REF" to pick a ref name from its index),
 * a `docker save` archive, a root file system tarball (plain or gzip) or a
 * root file system directory (one layer, owners kept). *manifest gets the
 * imported image's manifest digest; name NULL stores the image without
 * naming it. 0, or -1 with a message naming src.
 *
 * An image index (in the layout or nested) resolves to the manifest for
 * linux on the host's architecture. Manifests, configs and layer blobs of
 * layouts and `docker save` archives are stored as they are (so digests
 * and image IDs are kept; a `docker save` archive gets an OCI manifest
 * naming its config and layers, uncompressed layers with the .tar media
 * type); a tar of an OCI layout is unpacked and read as one. A root file
 * system becomes one layer: a gzip tarball stored as it is, another tarball
 * uncompressed (libarchive reads bzip2, xz, zstd ...), a directory written
 * with df_layer_write(); its config is the scratch one.
 */
int df_image_import(const df_store *s, const char *src, const char *name, df_digest *manifest, df_buf *err);

/* The host's platform in Go's names: "amd64", "arm64" ...; variant "" or
 * e.g. "v8". */
const char *df_image_host_arch(void);
const char *df_image_host_variant(void);

/* Order every object's keys by byte value, at every depth, as Go's
 * encoding/json orders map keys; equal keys keep their order. */
void df_json_sort_keys(cJSON *node);

#endif
