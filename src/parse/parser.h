/* parser.h */
#ifndef DF_PARSER_H
#define DF_PARSER_H
#endif
