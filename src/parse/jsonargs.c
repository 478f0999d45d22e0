#include "parse/jsonargs.h"
typedef int df_jsonargs_placeholder;
