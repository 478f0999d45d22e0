/* lexer.h */
#ifndef DF_LEXER_H
#define DF_LEXER_H
#endif
