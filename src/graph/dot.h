/*
 * dot.h - the instruction graph as Graphviz DOT: one cluster per stage,
 * build steps chained in order, stage edges (FROM, COPY --from, mounts)
 * dashed, the build context as a node with an edge to every COPY/ADD that
 * reads it (labelled with the sources), and stages the target does not need
 * drawn grey.
 */
#ifndef DF_GRAPH_DOT_H
#define DF_GRAPH_DOT_H

#include "graph/graph.h"
#include "util/buf.h"

void df_graph_dot(const df_graph *g, df_buf *out);

#endif
