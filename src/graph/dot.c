#include "graph/dot.h"
typedef int df_dot_placeholder;
