/* words.h */
#ifndef DF_WORDS_H
#define DF_WORDS_H
#endif
