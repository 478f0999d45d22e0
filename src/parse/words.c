#include "parse/words.h"
typedef int df_words_placeholder;
