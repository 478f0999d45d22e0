#include "graph/graph.h"
typedef int df_graph_placeholder;
