/*
 * labels.h - what the label-schema rules share (DL3049-DL3058): a LABEL
 * key as the builder sees it, and its type in the configured schema.
 */
#ifndef DF_ENGINE_LABELS_H
#define DF_ENGINE_LABELS_H

#include "engine/engine.h"

/* The key of kv as the builder sees it (expanded, quotes removed); false
 * when it depends on an unknown build arg. */
bool df_label_key(const df_kv *kv, df_str *out);
/* The schema type of key (a df_label_type), or -1 when the schema does not
 * list it. */
int df_label_schema_type(const df_lint_opts *o, df_str key);

#endif
