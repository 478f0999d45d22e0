/* labels.c - label keys and the label schema; see labels.h. */
#include "engine/labels.h"

#include <string.h>

bool df_label_key(const df_kv *kv, df_str *out)
{
	if (kv->key_exp.state != DF_EXP_NONE)
		return df_expanded_value(&kv->key_exp, kv->key, out);
	df_str k = kv->key;
	if (k.len >= 2 && (k.ptr[0] == '"' || k.ptr[0] == '\'') && k.ptr[k.len - 1] == k.ptr[0]) {
		k.ptr++;
		k.len -= 2;
	}
	*out = k;
	return true;
}

int df_label_schema_type(const df_lint_opts *o, df_str key)
{
	for (size_t i = 0; i < o->nlabels; i++)
		if (strlen(o->labels[i].name) == key.len && memcmp(o->labels[i].name, key.ptr, key.len) == 0)
			return (int)o->labels[i].type;
	return -1;
}
