#include "parse/lexer.h"
typedef int df_lexer_placeholder;
