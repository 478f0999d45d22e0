#include "parse/parser.h"
typedef int df_parser_placeholder;
