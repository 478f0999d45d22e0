/* dump.h */
#ifndef DF_DUMP_H
#define DF_DUMP_H
#endif
