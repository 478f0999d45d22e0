#include "parse/scope.h"
typedef int df_scope_placeholder;
