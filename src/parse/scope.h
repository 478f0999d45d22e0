/* scope.h */
#ifndef DF_SCOPE_H
#define DF_SCOPE_H
#endif
