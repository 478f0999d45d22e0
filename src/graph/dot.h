/* dot.h */
#ifndef DF_DOT_H
#define DF_DOT_H
#endif
