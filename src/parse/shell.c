#include "parse/shell.h"
typedef int df_shell_placeholder;
