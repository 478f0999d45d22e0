/* graph.h */
#ifndef DF_GRAPH_H
#define DF_GRAPH_H
#endif
