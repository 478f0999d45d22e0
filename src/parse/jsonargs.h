/* jsonargs.h */
#ifndef DF_JSONARGS_H
#define DF_JSONARGS_H
#endif
