/* flags.h */
#ifndef DF_FLAGS_H
#define DF_FLAGS_H
#endif
