/* file.h */
#ifndef DF_FILE_H
#define DF_FILE_H
#endif
