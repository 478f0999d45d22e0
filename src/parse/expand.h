/* expand.h */
#ifndef DF_EXPAND_H
#define DF_EXPAND_H
#endif
