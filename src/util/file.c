#include "util/file.h"
typedef int df_file_placeholder;
