/* shell.h */
#ifndef DF_SHELL_H
#define DF_SHELL_H
#endif
