#include "parse/flags.h"
typedef int df_flags_placeholder;
