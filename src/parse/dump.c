#include "parse/dump.h"
typedef int df_dump_placeholder;
