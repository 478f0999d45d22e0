#include "parse/expand.h"
typedef int df_expand_placeholder;
