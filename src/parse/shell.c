/* shell.c - POSIX sh parser for RUN text; see shell.h. */
#include "parse/shell.h"
#include "parse/scan.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------------ */
/* Tokens */

enum tok_kind { TK_EOF, TK_NEWLINE, TK_WORD, TK_IO_NUMBER, TK_OP };

enum op {
	OP_NONE,
	OP_AND_IF, OP_OR_IF, OP_DSEMI_AND, OP_DSEMI, OP_SEMI_AND, OP_SEMI,
	OP_AMP, OP_PIPE_AMP, OP_PIPE, OP_LPAREN, OP_RPAREN,
	/* redirection operators from here on */
	OP_DLESSDASH, OP_TLESS, OP_DLESS, OP_LESSAND, OP_LESSGREAT, OP_LESS,
	OP_DGREAT, OP_GREATAND, OP_CLOBBER, OP_GREAT, OP_AMPDGREAT, OP_AMPGREAT,
	OP_COUNT
};

static const char *const op_text[OP_COUNT] = {
	[OP_NONE] = "",
	[OP_AND_IF] = "&&", [OP_OR_IF] = "||", [OP_DSEMI_AND] = ";;&",
	[OP_DSEMI] = ";;", [OP_SEMI_AND] = ";&", [OP_SEMI] = ";",
	[OP_AMP] = "&", [OP_PIPE_AMP] = "|&", [OP_PIPE] = "|",
	[OP_LPAREN] = "(", [OP_RPAREN] = ")",
	[OP_DLESSDASH] = "<<-", [OP_TLESS] = "<<<", [OP_DLESS] = "<<",
	[OP_LESSAND] = "<&", [OP_LESSGREAT] = "<>", [OP_LESS] = "<",
	[OP_DGREAT] = ">>", [OP_GREATAND] = ">&", [OP_CLOBBER] = ">|",
	[OP_GREAT] = ">", [OP_AMPDGREAT] = "&>>", [OP_AMPGREAT] = "&>",
};

static size_t op_len(int op)
{
	/* Operators are one to three chars; no strlen in the lexer's loop. */
	const char *t = op_text[op];
	return t[0] ? t[1] ? t[2] ? 3 : 2 : 1 : 0;
}

static bool is_redir_op(int op)
{
	return op >= OP_DLESSDASH && op < OP_COUNT;
}

/*
 * Reserved words, recognised once per token by the lexer (see
 * reserved_id()) so the parser compares small integers, not strings.
 */
enum rword {
	RW_NONE,
	RW_LBRACE, RW_RBRACE, RW_BANG, RW_DLBRACKET, RW_DRBRACKET,
	RW_IF, RW_THEN, RW_ELIF, RW_ELSE, RW_FI, RW_FOR, RW_IN, RW_WHILE, RW_UNTIL,
	RW_DO, RW_DONE, RW_CASE, RW_ESAC, RW_FUNCTION,
	RW_COUNT
};

static const char *const rw_text[RW_COUNT] = {
	[RW_NONE] = "",
	[RW_LBRACE] = "{", [RW_RBRACE] = "}", [RW_BANG] = "!",
	[RW_DLBRACKET] = "[[", [RW_DRBRACKET] = "]]",
	[RW_IF] = "if", [RW_THEN] = "then", [RW_ELIF] = "elif", [RW_ELSE] = "else",
	[RW_FI] = "fi", [RW_FOR] = "for", [RW_IN] = "in", [RW_WHILE] = "while",
	[RW_UNTIL] = "until", [RW_DO] = "do", [RW_DONE] = "done", [RW_CASE] = "case",
	[RW_ESAC] = "esac", [RW_FUNCTION] = "function",
};

/* Reserved words that close a list: they cannot start a command. */
static const bool rw_ends_list[RW_COUNT] = {
	[RW_THEN] = true, [RW_ELSE] = true, [RW_ELIF] = true, [RW_FI] = true,
	[RW_DO] = true, [RW_DONE] = true, [RW_ESAC] = true, [RW_RBRACE] = true,
};

/* Reserved words that open a compound command (besides the '(' operator). */
static const bool rw_compound[RW_COUNT] = {
	[RW_LBRACE] = true, [RW_IF] = true, [RW_FOR] = true, [RW_WHILE] = true,
	[RW_UNTIL] = true, [RW_CASE] = true,
};

struct token {
	enum tok_kind kind;
	int op;			/* TK_OP */
	int fd;			/* TK_IO_NUMBER */
	int rw;			/* TK_WORD: an unquoted reserved word, else RW_NONE */
	uint32_t start, end;
	df_sh_word *word;	/* TK_WORD, TK_IO_NUMBER: in the slot just above
				 * the top of the parser's word pool (see
				 * words_slot()), valid until the next token */
};

/* A heredoc whose body comes after the next newline token. The redirection
 * is found again through its command because the redirs array may still be
 * reallocated while the command is parsed. */
struct pending {
	df_sh_cmd *cmd;
	size_t idx;
};

/*
 * A stack of same-sized elements (len and cap count bytes), starting in
 * storage on df_sh_parse()'s frame and moved to the heap when it outgrows
 * it. Nodes collect their children here while they are parsed and then take
 * one exact-size copy into the arena; the nodes parsed in between (a $(...)
 * in a word, a compound body) push above and pop back before that, so the
 * stack discipline holds.
 */
struct stack {
	unsigned char *v;
	size_t len, cap;
	bool heap;		/* v is malloc'd */
};

/*
 * The assigns and words of simple commands (df_sh_word; len and cap count
 * bytes), in arena storage, so that most commands keep their words where
 * they were lexed instead of copying them out. A command's words start at
 * base, counted from kept. When the command is done:
 *  - base 0: no unfinished command has words below, and its own become its
 *    array where they lie; kept moves past them;
 *  - otherwise it was parsed inside a word of a command still being parsed
 *    (in a $(...) or `...`), whose words lie below and go on above: it takes
 *    a copy of its own, which are popped, as on a stack.
 * Growing moves only the words from kept on, to new storage where base
 * still counts from kept, so the arrays below stay where their nodes point.
 */
struct word_pool {
	unsigned char *v;
	size_t len, cap;
	size_t kept;		/* [0, kept): finished commands' arrays */
};

/* The most words a script's first word storage holds; what the script
 * leaves unused of it stays in the arena. */
#define WORDS_FIRST 32

struct parser {
	df_arena *arena;
	const char *text;	/* the input, or the copy of a `...` body */
	char *vtext;		/* a copy of text: see scan_word() */
	char *stext;		/* a copy of text for the lexer's hot loops, with
				 * STOP at stext[len] so they need no bounds
				 * check; the same bytes as text below len */
	size_t full_len;	/* length of text */
	size_t len;		/* scan limit: full_len, or the end of a `...` body */
	size_t pos;		/* lexer position */
	int depth;
	const char *error;
	uint32_t error_off;
	bool in_copy;		/* errors in a copy point at its backquote */
	uint32_t copy_off;
	bool dbracket;		/* inside [[ ]]: operators lex as words */
	struct token tok;	/* one token of lookahead */
	bool have_tok;
	struct pending *pending;
	size_t npending, cap_pending;
	/*
	 * Word values are built here as a stack: a word appends from where the
	 * buffer ended when it started and truncates back when done, so the
	 * words of a $(...) parsed in the middle of a word leave it intact.
	 */
	struct stack val;	/* char, not NUL-terminated */
	struct word_pool words;	/* a simple command's assigns and words */
	/* A list's parts, see parse_list(): */
	struct stack cmds;	/* df_sh_cmd *: its pipelines' commands */
	struct stack pipes;	/* struct pipe_rec: its and-or lists' pipelines */
	struct stack items;	/* df_sh_andor: its items */
	/* The simple commands so far, in the order df_sh_walk() visits them
	 * (df_sh_script.simple), an arena array (see grow_for_push()). A
	 * command takes its slot when its parse starts, so it comes before
	 * those in its substitutions; those of its first word, parsed when
	 * the word was lexed, start at tok_simple. */
	const df_sh_cmd **simple;
	size_t nsimple, tok_simple;
};

/* Arena arrays grow to 4, 8, 16, ... slots, so the count alone tells when.
 * Every caller writes a slot whole as it pushes it: no clearing. Inline:
 * most pushes find room, which the count tells without a call. */
static inline void *grow_for_push(df_arena *a, void *arr, size_t n, size_t size)
{
	if (n == 0)
		return df_arena_grow_uninit(a, NULL, 0, 4, size);
	if (n >= 4 && (n & (n - 1)) == 0)
		return df_arena_grow_uninit_slow(a, arr, n, n * 2, size);
	return arr;
}

static void stack_init(struct stack *s, void *storage, size_t cap)
{
	s->v = storage;
	s->len = 0;
	s->cap = cap;
	s->heap = false;
}

/* Kept out of line: stack_push()'s common case is three instructions. */
static void stack_grow(struct stack *s, size_t size) __attribute__((noinline));

static void stack_grow(struct stack *s, size_t size)
{
	size_t cap = s->cap;
	while (cap - s->len < size) {
		if (cap > SIZE_MAX / 2)
			df_die_oom();
		cap *= 2;
	}
	if (s->heap) {
		s->v = df_xrealloc(s->v, cap);
	} else {
		unsigned char *v = df_xmalloc(cap);
		memcpy(v, s->v, s->len);
		s->v = v;
		s->heap = true;
	}
	s->cap = cap;
}

/* Room for size more bytes on s: one element, or a run of chars. */
static inline void *stack_push(struct stack *s, size_t size)
{
	if (s->cap - s->len < size)
		stack_grow(s, size);
	void *e = s->v + s->len;
	s->len += size;
	return e;
}

/* Kept out of line, as stack_grow(). */
static void words_grow(df_arena *a, struct word_pool *w) __attribute__((noinline));

/* Storage twice the size, with room for at least one more word, for the
 * words from kept on, which move there; the finished commands' arrays stay
 * where they are. */
static void words_grow(df_arena *a, struct word_pool *w)
{
	size_t pending = w->len - w->kept, cap = w->cap;
	do {
		if (cap > SIZE_MAX / 2)
			df_die_oom();
		cap *= 2;
	} while (cap - pending < sizeof(df_sh_word));
	unsigned char *v = df_arena_alloc_uninit(a, cap);
	memcpy(v, w->v + w->kept, pending);
	w->v = v;
	w->len = pending;
	w->cap = cap;
	w->kept = 0;
}

/* Room for one more word in the pool, not taken yet. */
static inline df_sh_word *words_slot(struct parser *p)
{
	if (p->words.cap - p->words.len < sizeof(df_sh_word))
		words_grow(p->arena, &p->words);
	return (df_sh_word *)(void *)(p->words.v + p->words.len);
}

static void stack_release(struct stack *s)
{
	if (s->heap)
		free(s->v);
	s->v = NULL;
	s->len = s->cap = 0;
	s->heap = false;
}

static void set_error(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(struct parser *p, size_t off, const char *fmt, ...)
{
	if (p->error)
		return;
	df_buf b = DF_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	p->error = df_arena_memdup(p->arena, df_buf_str(&b), b.len);
	p->error_off = p->in_copy ? p->copy_off : (uint32_t)off;
	df_buf_release(&b);
}

static bool enter(struct parser *p, size_t off)
{
	if (p->depth >= DF_SH_MAX_DEPTH) {
		set_error(p, off, "nesting too deep");
		return false;
	}
	p->depth++;
	return true;
}

static void leave(struct parser *p)
{
	p->depth--;
}

/*
 * The byte after the scan limit in p->stext: it ends a run of blanks and of
 * ordinary chars (it is a metacharacter), so those loops only check the
 * limit once they stop.
 */
#define STOP '('

/* p->stext holds this many readable bytes from STOP on (STOP, then zeros),
 * for skip_blanks(), which reads sixteen bytes from a byte at or before
 * STOP. */
#define STEXT_PAD 16

/* Character classes of the lexer, looked up once per byte. */
enum { CH_META = 1, CH_SPECIAL = 2, CH_REDIR = 4 };
/* CH_REDIR marks '<' and '>': a word ending at one may be an io number, told
 * by the class of the byte that ends it, so the scan keeps no byte besides. */
static const unsigned char ch_class[256] = {
	[' '] = CH_META, ['\t'] = CH_META, ['\n'] = CH_META, [';'] = CH_META,
	['&'] = CH_META, ['|'] = CH_META, ['('] = CH_META | CH_SPECIAL, [')'] = CH_META,
	['<'] = CH_META | CH_REDIR, ['>'] = CH_META | CH_REDIR,
	['\\'] = CH_SPECIAL, ['\''] = CH_SPECIAL, ['"'] = CH_SPECIAL, ['$'] = CH_SPECIAL,
	['`'] = CH_SPECIAL,
};

/* The bytes with a ch_class, which end a run of ordinary chars. A table of
 * its own, apart from ch_class: the run loops then test each byte in place
 * and keep no class of it, and the one that ends a run is classed after. */
static const bool ends_run[256] = {
	[' '] = true, ['\t'] = true, ['\n'] = true, [';'] = true, ['&'] = true,
	['|'] = true, ['('] = true, [')'] = true, ['<'] = true, ['>'] = true,
	['\\'] = true, ['\''] = true, ['"'] = true, ['$'] = true, ['`'] = true,
};

/* Which bytes make up a NAME: letters and '_' start one, digits follow. */
enum { NM_START = 1, NM_CHAR = 2 };
static const unsigned char name_class[256] = {
	['_'] = NM_START | NM_CHAR,
	['0'] = NM_CHAR, ['1'] = NM_CHAR, ['2'] = NM_CHAR, ['3'] = NM_CHAR, ['4'] = NM_CHAR,
	['5'] = NM_CHAR, ['6'] = NM_CHAR, ['7'] = NM_CHAR, ['8'] = NM_CHAR, ['9'] = NM_CHAR,
	['A'] = NM_START | NM_CHAR, ['B'] = NM_START | NM_CHAR, ['C'] = NM_START | NM_CHAR,
	['D'] = NM_START | NM_CHAR, ['E'] = NM_START | NM_CHAR, ['F'] = NM_START | NM_CHAR,
	['G'] = NM_START | NM_CHAR, ['H'] = NM_START | NM_CHAR, ['I'] = NM_START | NM_CHAR,
	['J'] = NM_START | NM_CHAR, ['K'] = NM_START | NM_CHAR, ['L'] = NM_START | NM_CHAR,
	['M'] = NM_START | NM_CHAR, ['N'] = NM_START | NM_CHAR, ['O'] = NM_START | NM_CHAR,
	['P'] = NM_START | NM_CHAR, ['Q'] = NM_START | NM_CHAR, ['R'] = NM_START | NM_CHAR,
	['S'] = NM_START | NM_CHAR, ['T'] = NM_START | NM_CHAR, ['U'] = NM_START | NM_CHAR,
	['V'] = NM_START | NM_CHAR, ['W'] = NM_START | NM_CHAR, ['X'] = NM_START | NM_CHAR,
	['Y'] = NM_START | NM_CHAR, ['Z'] = NM_START | NM_CHAR,
	['a'] = NM_START | NM_CHAR, ['b'] = NM_START | NM_CHAR, ['c'] = NM_START | NM_CHAR,
	['d'] = NM_START | NM_CHAR, ['e'] = NM_START | NM_CHAR, ['f'] = NM_START | NM_CHAR,
	['g'] = NM_START | NM_CHAR, ['h'] = NM_START | NM_CHAR, ['i'] = NM_START | NM_CHAR,
	['j'] = NM_START | NM_CHAR, ['k'] = NM_START | NM_CHAR, ['l'] = NM_START | NM_CHAR,
	['m'] = NM_START | NM_CHAR, ['n'] = NM_START | NM_CHAR, ['o'] = NM_START | NM_CHAR,
	['p'] = NM_START | NM_CHAR, ['q'] = NM_START | NM_CHAR, ['r'] = NM_START | NM_CHAR,
	['s'] = NM_START | NM_CHAR, ['t'] = NM_START | NM_CHAR, ['u'] = NM_START | NM_CHAR,
	['v'] = NM_START | NM_CHAR, ['w'] = NM_START | NM_CHAR, ['x'] = NM_START | NM_CHAR,
	['y'] = NM_START | NM_CHAR, ['z'] = NM_START | NM_CHAR,
};

static bool is_name_start(char c)
{
	return name_class[(unsigned char)c] & NM_START;
}

static bool is_name_char(char c)
{
	return name_class[(unsigned char)c] & NM_CHAR;
}

/* Length of a leading NAME= or NAME+= in s[0..n), or 0. */
static inline size_t assign_prefix(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_name_start(s[0]))
		return 0;
	while (i < n && is_name_char(s[i]))
		i++;
	if (i < n && s[i] == '=')
		return i + 1;
	if (i + 1 < n && s[i] == '+' && s[i + 1] == '=')
		return i + 2;
	return 0;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* ------------------------------------------------------------------------ */
/* Words */

/* What a word learns while its parts are scanned. */
struct wstate {
	df_sh_script **subs;
	size_t nsubs;
	bool quoted, has_expansion;
};

static df_sh_list *parse_list(struct parser *p);
static const struct token *peek(struct parser *p);
static void next(struct parser *p);
static void describe(const struct token *t, char *out, size_t size);
static size_t scan_dollar(struct parser *p, size_t pos, bool in_dq, struct wstate *ws);
static size_t scan_backtick(struct parser *p, size_t pos, struct wstate *ws);

static void add_sub(struct parser *p, struct wstate *ws, df_sh_script *s)
{
	ws->subs = grow_for_push(p->arena, ws->subs, ws->nsubs, sizeof(*ws->subs));
	ws->subs[ws->nsubs++] = s;
}

static void val_addc(struct parser *p, char c)
{
	*(char *)stack_push(&p->val, 1) = c;
}

static void val_addn(struct parser *p, const char *s, size_t n)
{
	if (n)
		memcpy(stack_push(&p->val, n), s, n);
}

static void val_add(struct parser *p, size_t from, size_t to)
{
	val_addn(p, p->text + from, to - from);
}

static df_sh_script *init_script(struct parser *p, df_sh_script *s)
{
	s->list = NULL;
	s->text.ptr = p->text;
	s->text.len = p->full_len;
	s->error = NULL;
	s->error_off = 0;
	s->simple = NULL;
	s->nsimple = 0;
	return s;
}

static df_sh_script *new_script(struct parser *p)
{
	return init_script(p, df_arena_alloc_uninit(p->arena, sizeof(df_sh_script)));
}

/* 'text' -> its content, verbatim. pos is at the opening quote. */
static size_t scan_squote(struct parser *p, size_t pos, bool build, struct wstate *ws)
{
	const char *q = memchr(p->text + pos + 1, '\'', p->len - pos - 1);
	if (!q) {
		set_error(p, pos, "unterminated single quote");
		if (build) {
			/* Best effort, as for an unterminated "...". */
			val_add(p, pos + 1, p->len);
			ws->quoted = true;
		}
		return p->len;
	}
	size_t end = (size_t)(q - p->text);
	if (build) {
		val_add(p, pos + 1, end);
		ws->quoted = true;
	}
	return end + 1;
}

/*
 * "text": backslash escapes only $ ` " \ and newline; $ and ` expansions
 * are kept verbatim. With build unset only the end is found (the text is
 * part of an expansion that is kept verbatim anyway).
 */
static size_t scan_dquote(struct parser *p, size_t pos, bool build, struct wstate *ws)
{
	size_t i = pos + 1;
	if (build)
		ws->quoted = true;
	while (i < p->len && !p->error) {
		char c = p->text[i];
		if (c == '"')
			return i + 1;
		if (c == '\\' && i + 1 < p->len) {
			char d = p->text[i + 1];
			if (d == '\n') {
				i += 2;
			} else if (d == '$' || d == '`' || d == '"' || d == '\\') {
				if (build)
					val_addc(p, d);
				i += 2;
			} else {
				if (build)
					val_addc(p, c);
				i++;
			}
		} else if (c == '$' || c == '`') {
			size_t end = c == '$' ? scan_dollar(p, i, true, ws) : scan_backtick(p, i, ws);
			if (build)
				val_add(p, i, end);
			i = end;
		} else {
			/* A run of chars with no meaning here goes in at once. */
			size_t run = df_scan_special(p->text, i + 1, p->len, false);
			if (build)
				val_add(p, i, run);
			i = run;
		}
	}
	set_error(p, pos, "unterminated double quote");
	return p->len;
}

/* $( list ) parsed in place: the parser stops at the closing parenthesis. */
static size_t scan_cmdsub(struct parser *p, size_t pos, struct wstate *ws)
{
	if (!enter(p, pos))
		return p->len;
	const char *err_before = p->error;
	bool dbracket = p->dbracket;
	size_t end = p->len;
	df_sh_script *s = new_script(p);

	p->dbracket = false;
	p->have_tok = false;
	p->pos = pos + 2;
	s->list = parse_list(p);
	const struct token *t = peek(p);
	if (t->kind == TK_OP && t->op == OP_RPAREN) {
		end = t->end;
		next(p);
	} else if (t->kind == TK_EOF) {
		set_error(p, pos, "unterminated command substitution");
	} else {
		char what[48];
		describe(t, what, sizeof(what));
		set_error(p, t->start, "unexpected %s in command substitution", what);
	}
	p->have_tok = false;
	p->dbracket = dbracket;
	if (!err_before && p->error) {
		s->error = p->error;
		s->error_off = p->error_off;
	}
	leave(p);
	add_sub(p, ws, s);
	ws->has_expansion = true;
	return end;
}

/*
 * $(( ... )) is kept verbatim, not parsed as a command: find the closing
 * parentheses by counting, letting nested expansions parse themselves.
 */
static size_t scan_arith(struct parser *p, size_t pos, struct wstate *ws)
{
	if (!enter(p, pos))
		return p->len;
	size_t i = pos + 3;
	int open = 2;
	ws->has_expansion = true;
	while (i < p->len && !p->error) {
		char c = p->text[i];
		if (c == '(') {
			open++;
			i++;
		} else if (c == ')') {
			i++;
			if (--open == 0) {
				leave(p);
				return i;
			}
		} else if (c == '\\') {
			i = min_size(i + 2, p->len);
		} else if (c == '$') {
			i = scan_dollar(p, i, true, ws);
		} else if (c == '`') {
			i = scan_backtick(p, i, ws);
		} else if (c == '"') {
			i = scan_dquote(p, i, false, ws);
		} else if (c == '\'') {
			i = scan_squote(p, i, false, ws);
		} else {
			i++;
		}
	}
	leave(p);
	set_error(p, pos, "unterminated arithmetic expansion");
	return p->len;
}

/* ${ ... } with nested quotes and expansions; kept verbatim. */
static size_t scan_brace(struct parser *p, size_t pos, bool in_dq, struct wstate *ws)
{
	if (!enter(p, pos))
		return p->len;
	size_t i = pos + 2;
	ws->has_expansion = true;
	while (i < p->len && !p->error) {
		char c = p->text[i];
		if (c == '}') {
			leave(p);
			return i + 1;
		} else if (c == '\\') {
			i = min_size(i + 2, p->len);
		} else if (c == '\'' && !in_dq) {
			/* Inside "${...}" a single quote is an ordinary character. */
			i = scan_squote(p, i, false, ws);
		} else if (c == '"') {
			i = scan_dquote(p, i, false, ws);
		} else if (c == '$') {
			i = scan_dollar(p, i, in_dq, ws);
		} else if (c == '`') {
			i = scan_backtick(p, i, ws);
		} else {
			i++;
		}
	}
	leave(p);
	set_error(p, pos, "unterminated parameter expansion");
	return p->len;
}

/* bash's $'...': backslash escapes a quote, kept verbatim (not decoded). */
static size_t scan_ansi_c(struct parser *p, size_t pos, struct wstate *ws)
{
	size_t i = pos + 2;
	ws->quoted = true;
	while (i < p->len) {
		if (p->text[i] == '\\')
			i += 2;
		else if (p->text[i] == '\'')
			return i + 1;
		else
			i++;
	}
	set_error(p, pos, "unterminated single quote");
	return p->len;
}

/* One $ expansion starting at pos; returns its end. A lone $ is literal. */
static size_t scan_dollar(struct parser *p, size_t pos, bool in_dq, struct wstate *ws)
{
	size_t i = pos + 1;
	if (i >= p->len)
		return i;
	char c = p->text[i];
	if (c == '(') {
		if (i + 1 < p->len && p->text[i + 1] == '(')
			return scan_arith(p, pos, ws);
		return scan_cmdsub(p, pos, ws);
	}
	if (c == '{')
		return scan_brace(p, pos, in_dq, ws);
	if (c == '\'' && !in_dq)
		return scan_ansi_c(p, pos, ws);
	if (is_name_start(c)) {
		while (i < p->len && is_name_char(p->text[i]))
			i++;
		ws->has_expansion = true;
		return i;
	}
	if (df_is_digit((unsigned char)c) || strchr("@*#?-$!", c)) {
		/* strchr also finds the terminating NUL; a NUL byte is no name. */
		if (c != '\0') {
			ws->has_expansion = true;
			return i + 1;
		}
	}
	return i;
}

/*
 * Parse text[begin..end) of the current text as a nested script: the
 * parser's limit is moved to end for the duration.
 */
static df_sh_script *parse_range(struct parser *p, size_t begin, size_t end)
{
	size_t saved_len = p->len, saved_pos = p->pos;
	bool dbracket = p->dbracket;
	const char *err_before = p->error;
	df_sh_script *s = new_script(p);

	char saved_stop = p->stext[end];
	p->len = end;
	p->stext[end] = STOP;
	p->pos = begin;
	p->dbracket = false;
	p->have_tok = false;
	s->list = parse_list(p);
	const struct token *t = peek(p);
	if (t->kind != TK_EOF) {
		char what[48];
		describe(t, what, sizeof(what));
		set_error(p, t->start, "unexpected %s in backquotes", what);
	}
	p->have_tok = false;
	p->stext[end] = saved_stop;
	p->len = saved_len;
	p->pos = saved_pos;
	p->dbracket = dbracket;
	if (!err_before && p->error) {
		s->error = p->error;
		s->error_off = p->error_off;
	}
	return s;
}

/*
 * `...`: the body ends at the first unescaped backquote. When the body
 * holds \$ \` or \\ those escapes are removed into a copy, which is parsed
 * as a text of its own; otherwise the body is parsed in place.
 */
static size_t scan_backtick(struct parser *p, size_t pos, struct wstate *ws)
{
	size_t i = pos + 1;
	bool escaped = false;
	while (i < p->len && p->text[i] != '`') {
		if (p->text[i] == '\\' && i + 1 < p->len) {
			char d = p->text[i + 1];
			if (d == '$' || d == '`' || d == '\\')
				escaped = true;
			i += 2;
		} else {
			i++;
		}
	}
	if (i >= p->len) {
		set_error(p, pos, "unterminated backquote");
		return p->len;
	}
	if (!enter(p, pos))
		return p->len;
	df_sh_script *s;
	if (!escaped) {
		s = parse_range(p, pos + 1, i);
	} else {
		size_t n = 0;
		/* Zero-filled: copy[n] and on are the stop and its padding. */
		char *copy = df_arena_alloc(p->arena, i - pos + STEXT_PAD);
		for (size_t k = pos + 1; k < i; k++) {
			char c = p->text[k];
			if (c == '\\' && k + 1 < i &&
			    (p->text[k + 1] == '$' || p->text[k + 1] == '`' || p->text[k + 1] == '\\'))
				c = p->text[++k];
			copy[n++] = c;
		}
		const char *saved_text = p->text;
		char *saved_vtext = p->vtext, *saved_stext = p->stext;
		size_t saved_full = p->full_len, saved_len = p->len, saved_pos = p->pos;
		bool saved_in_copy = p->in_copy;
		uint32_t saved_copy_off = p->copy_off;
		if (!p->in_copy) {
			p->in_copy = true;
			p->copy_off = (uint32_t)pos;
		}
		p->text = copy;
		p->vtext = df_arena_memdup(p->arena, copy, n);
		p->stext = copy;	/* copy[n] is spare room for the stop */
		p->full_len = p->len = n;
		s = parse_range(p, 0, n);
		p->text = saved_text;
		p->vtext = saved_vtext;
		p->stext = saved_stext;
		p->full_len = saved_full;
		p->len = saved_len;
		p->pos = saved_pos;
		p->in_copy = saved_in_copy;
		p->copy_off = saved_copy_off;
	}
	leave(p);
	add_sub(p, ws, s);
	ws->has_expansion = true;
	return i + 1;
}

/* bash array assignment NAME=( ... ): kept verbatim. pos is at '('. */
static size_t scan_array(struct parser *p, size_t pos, struct wstate *ws)
{
	size_t i = pos + 1;
	int open = 1;
	while (i < p->len && !p->error) {
		char c = p->text[i];
		if (c == '(') {
			open++;
			i++;
		} else if (c == ')') {
			i++;
			if (--open == 0)
				return i;
		} else if (c == '\\') {
			i = min_size(i + 2, p->len);
		} else if (c == '\'') {
			i = scan_squote(p, i, false, ws);
		} else if (c == '"') {
			i = scan_dquote(p, i, false, ws);
		} else if (c == '$') {
			i = scan_dollar(p, i, false, ws);
		} else if (c == '`') {
			i = scan_backtick(p, i, ws);
		} else {
			i++;
		}
	}
	set_error(p, pos, "unterminated array assignment");
	return p->len;
}


/*
 * word -> ( literal | \c | '...' | "..." | $... | `...` )+
 * Scans one word from pos (not a blank or operator character) up to the
 * first unquoted metacharacter and fills w; returns its end.
 *
 * Only quotes and backslashes make a value differ from raw, so most words
 * need no building: their value is the same bytes in p->vtext, the parser's
 * copy of the text, cut by a NUL written over the metacharacter (or the end)
 * that follows the word. No other value uses that byte: the words after
 * this one start past it, and a word around this one (holding it in a
 * $(...) or `...`) takes a copy of its raw text instead.
 */
static size_t scan_word(struct parser *p, size_t pos) __attribute__((noinline));

static size_t scan_word(struct parser *p, size_t pos)
{
	const char *text = p->text;
	size_t base = p->val.len, start = pos;
	bool building = false;	/* the value is being built in p->val */
	struct wstate ws = { NULL, 0, false, false };

	while (pos < p->len && !p->error) {
		char c = text[pos];
		unsigned char cls = ch_class[(unsigned char)c];
		if (!cls) {
			/* A run of ordinary chars goes in at once; it stops at
			 * STOP at the latest. */
			const unsigned char *q = (const unsigned char *)p->stext + pos + 1;
			while (!ends_run[*q])
				q++;
			size_t run = (size_t)(q - (const unsigned char *)p->stext);
			if (building)
				val_add(p, pos, run);
			pos = run;
			continue;
		}
		if (c == '(' && pos > start &&
		    assign_prefix(text + start, pos - start) == pos - start) {
			size_t end = scan_array(p, pos, &ws);
			if (building)
				val_add(p, pos, end);
			pos = end;
			continue;
		}
		if (cls & CH_META)
			break;
		if (c == '$' || c == '`') {
			size_t end = c == '$' ? scan_dollar(p, pos, false, &ws)
					      : scan_backtick(p, pos, &ws);
			if (building)
				val_add(p, pos, end);
			pos = end;
			continue;
		}
		if (!building) {
			/* A quote or backslash: from here the value is built. */
			building = true;
			val_add(p, start, pos);
		}
		if (c == '\\') {
			if (pos + 1 >= p->len) {
				/* A backslash ending the text stands for itself. */
				val_addc(p, c);
				pos++;
			} else if (text[pos + 1] == '\n') {
				pos += 2;
			} else {
				val_addc(p, text[pos + 1]);
				ws.quoted = true;
				pos += 2;
			}
		} else if (c == '\'') {
			pos = scan_squote(p, pos, true, &ws);
		} else {
			pos = scan_dquote(p, pos, true, &ws);
		}
	}

	/* Taken only now: the words of a $(...) may have grown the pool. */
	df_sh_word *w = words_slot(p);
	w->raw.ptr = text + start;
	w->raw.len = pos - start;
	w->start = (uint32_t)start;
	w->end = (uint32_t)pos;
	w->quoted = ws.quoted;
	w->has_expansion = ws.has_expansion;
	w->subs = ws.subs;
	w->nsubs = ws.nsubs;
	if (building) {
		size_t n = p->val.len - base;
		w->value.ptr = df_arena_memdup(p->arena, (const char *)p->val.v + base, n);
		w->value.len = n;
		p->val.len = base;
	} else if (ws.nsubs) {
		/* The words of the substitutions have cut vtext inside this one. */
		w->value.ptr = df_arena_memdup(p->arena, text + start, pos - start);
		w->value.len = pos - start;
	} else {
		p->vtext[pos] = '\0';
		w->value.ptr = p->vtext + start;
		w->value.len = pos - start;
	}
	return pos;
}

/* ------------------------------------------------------------------------ */
/* Lexer */

/* Read the bodies of the pending heredocs, which start after a newline. */
static void read_heredocs(struct parser *p)
{
	for (size_t k = 0; k < p->npending; k++) {
		df_sh_redir *r = &p->pending[k].cmd->redirs[p->pending[k].idx];
		bool strip = strcmp(r->op, "<<-") == 0;
		size_t body = p->pos, line = p->pos;
		if (p->pos >= p->len)
			break;	/* the text ends first: no body, and no error */
		for (;;) {
			const char *nl = memchr(p->text + line, '\n', p->len - line);
			size_t eol = nl ? (size_t)(nl - p->text) : p->len;
			size_t s = line;
			while (strip && s < eol && p->text[s] == '\t')
				s++;
			if (eol - s == r->heredoc_delim.len &&
			    memcmp(p->text + s, r->heredoc_delim.ptr, eol - s) == 0) {
				r->heredoc_body.ptr = p->text + body;
				r->heredoc_body.len = line - body;
				p->pos = nl ? eol + 1 : eol;
				break;
			}
			if (!nl) {
				r->heredoc_body.ptr = p->text + body;
				r->heredoc_body.len = p->len - body;
				p->pos = p->len;
				break;
			}
			line = eol + 1;
		}
	}
	p->npending = 0;
}

/* The operator starting at s[0..n), longest first, or OP_NONE. */
static int match_op(const char *s, size_t n)
{
	char c1 = n > 1 ? s[1] : '\0', c2 = n > 2 ? s[2] : '\0';
	switch (s[0]) {
	case '&':
		if (c1 == '&')
			return OP_AND_IF;
		if (c1 == '>')
			return c2 == '>' ? OP_AMPDGREAT : OP_AMPGREAT;
		return OP_AMP;
	case '|':
		if (c1 == '|')
			return OP_OR_IF;
		return c1 == '&' ? OP_PIPE_AMP : OP_PIPE;
	case ';':
		if (c1 == ';')
			return c2 == '&' ? OP_DSEMI_AND : OP_DSEMI;
		return c1 == '&' ? OP_SEMI_AND : OP_SEMI;
	case '(':
		return OP_LPAREN;
	case ')':
		return OP_RPAREN;
	case '<':
		if (c1 == '<')
			return c2 == '-' ? OP_DLESSDASH : c2 == '<' ? OP_TLESS : OP_DLESS;
		if (c1 == '&')
			return OP_LESSAND;
		return c1 == '>' ? OP_LESSGREAT : OP_LESS;
	case '>':
		if (c1 == '>')
			return OP_DGREAT;
		if (c1 == '&')
			return OP_GREATAND;
		return c1 == '|' ? OP_CLOBBER : OP_GREAT;
	default:
		return OP_NONE;
	}
}

/* The reserved word spelled by the n > 0 bytes at s, or RW_NONE. */
static int reserved_id(const char *s, size_t n)
{
	/* s may hold NUL bytes: words are compared with their length. */
#define RW_IS(lit) (memcmp(s, lit, sizeof(lit) - 1) == 0)
	switch (n) {
	case 1:
		return s[0] == '{' ? RW_LBRACE : s[0] == '}' ? RW_RBRACE :
		       s[0] == '!' ? RW_BANG : RW_NONE;
	case 2:
		return RW_IS("if") ? RW_IF : RW_IS("in") ? RW_IN : RW_IS("fi") ? RW_FI :
		       RW_IS("do") ? RW_DO : RW_IS("[[") ? RW_DLBRACKET :
		       RW_IS("]]") ? RW_DRBRACKET : RW_NONE;
	case 3:
		return RW_IS("for") ? RW_FOR : RW_NONE;
	case 4:
		return RW_IS("then") ? RW_THEN : RW_IS("else") ? RW_ELSE :
		       RW_IS("elif") ? RW_ELIF : RW_IS("done") ? RW_DONE :
		       RW_IS("case") ? RW_CASE : RW_IS("esac") ? RW_ESAC : RW_NONE;
	case 5:
		return RW_IS("while") ? RW_WHILE : RW_IS("until") ? RW_UNTIL : RW_NONE;
	case 8:
		return RW_IS("function") ? RW_FUNCTION : RW_NONE;
	default:
		return RW_NONE;
	}
#undef RW_IS
}

/*
 * The first byte from pos on in p->stext (s) that is no blank; STOP stops
 * it at the latest. Spaces are skipped sixteen at a time where SSE2 allows:
 * the bytes read past STOP are its padding (or more of the text).
 */
static inline size_t skip_blanks(const unsigned char *s, size_t pos)
{
#ifdef __SSE2__
	for (;;) {
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + pos));
		unsigned spaces = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_set1_epi8(' ')));
		if (spaces == 0xffff) {
			pos += 16;
			continue;
		}
		pos += (size_t)__builtin_ctz(~spaces);
		if (s[pos] != '\t')
			return pos;
		pos++;
	}
#else
	while (s[pos] == ' ' || s[pos] == '\t')
		pos++;
	return pos;
#endif
}

/* The io number that the n digits at s are, or -1 if they are not all
 * digits. */
static int io_number(const unsigned char *s, size_t n)
{
	int fd = 0;
	for (size_t k = 0; k < n; k++) {
		if (!df_is_digit(s[k]))
			return -1;
		fd = fd * 10 + (s[k] - '0');
	}
	return fd;
}

/* Bytes that can start a reserved word (see reserved_id()). */
static const bool rw_start[256] = {
	['{'] = true, ['}'] = true, ['!'] = true, ['['] = true, [']'] = true,
	['i'] = true, ['t'] = true, ['e'] = true, ['f'] = true, ['w'] = true,
	['u'] = true, ['d'] = true, ['c'] = true,
};

/* Bytes after blanks that start something else than a plain word: the
 * metacharacters, the special chars (STOP among them; see ch_class) and a
 * comment. */
static const bool not_plain[256] = {
	[' '] = true, ['\t'] = true, ['\n'] = true, [';'] = true, ['&'] = true,
	['|'] = true, ['('] = true, [')'] = true, ['<'] = true, ['>'] = true,
	['\\'] = true, ['\''] = true, ['"'] = true, ['$'] = true, ['`'] = true,
	['#'] = true,
};

/* The first byte from pos on in s (p->stext) that is no blank. Most tokens
 * are one space apart: skip_blanks() only for more. A space is before the
 * limit, so the byte after it can be read. */
static inline size_t skip_gap(const unsigned char *s, size_t pos)
{
	if (s[pos] == ' ')
		pos++;
	if (s[pos] == ' ' || s[pos] == '\t')
		pos = skip_blanks(s, pos);
	return pos;
}

/*
 * The end of the plain word at pos (no blank): a run of ordinary chars
 * ended by a blank or an operator char (or the limit), a word whose value
 * is its text. 0 when the bytes at pos are something else, or more: a
 * special char continues the word, a '(' may make it NAME=(...).
 */
static inline size_t plain_end_in(const unsigned char *s, size_t pos, size_t limit)
{
	if (not_plain[s[pos]])
		return 0;
	/* The run stops at STOP at the latest. */
	const unsigned char *q = df_scan_to_stop(s + pos + 1, ends_run);
	size_t end = (size_t)(q - s);
	if ((ch_class[*q] & ~CH_REDIR) != CH_META && end < limit)
		return 0;
	return end;
}

/* plain_end_in() of p->stext, up to p->len. */
static inline size_t plain_end(const struct parser *p, size_t pos)
{
	return plain_end_in((const unsigned char *)p->stext, pos, p->len);
}

/* Whether the plain word [pos, end) of s is all digits right before < or >
 * ("2>&1"): an io number, outside [[ ]]. */
static inline bool digits_before_redir(const unsigned char *s, size_t pos, size_t end)
{
	return (ch_class[s[end]] & CH_REDIR) && end - pos <= 9 && io_number(s + pos, end - pos) >= 0;
}

/* The same of p->stext, where it is an io number: not in [[ ]] (looked at
 * second: most words end at no < or >). */
static inline bool plain_is_io_number(const struct parser *p, size_t pos, size_t end)
{
	const unsigned char *s = (const unsigned char *)p->stext;
	return (ch_class[s[end]] & CH_REDIR) && !p->dbracket && digits_before_redir(s, pos, end);
}

/* The plain word [pos, end) of text written in w, its value cut in vtext
 * (p->text and p->vtext). */
static inline void set_plain(df_sh_word *w, const char *text, char *vtext, size_t pos, size_t end)
{
	size_t n = end - pos;
	vtext[end] = '\0';
	*w = (df_sh_word){
		.raw = { text + pos, n },
		.value = { vtext + pos, n },
		.start = (uint32_t)pos,
		.end = (uint32_t)end,
	};
}

/* The plain word [pos, end) written in the slot above the top of the words
 * stack, which the caller made sure is there; the lexer moves past it. */
static inline df_sh_word *put_plain(struct parser *p, size_t pos, size_t end)
{
	df_sh_word *w = (df_sh_word *)(void *)(p->words.v + p->words.len);
	p->pos = end;
	set_plain(w, p->text, p->vtext, pos, end);
	return w;
}

/*
 * Lex the next token into p->tok. The fields are set only once a word is
 * scanned: the words of a $(...) inside it are lexed into p->tok as well.
 */
static void lex_full(struct parser *p, size_t pos) __attribute__((noinline));

/* pos is p->pos, or past blanks after it. */
static void lex_full(struct parser *p, size_t pos)
{
	struct token *t = &p->tok;
	const char *text = p->text;
	const unsigned char *s = (const unsigned char *)p->stext;
	size_t len = p->len;
	t->rw = RW_NONE;
	if (p->error) {
		t->kind = TK_EOF;
		t->start = t->end = (uint32_t)len;
		return;
	}
	/* s[len] is STOP, so no check of the limit is needed below until a
	 * byte matches. */
	for (;;) {
		pos = skip_blanks(s, pos);
		if (s[pos] == '\\' && s[pos + 1] == '\n' && pos + 1 < len) {
			pos += 2;
			continue;
		}
		if (s[pos] == '#' && pos < len) {
			const char *nl = memchr(text + pos, '\n', len - pos);
			pos = nl ? (size_t)(nl - text) : len;
		}
		break;
	}
	p->pos = pos;
	t->start = t->end = (uint32_t)pos;
	if (pos >= len) {
		t->kind = TK_EOF;
		return;
	}
	unsigned char c = s[pos], cls = ch_class[c];
	df_sh_word *w;
	size_t end, n;
	if (!cls) {
		/* Most tokens: a plain word needs no scan_word(). */
		end = plain_end(p, pos);
		if (!end)
			goto slow;
		n = end - pos;
		words_slot(p);
		w = put_plain(p, pos, end);
		goto word;
	}
	if (c == '\n') {
		p->pos = pos + 1;
		t->kind = TK_NEWLINE;
		t->end = (uint32_t)p->pos;
		if (p->npending)
			read_heredocs(p);
		return;
	}
	/* Every operator starts with a metacharacter. */
	if (cls & CH_META) {
		int op = match_op(text + pos, len - pos);
		size_t l = op_len(op);
		p->pos = pos + l;
		t->end = (uint32_t)p->pos;
		if (p->dbracket && (op == OP_AND_IF || op == OP_OR_IF || op == OP_PIPE ||
				    op == OP_LPAREN || op == OP_RPAREN || op == OP_LESS ||
				    op == OP_GREAT)) {
			/* In [[ ]] these are operands of the test, not shell syntax. */
			w = words_slot(p);
			t->kind = TK_WORD;
			t->word = w;
			w->raw.ptr = text + pos;
			w->raw.len = l;
			w->value.ptr = op_text[op];
			w->value.len = l;
			w->start = t->start;
			w->end = t->end;
			w->quoted = w->has_expansion = false;
			w->subs = NULL;
			w->nsubs = 0;
			return;
		}
		t->kind = TK_OP;
		t->op = op;
		return;
	}
slow:
	n = p->nsimple;
	end = scan_word(p, pos);
	p->tok_simple = n;	/* after the words of its $(...) lexed theirs */
	w = (df_sh_word *)(void *)(p->words.v + p->words.len);
	n = end - pos;
word:
	p->pos = end;
	t->kind = TK_WORD;
	t->start = (uint32_t)pos;
	t->end = (uint32_t)end;
	t->word = w;
	t->rw = RW_NONE;
	/* An io number is all digits right before < or > ("2>&1"). */
	if (!p->dbracket && n <= 9 && end < len &&
	    (s[end] == '<' || s[end] == '>') && n == w->value.len) {
		int fd = io_number(s + pos, n);
		if (fd >= 0) {
			t->kind = TK_IO_NUMBER;
			t->fd = fd;
			return;
		}
	}
	/* The longest reserved word is "function". */
	if (w->value.len - 1 < 8 && !w->quoted && !w->has_expansion)
		t->rw = reserved_id(w->value.ptr, w->value.len);
}


/*
 * lex_full() for the most common tokens: blanks, then a plain word (see
 * plain_end()), the end, or an operator between commands. Anything else
 * goes to lex_full().
 */
static void lex(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->stext;
	struct token *t = &p->tok;
	size_t pos = p->pos;
	if (p->error)
		goto full;
	pos = skip_gap(s, pos);
	if (not_plain[s[pos]]) {
		/* The operators are matched here as match_op() would (a byte
		 * past pos is before the limit or is STOP, no operator char). */
		int op;
		if (pos >= p->len) {
			/* The end, which every script peeks at at least once. */
			p->pos = pos;
			t->kind = TK_EOF;
			t->rw = RW_NONE;
			t->start = t->end = (uint32_t)pos;
			return;
		}
		if (s[pos] == '&' && s[pos + 1] == '&')
			op = OP_AND_IF;
		else if (s[pos] == '|')
			op = s[pos + 1] == '|' ? OP_OR_IF : s[pos + 1] == '&' ? OP_PIPE_AMP : OP_PIPE;
		else if (s[pos] == ';' && s[pos + 1] != ';' && s[pos + 1] != '&')
			op = OP_SEMI;
		else
			goto full;
		if (p->dbracket)
			goto full;	/* && || | are words in [[ ]] */
		p->pos = pos + op_len(op);
		t->kind = TK_OP;
		t->op = op;
		t->rw = RW_NONE;
		t->start = (uint32_t)pos;
		t->end = (uint32_t)p->pos;
		return;
	}
	size_t end = plain_end(p, pos);
	/* The slot is taken here only when no call is needed. */
	if (!end || p->words.cap - p->words.len < sizeof(df_sh_word))
		goto full;
	size_t n = end - pos;
	t->kind = TK_WORD;
	t->start = (uint32_t)pos;
	t->end = (uint32_t)end;
	t->word = put_plain(p, pos, end);
	t->rw = RW_NONE;
	if (plain_is_io_number(p, pos, end)) {
		t->kind = TK_IO_NUMBER;
		t->fd = io_number(s + pos, n);
		return;
	}
	/* The longest reserved word is "function". */
	if (n - 1 < 8 && rw_start[s[pos]])
		t->rw = reserved_id(p->text + pos, n);
	return;
full:
	lex_full(p, pos);
}

static const struct token *peek(struct parser *p)
{
	if (!p->have_tok) {
		lex(p);
		p->have_tok = true;
	}
	return &p->tok;
}

/* Consume the token peek() returns; it stays readable in p->tok until the
 * next peek(). */
static void next(struct parser *p)
{
	peek(p);
	p->have_tok = false;
}

/* A short printable description of t for error messages. */
static void describe(const struct token *t, char *out, size_t size)
{
	switch (t->kind) {
	case TK_EOF:
		snprintf(out, size, "end of input");
		return;
	case TK_NEWLINE:
		snprintf(out, size, "newline");
		return;
	case TK_OP:
		snprintf(out, size, "'%s'", op_text[t->op]);
		return;
	case TK_IO_NUMBER:
	case TK_WORD:
		break;
	}
	size_t n = 0, max = size - 6;
	out[n++] = '\'';
	for (size_t i = 0; i < t->word->raw.len && n < max; i++) {
		unsigned char c = (unsigned char)t->word->raw.ptr[i];
		out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (t->word->raw.len > max - 1) {
		out[n++] = '.';
		out[n++] = '.';
		out[n++] = '.';
	}
	out[n++] = '\'';
	out[n] = '\0';
}

static bool tok_is_op(const struct token *t, int op)
{
	return t->kind == TK_OP && t->op == op;
}

/* A reserved word: the unquoted word w in a position where it is one. */
static bool tok_is_word(const struct token *t, int rw)
{
	return t->rw == rw;
}

static void skip_newlines(struct parser *p)
{
	while (peek(p)->kind == TK_NEWLINE)
		next(p);
}

static void unexpected(struct parser *p, const struct token *t)
{
	char what[48];
	describe(t, what, sizeof(what));
	set_error(p, t->start, "unexpected %s", what);
}

/*
 * The reserved word want must come next. At the end of input the error
 * names the unclosed opener, elsewhere the token found instead.
 */
static bool expect_word(struct parser *p, df_sh_cmd *c, int want,
			uint32_t open_off, const char *open)
{
	const struct token *t = peek(p);
	if (tok_is_word(t, want)) {
		c->end = t->end;
		next(p);
		return true;
	}
	if (t->kind == TK_EOF) {
		set_error(p, open_off, "unmatched '%s'", open);
	} else {
		char what[48];
		describe(t, what, sizeof(what));
		set_error(p, t->start, "expected '%s' before %s", rw_text[want], what);
	}
	return false;
}

/* ------------------------------------------------------------------------ */
/* Parser */

/* Whether the word [start, end) of the text starts with NAME= or NAME+=, as
 * assign_prefix() tells. Read in p->stext, where the scan of the NAME needs
 * no bound check: STOP, which is no name char, follows the limit. */
static inline bool starts_assignment(const struct parser *p, size_t start, size_t end)
{
	const char *s = p->stext;
	size_t i = start;
	if (!is_name_start(s[i]))
		return false;
	do
		i++;
	while (is_name_char(s[i]));
	return i < end && (s[i] == '=' || (s[i] == '+' && i + 1 < end && s[i + 1] == '='));
}

static df_sh_cmd *parse_command(struct parser *p);
static df_sh_cmd *parse_compound(struct parser *p);

static df_sh_cmd *new_cmd(struct parser *p, df_sh_cmd_kind kind, uint32_t start)
{
	df_sh_cmd *c = DF_ARENA_NEW(p->arena, df_sh_cmd);
	c->kind = kind;
	c->start = c->end = start;
	return c;
}

static void push_word(df_arena *a, df_sh_word **arr, size_t *n, const df_sh_word *w)
{
	*arr = grow_for_push(a, *arr, *n, sizeof(**arr));
	(*arr)[(*n)++] = *w;
}

static void push_body(struct parser *p, df_sh_cmd *c, df_sh_list *l)
{
	c->bodies = grow_for_push(p->arena, c->bodies, c->nbodies, sizeof(*c->bodies));
	c->bodies[c->nbodies++] = l;
}

static bool starts_redir(const struct token *t)
{
	return t->kind == TK_IO_NUMBER || (t->kind == TK_OP && is_redir_op(t->op));
}

/* redirect -> [IO_NUMBER] op word */
static bool parse_redir(struct parser *p, df_sh_cmd *c)
{
	df_sh_redir r;
	memset(&r, 0, sizeof(r));
	r.fd = -1;
	const struct token *t = peek(p);
	if (t->kind == TK_IO_NUMBER) {
		r.fd = t->fd;
		next(p);
		t = peek(p);
	}
	if (!(t->kind == TK_OP && is_redir_op(t->op))) {
		unexpected(p, t);
		return false;
	}
	int op = t->op;
	uint32_t op_start = t->start;
	next(p);
	t = peek(p);
	/* Digits before another redirection still name the target: 2>&1>f. */
	if (t->kind != TK_WORD && t->kind != TK_IO_NUMBER) {
		set_error(p, op_start, "missing target after '%s'", op_text[op]);
		return false;
	}
	r.op = op_text[op];
	r.target = *t->word;
	next(p);
	if (op == OP_DLESS || op == OP_DLESSDASH) {
		r.heredoc = true;
		r.heredoc_delim = r.target.value;
		r.heredoc_quoted = r.target.quoted;
	}
	c->redirs = grow_for_push(p->arena, c->redirs, c->nredirs, sizeof(*c->redirs));
	c->redirs[c->nredirs++] = r;
	c->end = r.target.end;
	if (r.heredoc) {
		if (p->npending == p->cap_pending) {
			size_t ncap = p->cap_pending ? p->cap_pending * 2 : 4;
			p->pending = df_arena_grow(p->arena, p->pending, p->npending, ncap,
						   sizeof(*p->pending));
			p->cap_pending = ncap;
		}
		p->pending[p->npending].cmd = c;
		p->pending[p->npending].idx = c->nredirs - 1;
		p->npending++;
	}
	return true;
}

static void parse_redirs(struct parser *p, df_sh_cmd *c)
{
	while (starts_redir(peek(p)))
		if (!parse_redir(p, c))
			break;
}

/* A list holding just c: the body of a function is a compound command. */
static df_sh_list *wrap_cmd(struct parser *p, df_sh_cmd *c)
{
	df_sh_pipeline *pl = DF_ARENA_NEW(p->arena, df_sh_pipeline);
	df_sh_andor *a = DF_ARENA_NEW(p->arena, df_sh_andor);
	df_sh_list *l = DF_ARENA_NEW(p->arena, df_sh_list);
	pl->cmds = DF_ARENA_ARRAY(p->arena, df_sh_cmd *, 1);
	pl->cmds[0] = c;
	pl->ncmds = 1;
	pl->start = c->start;
	pl->end = c->end;
	a->pipes = DF_ARENA_ARRAY(p->arena, df_sh_pipeline *, 1);
	a->pipes[0] = pl;
	a->ops = DF_ARENA_ARRAY(p->arena, df_sh_andor_op, 1);
	a->npipes = 1;
	a->start = c->start;
	a->end = c->end;
	l->items = DF_ARENA_ARRAY(p->arena, df_sh_andor *, 1);
	l->items[0] = a;
	l->nitems = 1;
	return l;
}

/* function_body -> compound_command redirect* */
static bool parse_function_body(struct parser *p, df_sh_cmd *f)
{
	skip_newlines(p);
	const struct token *t = peek(p);
	if (!(tok_is_op(t, OP_LPAREN) || rw_compound[t->rw])) {
		if (t->kind == TK_EOF) {
			set_error(p, f->start, "missing function body");
		} else {
			char what[48];
			describe(t, what, sizeof(what));
			set_error(p, t->start, "expected a function body before %s", what);
		}
		return false;
	}
	df_sh_cmd *body = parse_compound(p);
	if (!body)
		return false;
	push_body(p, f, wrap_cmd(p, body));
	f->end = body->end;
	return true;
}

/* function_definition -> NAME '(' ')' linebreak function_body; c holds NAME. */
static df_sh_cmd *parse_funcdef(struct parser *p, df_sh_cmd *c)
{
	next(p);	/* ( */
	c->kind = DF_SH_FUNCTION;
	c->header = c->words;
	c->nheader = c->nwords;
	c->words = NULL;
	c->nwords = 0;
	const struct token *t = peek(p);
	if (!tok_is_op(t, OP_RPAREN)) {
		char what[48];
		describe(t, what, sizeof(what));
		set_error(p, t->start, "expected ')' before %s", what);
		return c;
	}
	next(p);
	parse_function_body(p, c);
	return c;
}

/*
 * The simple command c, parsed on the frame, gets its node now, with the
 * assigns and words it collected in p->words from byte offset base (from
 * kept) on as its array; heredocs still waiting for their bodies are
 * pointed at the node.
 */
static df_sh_cmd *finish_simple(struct parser *p, const df_sh_cmd *c, size_t base,
				size_t nassigns, size_t slot)
{
	size_t from = p->words.kept + base, bytes = p->words.len - from;
	df_sh_cmd *f;
	df_sh_word *arr;
	if (base == 0) {
		/* No unfinished command has words below: they stay. */
		f = df_arena_alloc_uninit(p->arena, sizeof(*f));
		arr = (df_sh_word *)(void *)(p->words.v + from);
		p->words.kept = p->words.len;
	} else {
		/* Inside a word of a command still being parsed: a copy, in
		 * the same block, and the pool pops back. */
		f = df_arena_alloc_uninit(p->arena, sizeof(*f) + bytes);
		arr = (df_sh_word *)(void *)(f + 1);
		if (bytes)
			memcpy(arr, p->words.v + from, bytes);
		p->words.len = from;
	}
	/* c holds only start, end and the redirections. */
	f->kind = DF_SH_SIMPLE;
	f->assigns = NULL;
	f->nassigns = 0;
	f->words = NULL;
	f->nwords = 0;
	f->redirs = c->redirs;
	f->nredirs = c->nredirs;
	f->bodies = NULL;
	f->nbodies = 0;
	f->header = NULL;
	f->nheader = 0;
	f->has_in = false;
	f->case_items = NULL;
	f->ncase_items = 0;
	f->start = c->start;
	f->end = c->end;
	if (bytes) {
		/* One array: the assigns, then the words. */
		size_t n = bytes / sizeof(df_sh_word);
		if (nassigns) {
			f->assigns = arr;
			f->nassigns = nassigns;
		}
		if (n > nassigns) {
			f->words = arr + nassigns;
			f->nwords = n - nassigns;
		}
	}
	for (size_t k = 0; k < p->npending; k++)
		if (p->pending[k].cmd == c)
			p->pending[k].cmd = f;
	p->simple[slot] = f;
	return f;
}

/* The slot in p->simple of a simple command whose parse starts at the
 * token t (peeked): see struct parser. */
static size_t take_simple_slot(struct parser *p, const struct token *t)
{
	size_t end = p->nsimple, slot = end;
	p->simple = grow_for_push(p->arena, p->simple, end, sizeof(*p->simple));
	p->nsimple++;
	if (t->kind == TK_WORD && t->word->nsubs) {
		/* Its first word's substitutions are in already, after the
		 * command in df_sh_walk()'s order: moved up one. */
		slot = p->tok_simple;
		memmove(&p->simple[slot + 1], &p->simple[slot], (end - slot) * sizeof(*p->simple));
	}
	return slot;
}

/* Give back slot, taken by a command that turned out a function definition
 * (no simple command): the commands after it, in its name's substitutions,
 * move down. */
static void drop_simple_slot(struct parser *p, size_t slot)
{
	/* The array keeps its room: grow_for_push() only ever finds more. */
	p->nsimple--;
	memmove(&p->simple[slot], &p->simple[slot + 1], (p->nsimple - slot) * sizeof(*p->simple));
}

/*
 * The words after a command's name, while they are plain (see
 * plain_end()), taken straight into the word pool: no token, and no
 * lookup of a reserved word, which is one only where a command starts (in
 * [[ ]], where "]]" is looked for, nothing is taken). Most words are taken
 * here. Returns how many; the next token is left to peek(), from past the
 * blanks already skipped. end is set to the end of the last one.
 */
static size_t take_plain_args(struct parser *p, uint32_t *end)
{
	if (p->have_tok || p->dbracket || p->error)
		return 0;
	/* What is read of p, in locals: for all the compiler knows, the
	 * stores to a word and to vtext could change p, and it would read p
	 * again for every word. */
	const unsigned char *s = (const unsigned char *)p->stext;
	const char *text = p->text;
	char *vtext = p->vtext;
	struct word_pool *pool = &p->words;
	df_sh_word *w = (df_sh_word *)(void *)(pool->v + pool->len),
		   *full = (df_sh_word *)(void *)(pool->v + pool->cap);
	size_t limit = p->len, pos = p->pos, at = pos, n = 0;
	for (;; n++) {
		/* skip_gap() folded into plain_end_in()'s first test: the one
		 * space before most words is stepped over without a branch,
		 * and a byte that is no blank ends the look at the gap. */
		at = pos + (s[pos] == ' ');
		if (not_plain[s[at]] && (s[at] == ' ' || s[at] == '\t'))
			at = skip_blanks(s, at);
		size_t e = plain_end_in(s, at, limit);
		if (!e || digits_before_redir(s, at, e))
			break;
		if (w == full) {
			/* The words taken so far move with the others. */
			pool->len = (size_t)((unsigned char *)w - pool->v);
			words_grow(p->arena, pool);
			w = (df_sh_word *)(void *)(pool->v + pool->len);
			full = (df_sh_word *)(void *)(pool->v + pool->cap);
		}
		set_plain(w++, text, vtext, at, e);
		pos = at = e;
	}
	/* Only blanks lie between pos and at: lex() would skip them again. */
	p->pos = at;
	pool->len = (size_t)((unsigned char *)w - pool->v);
	if (n)
		*end = (uint32_t)pos;
	/* A slot for the next token's word, which lex() takes only when it
	 * needs no call. */
	if (w == full)
		words_grow(p->arena, pool);
	return n;
}

/* simple_command -> (assignment | redirect)* (word | redirect)* */
static df_sh_cmd *parse_simple(struct parser *p)
{
	/* Only the fields parse_redir() uses: see finish_simple(). */
	df_sh_cmd c;
	c.redirs = NULL;
	c.nredirs = 0;
	const struct token *t0 = peek(p);
	c.start = c.end = t0->start;
	size_t base = p->words.len - p->words.kept, nassigns = 0, nwords = 0,
	       slot = take_simple_slot(p, t0);
	bool funcdef = false;	/* the words so far are NAME, and ( follows */
	for (;;) {
		const struct token *t = peek(p);
		if (t->kind != TK_WORD) {
			if (!starts_redir(t) || !parse_redir(p, &c))
				break;
			continue;
		}
		int rw = t->rw;
		c.end = t->end;
		/* The token's word is in the slot above the top: take it. */
		df_sh_word *w = t->word;
		p->words.len += sizeof(df_sh_word);
		next(p);
		if (nwords == 0 && starts_assignment(p, w->start, w->end)) {
			nassigns++;
			continue;
		}
		nwords++;
		bool may_name_function = false;
		if (nwords == 1 && !p->dbracket) {
			if (rw == RW_DLBRACKET)
				p->dbracket = true;
			else
				may_name_function = nassigns == 0 && c.nredirs == 0;
		} else if (p->dbracket && rw == RW_DRBRACKET) {
			p->dbracket = false;
		}
		/* NAME ( ) starts a function definition: a plain word next
		 * rules it out. */
		if (!take_plain_args(p, &c.end) && may_name_function && tok_is_op(peek(p), OP_LPAREN)) {
			funcdef = true;
			break;
		}
	}
	df_sh_cmd *f = finish_simple(p, &c, base, nassigns, slot);
	if (funcdef) {
		drop_simple_slot(p, slot);
		return parse_funcdef(p, f);
	}
	if (p->dbracket) {
		p->dbracket = false;
		set_error(p, f->start, "unmatched '[['");
	}
	return f;
}

/* subshell -> '(' compound_list ')' */
static df_sh_cmd *parse_subshell(struct parser *p)
{
	uint32_t open = peek(p)->start;
	next(p);
	df_sh_cmd *c = new_cmd(p, DF_SH_SUBSHELL, open);
	push_body(p, c, parse_list(p));
	const struct token *t = peek(p);
	if (tok_is_op(t, OP_RPAREN)) {
		c->end = t->end;
		next(p);
	} else if (t->kind == TK_EOF) {
		set_error(p, open, "unmatched '('");
	} else {
		char what[48];
		describe(t, what, sizeof(what));
		set_error(p, t->start, "expected ')' before %s", what);
	}
	return c;
}

/* brace_group -> '{' compound_list '}' */
static df_sh_cmd *parse_group(struct parser *p)
{
	uint32_t open = peek(p)->start;
	next(p);
	df_sh_cmd *c = new_cmd(p, DF_SH_GROUP, open);
	push_body(p, c, parse_list(p));
	expect_word(p, c, RW_RBRACE, open, "{");
	return c;
}

/* if_clause -> if list then list (elif list then list)* [else list] fi */
static df_sh_cmd *parse_if(struct parser *p)
{
	uint32_t kw = peek(p)->start;
	next(p);
	df_sh_cmd *c = new_cmd(p, DF_SH_IF, kw);
	push_body(p, c, parse_list(p));
	if (!expect_word(p, c, RW_THEN, kw, "if"))
		return c;
	push_body(p, c, parse_list(p));
	for (;;) {
		const struct token *t = peek(p);
		if (tok_is_word(t, RW_ELIF)) {
			next(p);
			push_body(p, c, parse_list(p));
			if (!expect_word(p, c, RW_THEN, kw, "if"))
				return c;
			push_body(p, c, parse_list(p));
			continue;
		}
		if (tok_is_word(t, RW_ELSE)) {
			next(p);
			push_body(p, c, parse_list(p));
		}
		expect_word(p, c, RW_FI, kw, "if");
		return c;
	}
}

/* while_clause -> while list do list done (until alike) */
static df_sh_cmd *parse_loop(struct parser *p, df_sh_cmd_kind kind)
{
	uint32_t kw = peek(p)->start;
	next(p);
	const char *name = kind == DF_SH_WHILE ? "while" : "until";
	df_sh_cmd *c = new_cmd(p, kind, kw);
	push_body(p, c, parse_list(p));
	if (!expect_word(p, c, RW_DO, kw, name))
		return c;
	push_body(p, c, parse_list(p));
	expect_word(p, c, RW_DONE, kw, name);
	return c;
}

/* keyword NAME: the command of kind, with NAME as its first header word. On
 * a missing name the error is set and the command has no header. */
static df_sh_cmd *start_named(struct parser *p, df_sh_cmd_kind kind, const char *missing)
{
	uint32_t kw = peek(p)->start;
	next(p);
	df_sh_cmd *c = new_cmd(p, kind, kw);
	const struct token *t = peek(p);
	if (t->kind != TK_WORD) {
		set_error(p, t->kind == TK_EOF ? kw : t->start, "%s", missing);
		return c;
	}
	push_word(p->arena, &c->header, &c->nheader, t->word);
	c->end = t->end;
	next(p);
	return c;
}

/* for_clause -> for NAME linebreak [in word* (';' | newline)] linebreak do list done */
static df_sh_cmd *parse_for(struct parser *p)
{
	uint32_t kw = peek(p)->start;
	df_sh_cmd *c = start_named(p, DF_SH_FOR, "expected a variable name after 'for'");
	if (!c->nheader)
		return c;
	const struct token *t;
	skip_newlines(p);
	t = peek(p);
	if (tok_is_word(t, RW_IN)) {
		next(p);
		c->has_in = true;
		while ((t = peek(p))->kind == TK_WORD) {
			push_word(p->arena, &c->header, &c->nheader, t->word);
			next(p);
		}
		if (tok_is_op(t, OP_SEMI) || t->kind == TK_NEWLINE)
			next(p);
	} else if (tok_is_op(t, OP_SEMI)) {
		next(p);
	}
	skip_newlines(p);
	if (!expect_word(p, c, RW_DO, kw, "for"))
		return c;
	push_body(p, c, parse_list(p));
	expect_word(p, c, RW_DONE, kw, "for");
	return c;
}

/* case_clause -> case word linebreak in linebreak case_item* esac
 * case_item   -> ['('] word ('|' word)* ')' list [';;' | ';&' | ';;&'] linebreak */
static df_sh_cmd *parse_case(struct parser *p)
{
	uint32_t kw = peek(p)->start;
	next(p);
	df_sh_cmd *c = new_cmd(p, DF_SH_CASE, kw);
	const struct token *t = peek(p);
	if (t->kind != TK_WORD) {
		set_error(p, t->kind == TK_EOF ? kw : t->start,
			  "expected a word after 'case'");
		return c;
	}
	push_word(p->arena, &c->header, &c->nheader, t->word);
	next(p);
	skip_newlines(p);
	if (!expect_word(p, c, RW_IN, kw, "case"))
		return c;
	for (;;) {
		skip_newlines(p);
		t = peek(p);
		if (tok_is_word(t, RW_ESAC)) {
			c->end = t->end;
			next(p);
			return c;
		}
		if (t->kind == TK_EOF) {
			set_error(p, kw, "unmatched 'case'");
			return c;
		}
		if (tok_is_op(t, OP_LPAREN))
			next(p);
		df_sh_case_item item;
		memset(&item, 0, sizeof(item));
		for (;;) {
			t = peek(p);
			if (t->kind != TK_WORD) {
				if (t->kind == TK_EOF) {
					set_error(p, kw, "unmatched 'case'");
				} else {
					char what[48];
					describe(t, what, sizeof(what));
					set_error(p, t->start, "expected a pattern before %s", what);
				}
				return c;
			}
			push_word(p->arena, &item.patterns, &item.npatterns, t->word);
			next(p);
			if (!tok_is_op(peek(p), OP_PIPE))
				break;
			next(p);
		}
		t = peek(p);
		if (!tok_is_op(t, OP_RPAREN)) {
			if (t->kind == TK_EOF) {
				set_error(p, kw, "unmatched 'case'");
			} else {
				char what[48];
				describe(t, what, sizeof(what));
				set_error(p, t->start, "expected ')' before %s", what);
			}
			return c;
		}
		next(p);
		push_body(p, c, parse_list(p));
		t = peek(p);
		if (tok_is_op(t, OP_DSEMI) || tok_is_op(t, OP_SEMI_AND) || tok_is_op(t, OP_DSEMI_AND)) {
			item.term = op_text[t->op];
			next(p);
		}
		c->case_items = grow_for_push(p->arena, c->case_items, c->ncase_items,
					      sizeof(*c->case_items));
		c->case_items[c->ncase_items++] = item;
		if (!item.term) {
			expect_word(p, c, RW_ESAC, kw, "case");
			return c;
		}
	}
}

/* function_definition -> function NAME ['(' ')'] linebreak function_body (bash) */
static df_sh_cmd *parse_function_kw(struct parser *p)
{
	df_sh_cmd *c = start_named(p, DF_SH_FUNCTION, "expected a function name after 'function'");
	if (!c->nheader)
		return c;
	const struct token *t;
	if (tok_is_op(peek(p), OP_LPAREN)) {
		next(p);
		t = peek(p);
		if (!tok_is_op(t, OP_RPAREN)) {
			char what[48];
			describe(t, what, sizeof(what));
			set_error(p, t->start, "expected ')' before %s", what);
			return c;
		}
		next(p);
	}
	parse_function_body(p, c);
	return c;
}

/* compound_command redirect*, with the nesting depth checked on the way in. */
static df_sh_cmd *parse_compound(struct parser *p)
{
	const struct token *t = peek(p);
	df_sh_cmd *c;
	if (!enter(p, t->start))
		return NULL;
	if (tok_is_op(t, OP_LPAREN)) {
		c = parse_subshell(p);
	} else {
		switch (t->rw) {
		case RW_LBRACE:
			c = parse_group(p);
			break;
		case RW_IF:
			c = parse_if(p);
			break;
		case RW_FOR:
			c = parse_for(p);
			break;
		case RW_WHILE:
			c = parse_loop(p, DF_SH_WHILE);
			break;
		case RW_UNTIL:
			c = parse_loop(p, DF_SH_UNTIL);
			break;
		case RW_CASE:
			c = parse_case(p);
			break;
		default:
			c = parse_function_kw(p);
			break;
		}
	}
	leave(p);
	if (c->kind != DF_SH_FUNCTION)
		parse_redirs(p, c);
	return c;
}

/* Tokens that close a list: they cannot start a command. */
static bool ends_list(const struct token *t)
{
	if (t->kind == TK_EOF)
		return true;
	if (t->kind == TK_OP)
		return t->op == OP_RPAREN || t->op == OP_DSEMI || t->op == OP_SEMI_AND ||
		       t->op == OP_DSEMI_AND;
	return rw_ends_list[t->rw];
}

/* command -> compound_command redirect* | function_definition | simple_command */
static df_sh_cmd *parse_command(struct parser *p)
{
	const struct token *t = peek(p);
	if (tok_is_op(t, OP_LPAREN) || rw_compound[t->rw] || t->rw == RW_FUNCTION)
		return parse_compound(p);
	if ((t->kind == TK_WORD && !ends_list(t)) || starts_redir(t))
		return parse_simple(p);
	unexpected(p, t);
	return NULL;
}

/*
 * A list is allocated once it is parsed, in one block with everything in
 * it down to its commands (which have their own nodes): while it is parsed,
 * its and-or lists, pipelines, operators and command pointers wait on the
 * parser's stacks as records whose array pointers are set at the end. The
 * lists nested in its commands push above them and pop back first.
 */

/* A pipeline waiting on p->pipes, with the operator that joins it to the
 * one before it in its and-or list (DF_SH_OP_NONE for the first). */
struct pipe_rec {
	df_sh_pipeline pl;
	df_sh_andor_op op;
};

/* pipeline -> ['!'] command (('|' | '|&') linebreak command)*
 * Pushes its commands on p->cmds and then its record, joined by op, on
 * p->pipes; false (and nothing pushed) when it has no command. */
static bool parse_pipeline(struct parser *p, df_sh_andor_op op)
{
	size_t ncmds = 0;
	bool bang = false;
	const struct token *t = peek(p);
	uint32_t start = t->start, end = t->start;
	while (tok_is_word(t, RW_BANG)) {
		uint32_t bang_off = t->start;
		next(p);
		bang = !bang;
		t = peek(p);
		if (t->kind == TK_EOF) {
			set_error(p, bang_off, "missing command after '!'");
			return false;
		}
	}
	for (;;) {
		df_sh_cmd *c = parse_command(p);
		if (!c)
			break;
		*(df_sh_cmd **)stack_push(&p->cmds, sizeof(c)) = c;
		ncmds++;
		end = c->end;
		t = peek(p);
		if (!(tok_is_op(t, OP_PIPE) || tok_is_op(t, OP_PIPE_AMP)))
			break;
		int pipe_op = t->op;
		uint32_t op_start = t->start;
		next(p);
		skip_newlines(p);
		if (peek(p)->kind == TK_EOF) {
			set_error(p, op_start, "missing command after '%s'", op_text[pipe_op]);
			break;
		}
	}
	if (!ncmds)
		return false;
	struct pipe_rec *r = stack_push(&p->pipes, sizeof(*r));
	r->pl.cmds = NULL;
	r->pl.ncmds = ncmds;
	r->pl.bang = bang;
	r->pl.start = start;
	r->pl.end = end;
	r->op = op;
	return true;
}

/* The pipeline parse_pipeline() pushed last. */
static const df_sh_pipeline *top_pipeline(const struct parser *p)
{
	return &((const struct pipe_rec *)(const void *)(p->pipes.v + p->pipes.len) - 1)->pl;
}

/* and_or -> pipeline (('&&' | '||') linebreak pipeline)*
 * Pushes its pipelines and then its record on p->items; false (and
 * nothing pushed) without a pipeline. */
static bool parse_andor(struct parser *p)
{
	if (!parse_pipeline(p, DF_SH_OP_NONE))
		return false;
	size_t npipes = 0;
	uint32_t start = top_pipeline(p)->start, end;
	for (;;) {
		npipes++;
		end = top_pipeline(p)->end;
		const struct token *t = peek(p);
		if (!(tok_is_op(t, OP_AND_IF) || tok_is_op(t, OP_OR_IF)))
			break;
		int optok = t->op;
		uint32_t op_start = t->start;
		next(p);
		skip_newlines(p);
		if (peek(p)->kind == TK_EOF) {
			set_error(p, op_start, "missing command after '%s'", op_text[optok]);
			break;
		}
		if (!parse_pipeline(p, optok == OP_AND_IF ? DF_SH_OP_AND : DF_SH_OP_OR))
			break;
	}
	df_sh_andor *a = stack_push(&p->items, sizeof(*a));
	a->pipes = NULL;
	a->ops = NULL;
	a->npipes = npipes;
	a->background = false;
	a->start = start;
	a->end = end;
	return true;
}

/* list -> linebreak (and_or (';' | '&' | newline) linebreak)* [and_or] */
static df_sh_list *parse_list(struct parser *p)
{
	size_t ibase = p->items.len, pbase = p->pipes.len, cbase = p->cmds.len;
	size_t nitems = 0;
	for (;;) {
		skip_newlines(p);
		if (ends_list(peek(p)))
			break;
		if (!parse_andor(p))
			break;
		nitems++;
		const struct token *t = peek(p);
		if (tok_is_op(t, OP_SEMI)) {
			next(p);
		} else if (tok_is_op(t, OP_AMP)) {
			((df_sh_andor *)(void *)(p->items.v + p->items.len) - 1)->background = true;
			next(p);
		} else if (t->kind != TK_NEWLINE) {
			break;
		}
	}
	size_t npipes = (p->pipes.len - pbase) / sizeof(struct pipe_rec);
	size_t ncmds = (p->cmds.len - cbase) / sizeof(df_sh_cmd *);
	/* The list, its item pointers, the and-or lists, their pipeline
	 * pointers, the pipelines, their command pointers, the operators. */
	size_t size = sizeof(df_sh_list) +
		      nitems * (sizeof(df_sh_andor *) + sizeof(df_sh_andor)) +
		      npipes * (sizeof(df_sh_pipeline *) + sizeof(df_sh_pipeline) +
				sizeof(df_sh_andor_op)) +
		      ncmds * sizeof(df_sh_cmd *);
	df_sh_list *l = df_arena_alloc_uninit(p->arena, size);
	df_sh_andor **items = (df_sh_andor **)(void *)(l + 1);
	df_sh_andor *ands = (df_sh_andor *)(void *)(items + nitems);
	df_sh_pipeline **pipes = (df_sh_pipeline **)(void *)(ands + nitems);
	df_sh_pipeline *pls = (df_sh_pipeline *)(void *)(pipes + npipes);
	df_sh_cmd **cmds = (df_sh_cmd **)(void *)(pls + npipes);
	df_sh_andor_op *ops = (df_sh_andor_op *)(void *)(cmds + ncmds);
	const df_sh_andor *ia = (const df_sh_andor *)(const void *)(p->items.v + ibase);
	const struct pipe_rec *ip = (const struct pipe_rec *)(const void *)(p->pipes.v + pbase);
	const df_sh_cmd *const *ic = (const df_sh_cmd *const *)(const void *)(p->cmds.v + cbase);
	/* The records are in source order: a pipeline's commands are the
	 * next run of cmds, an and-or list's pipelines and operators the
	 * next run of pipes and ops. */
	for (size_t c = 0; c < ncmds; c++)
		cmds[c] = (df_sh_cmd *)ic[c];
	for (size_t k = 0, c = 0; k < npipes; k++) {
		pls[k] = ip[k].pl;
		pls[k].cmds = cmds + c;
		c += ip[k].pl.ncmds;
		pipes[k] = &pls[k];
		ops[k] = ip[k].op;
	}
	for (size_t i = 0, k = 0; i < nitems; i++) {
		ands[i] = ia[i];
		ands[i].pipes = pipes + k;
		ands[i].ops = ops + k;
		k += ia[i].npipes;
		items[i] = &ands[i];
	}
	p->items.len = ibase;
	p->pipes.len = pbase;
	p->cmds.len = cbase;
	l->items = nitems ? items : NULL;
	l->nitems = nitems;
	return l;
}

df_sh_script *df_sh_parse(df_arena *arena, const char *text, size_t len)
{
	struct parser p;
	/* The stacks' first storage: most scripts never need more. */
	char val0[512];
	df_sh_cmd *cmds0[16];
	struct pipe_rec pipes0[16];
	df_sh_andor items0[16];

	/* Every field is set here: the token is lexed before it is read. */
	p.arena = arena;
	p.text = text ? text : "";
	p.full_len = p.len = text ? len : 0;
	p.pos = 0;
	p.depth = 0;
	p.error = NULL;
	p.error_off = 0;
	p.in_copy = false;
	p.copy_off = 0;
	p.dbracket = false;
	p.have_tok = false;
	p.pending = NULL;
	p.npending = p.cap_pending = 0;
	stack_init(&p.val, val0, sizeof(val0));
	stack_init(&p.cmds, cmds0, sizeof(cmds0));
	stack_init(&p.pipes, pipes0, sizeof(pipes0));
	stack_init(&p.items, items0, sizeof(items0));
	p.simple = NULL;
	p.nsimple = p.tok_simple = 0;

	if (p.len >= UINT32_MAX) {
		/* Offsets are 32-bit; no Dockerfile comes near this. */
		set_error(&p, 0, "input too large");
		p.len = 0;
	}
	/* The word pool's first storage, room for the words of most scripts:
	 * a text of len bytes holds at most len / 2 + 1 of them, and the
	 * lexer wants a slot above. In one block with the script node and
	 * vtext. */
	size_t pool = min_size(p.len / 2 + 2, WORDS_FIRST) * sizeof(df_sh_word);
	df_sh_script *s = init_script(&p, df_arena_alloc_uninit(arena, sizeof(*s) + pool + p.len + 1));
	p.words.v = (unsigned char *)(s + 1);
	p.words.len = p.words.kept = 0;
	p.words.cap = pool;
	p.vtext = (char *)p.words.v + pool;
	if (p.len)
		memcpy(p.vtext, p.text, p.len);
	p.vtext[p.len] = '\0';
	/* Short texts (most) are scanned from the frame. */
	char stext0[1024];
	p.stext = p.len + STEXT_PAD <= sizeof(stext0) ? stext0 : df_xmalloc(p.len + STEXT_PAD);
	memcpy(p.stext, p.text, p.len);
	p.stext[p.len] = STOP;
	memset(p.stext + p.len + 1, 0, STEXT_PAD - 1);
	s->list = parse_list(&p);
	const struct token *t = peek(&p);
	if (t->kind != TK_EOF)
		unexpected(&p, t);
	s->error = p.error;
	s->error_off = p.error_off;
	if (!p.error) {
		/* An error may leave a lexed word, and the commands of its
		 * $(...), out of the tree: no list then. */
		static const df_sh_cmd *const none[1];
		s->simple = p.nsimple ? p.simple : none;
		s->nsimple = p.nsimple;
	}
	stack_release(&p.val);
	stack_release(&p.cmds);
	stack_release(&p.pipes);
	stack_release(&p.items);
	if (p.stext != stext0)
		free(p.stext);
	return s;
}

/* ------------------------------------------------------------------------ */
/* Walking */

struct walker {
	df_sh_visit_fn fn;
	void *ud;
};

static int walk_list(const df_sh_list *l, int depth, bool in_sub, struct walker *w);

static int walk_word(const df_sh_word *wd, int depth, struct walker *w)
{
	for (size_t i = 0; i < wd->nsubs; i++) {
		int r = walk_list(wd->subs[i]->list, depth + 1, true, w);
		if (r)
			return r;
	}
	return 0;
}

static int walk_words(const df_sh_word *ws, size_t n, int depth, struct walker *w)
{
	for (size_t i = 0; i < n; i++) {
		int r = walk_word(&ws[i], depth, w);
		if (r)
			return r;
	}
	return 0;
}

/* The substitutions in a simple command's assignments, words and
 * redirections, merged by offset so they come in source order. */
static int walk_simple_subs(const df_sh_cmd *c, int depth, struct walker *w)
{
	/* Most commands hold no substitution: look for one before merging. */
	bool any = false;
	for (size_t i = 0; i < c->nwords && !any; i++)
		any = c->words[i].nsubs != 0;
	for (size_t i = 0; i < c->nassigns && !any; i++)
		any = c->assigns[i].nsubs != 0;
	for (size_t i = 0; i < c->nredirs && !any; i++)
		any = c->redirs[i].target.nsubs != 0;
	if (!any)
		return 0;
	size_t ia = 0, iw = 0, ir = 0;
	while (ia < c->nassigns || iw < c->nwords || ir < c->nredirs) {
		uint32_t sa = ia < c->nassigns ? c->assigns[ia].start : UINT32_MAX;
		uint32_t sw = iw < c->nwords ? c->words[iw].start : UINT32_MAX;
		uint32_t sr = ir < c->nredirs ? c->redirs[ir].target.start : UINT32_MAX;
		const df_sh_word *wd;
		if (ia < c->nassigns && sa <= sw && sa <= sr)
			wd = &c->assigns[ia++];
		else if (iw < c->nwords && sw <= sr)
			wd = &c->words[iw++];
		else
			wd = &c->redirs[ir++].target;
		int r = walk_word(wd, depth, w);
		if (r)
			return r;
	}
	return 0;
}

static int walk_cmd(const df_sh_cmd *c, const df_sh_ctx *ctx, struct walker *w)
{
	int r;
	if (c->kind == DF_SH_SIMPLE) {
		r = w->fn(c, ctx, w->ud);
		return r ? r : walk_simple_subs(c, ctx->depth, w);
	}
	int depth = ctx->depth + 1;
	r = walk_words(c->header, c->nheader, ctx->depth, w);
	for (size_t i = 0; !r && i < c->nbodies; i++) {
		if (c->kind == DF_SH_CASE && i < c->ncase_items)
			r = walk_words(c->case_items[i].patterns, c->case_items[i].npatterns,
				       ctx->depth, w);
		if (!r)
			r = walk_list(c->bodies[i], depth, ctx->in_substitution, w);
	}
	for (size_t i = 0; !r && i < c->nredirs; i++)
		r = walk_word(&c->redirs[i].target, ctx->depth, w);
	return r;
}

static int walk_list(const df_sh_list *l, int depth, bool in_sub, struct walker *w)
{
	for (size_t i = 0; l && i < l->nitems; i++) {
		const df_sh_andor *a = l->items[i];
		for (size_t j = 0; j < a->npipes; j++) {
			const df_sh_pipeline *pl = a->pipes[j];
			for (size_t k = 0; k < pl->ncmds; k++) {
				df_sh_ctx ctx = { a, pl, k, depth, in_sub };
				int r = walk_cmd(pl->cmds[k], &ctx, w);
				if (r)
					return r;
			}
		}
	}
	return 0;
}

int df_sh_walk(const df_sh_script *s, df_sh_visit_fn fn, void *ud)
{
	struct walker w = { fn, ud };
	if (!s || !fn)
		return 0;
	return walk_list(s->list, 0, false, &w);
}

static int count_one(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	(void)cmd;
	(void)ctx;
	(*(size_t *)ud)++;
	return 0;
}

size_t df_sh_count_commands(const df_sh_script *s)
{
	if (s && s->simple)
		return s->nsimple;
	size_t n = 0;
	df_sh_walk(s, count_one, &n);
	return n;
}

/* ------------------------------------------------------------------------ */
/* Queries */

/* Inline so that the length of a literal folds away; the first byte
 * rejects most words before strlen() of a name given by a caller. Names
 * from the tables below are compared with lit_eq(). */
static inline bool str_is(df_str s, const char *lit)
{
	if (s.len ? s.ptr[0] != lit[0] : lit[0] != '\0')
		return false;
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* What follows the last '/' of s (all of s when it has none). */
static df_str last_component(df_str s)
{
	size_t i = s.len;
	while (i > 0 && s.ptr[i - 1] != '/')
		i--;
	return (df_str){ s.ptr + i, s.len - i };
}

bool df_sh_word_is(const df_sh_word *w, const char *name)
{
	if (!w || !name)
		return false;
	return str_is(w->value, name) || str_is(last_component(w->value), name);
}

bool df_sh_cmd_is(const df_sh_cmd *c, const char *name)
{
	return c && c->kind == DF_SH_SIMPLE && c->nwords > 0 && df_sh_word_is(&c->words[0], name);
}

/* A command that runs the command named by its arguments. */
struct wrapper {
	const char *name;
	size_t len;			/* of name */
	const char *const *value_opts;	/* options taking the next word */
	const char *const *query_opts;	/* options that run no command */
	bool assigns;			/* NAME=value words may follow (env) */
	unsigned skip_args;		/* operands before the command (timeout) */
};

static const char *const sudo_values[] = {
	"-u", "-g", "-h", "-p", "-C", "-r", "-t", "-U", "-D", "-R", "-T", "--user", "--group",
	"--host", "--prompt", "--close-from", "--role", "--type", "--other-user", "--chdir",
	"--chroot", "--command-timeout", NULL,
};
static const char *const sudo_queries[] = {
	"-l", "-v", "-e", "-V", "-K", "--list", "--validate", "--edit", "--version",
	"--remove-timestamp", NULL,
};
static const char *const doas_values[] = { "-u", "-C", NULL };
static const char *const env_values[] = { "-u", "-C", "-S", "--unset", "--chdir",
					  "--split-string", NULL };
static const char *const command_queries[] = { "-v", "-V", NULL };
static const char *const exec_values[] = { "-a", NULL };
static const char *const nice_values[] = { "-n", "--adjustment", NULL };
static const char *const time_values[] = { "-f", "-o", "--format", "--output", NULL };
static const char *const timeout_values[] = { "-s", "-k", "--signal", "--kill-after", NULL };
static const char *const stdbuf_values[] = { "-i", "-o", "-e", "--input", "--output",
					     "--error", NULL };

/* A new wrapper needs its bit in wrappers_ending[] too. */
static const struct wrapper wrappers[] = {
	{ "sudo", 4, sudo_values, sudo_queries, false, 0 },
	{ "doas", 4, doas_values, NULL, false, 0 },
	{ "env", 3, env_values, NULL, true, 0 },
	{ "command", 7, NULL, command_queries, false, 0 },
	{ "exec", 4, exec_values, NULL, false, 0 },
	{ "nice", 4, nice_values, NULL, false, 0 },
	{ "nohup", 5, NULL, NULL, false, 0 },
	{ "time", 4, time_values, NULL, false, 0 },
	{ "timeout", 7, timeout_values, NULL, false, 1 },
	{ "stdbuf", 6, stdbuf_values, NULL, false, 0 },
};

/* Whether s[0..n) spells the NUL-terminated lit (s may hold NULs). Byte by
 * byte, so a mismatch, usually at the first or second byte, costs no call. */
static inline bool lit_eq(const char *s, size_t n, const char *lit)
{
	for (size_t i = 0; i < n; i++)
		if (lit[i] != s[i] || lit[i] == '\0')
			return false;
	return lit[n] == '\0';
}

static bool in_list(df_str s, const char *const *list)
{
	if (!list)
		return false;
	/* Options all start with '-', long ones with "--": up to their first
	 * three bytes, read once, reject nearly every entry before a byte
	 * loop. When none of them is NUL, an entry's byte is read only when
	 * the one before it matched, and so is within the entry. */
	const char *v = s.ptr;
	if (s.len == 2 && v[0] != '\0' && v[1] != '\0') {
		for (; *list; list++) {
			const char *lit = *list;
			if (lit[0] == v[0] && lit[1] == v[1] && lit[2] == '\0')
				return true;
		}
		return false;
	}
	if (s.len >= 3 && v[0] != '\0' && v[1] != '\0' && v[2] != '\0') {
		for (; *list; list++) {
			const char *lit = *list;
			if (lit[0] == v[0] && lit[1] == v[1] && lit[2] == v[2] &&
			    lit_eq(v + 3, s.len - 3, lit + 3))
				return true;
		}
		return false;
	}
	for (; *list; list++)
		if (lit_eq(v, s.len, *list))
			return true;
	return false;
}

/* The wrappers (bit k for wrappers[k]) whose name ends in a byte: most
 * command names end in none of them, or in one that names one or two, and
 * wrapper_of() compares only those. Keep in step with wrappers[]. */
static const unsigned short wrappers_ending[256] = {
	['o'] = 1 << 0,			/* sudo */
	['s'] = 1 << 1,			/* doas */
	['v'] = 1 << 2,			/* env */
	['d'] = 1 << 3,			/* command */
	['c'] = 1 << 4,			/* exec */
	['e'] = 1 << 5 | 1 << 7,	/* nice, time */
	['p'] = 1 << 6,			/* nohup */
	['t'] = 1 << 8,			/* timeout */
	['f'] = 1 << 9,			/* stdbuf */
};

/*
 * The wrapper that the command word v names, itself or as the last
 * component of a path (as df_sh_word_is() compares), or NULL. It runs for
 * every command: told by the last byte for most, with no scan for a '/'.
 */
static inline const struct wrapper *wrapper_of(df_str v)
{
	if (v.len == 0)
		return NULL;
	for (unsigned k = wrappers_ending[(unsigned char)v.ptr[v.len - 1]]; k; k &= k - 1) {
		const struct wrapper *wr = &wrappers[__builtin_ctz(k)];
		size_t n = wr->len;
		if (v.len < n || (v.len > n && v.ptr[v.len - n - 1] != '/'))
			continue;
		if (lit_eq(v.ptr + v.len - n, n, wr->name))
			return wr;
	}
	return NULL;
}

df_sh_cmd *df_sh_argv_cmd(df_arena *a, const df_word *args, size_t n)
{
	df_sh_cmd *cmd = DF_ARENA_NEW(a, df_sh_cmd);
	df_sh_word *words = DF_ARENA_ARRAY(a, df_sh_word, n);
	for (size_t i = 0; i < n; i++) {
		words[i].raw = args[i].raw;
		/* A JSON element without escapes points into the text. */
		words[i].value.ptr = df_arena_memdup(a, args[i].value.ptr, args[i].value.len);
		words[i].value.len = args[i].value.len;
	}
	cmd->kind = DF_SH_SIMPLE;
	cmd->words = words;
	cmd->nwords = n;
	return cmd;
}

/* df_sh_cmd_name_index() once words[0] of c is known to be the wrapper wr:
 * out of line, so that the common case, no wrapper, costs no more than
 * wrapper_of(). */
static size_t skip_wrappers(const df_sh_cmd *c, const struct wrapper *wr)
	__attribute__((noinline));

static size_t skip_wrappers(const df_sh_cmd *c, const struct wrapper *wr)
{
	size_t i = 0;
	for (;;) {
		size_t j = i + 1;
		while (j < c->nwords) {
			df_str v = c->words[j].value;
			if (str_is(v, "--")) {
				j++;
				break;
			}
			if (v.len == 0 || v.ptr[0] != '-')
				break;
			if (in_list(v, wr->query_opts))
				return i;
			j += in_list(v, wr->value_opts) ? 2 : 1;
		}
		while (wr->assigns && j < c->nwords &&
		       assign_prefix(c->words[j].value.ptr, c->words[j].value.len))
			j++;
		j += wr->skip_args;
		if (j >= c->nwords)
			return i;
		i = j;
		wr = wrapper_of(c->words[i].value);
		if (!wr)
			return i;
	}
}

size_t df_sh_cmd_name_index(const df_sh_cmd *c)
{
	if (!c || c->kind != DF_SH_SIMPLE || c->nwords == 0)
		return 0;
	const struct wrapper *wr = wrapper_of(c->words[0].value);
	return wr ? skip_wrappers(c, wr) : 0;
}

static bool is_cluster(df_str v)
{
	if (v.len < 2 || v.ptr[0] != '-' || v.ptr[1] == '-')
		return false;
	for (size_t i = 1; i < v.len; i++)
		if (!df_is_alnum((unsigned char)v.ptr[i]))
			return false;
	return true;
}

bool df_sh_has_flag(const df_sh_cmd *c, size_t from, const char *flag)
{
	size_t flen = flag ? strlen(flag) : 0;
	if (!c || flen < 2 || flag[0] != '-' || from >= c->nwords)
		return false;
	bool one_letter = flen == 2 && flag[1] != '-';
	for (const df_sh_word *w = c->words + from + 1, *end = c->words + c->nwords; w < end; w++) {
		df_str v = w->value;
		if (v.len < 2 || v.ptr[0] != '-')
			continue;
		if (v.len == 2 && v.ptr[1] == '-')
			break;	/* "--" */
		/* Both start with '-': the second byte rejects most words before
		 * a call. */
		if (v.len == flen && v.ptr[1] == flag[1] && memcmp(v.ptr + 2, flag + 2, flen - 2) == 0)
			return true;
		if (one_letter) {
			/* -oValue carries its option first; -qy is a cluster of them. */
			if (v.ptr[1] == flag[1] || (is_cluster(v) && memchr(v.ptr + 1, flag[1], v.len - 1)))
				return true;
		} else if (v.len > flen && memcmp(v.ptr, flag, flen) == 0 && v.ptr[flen] == '=') {
			return true;
		}
	}
	return false;
}

size_t df_sh_positionals(const df_sh_cmd *c, size_t from, const char *const *value_opts,
			 const df_sh_word **out, size_t max)
{
	return df_sh_positionals_noted(c, from, value_opts, out, max, NULL);
}

size_t df_sh_positionals_noted(const df_sh_cmd *c, size_t from, const char *const *value_opts,
			       const df_sh_word **out, size_t max, df_sh_opt_note *note)
{
	size_t n = 0;
	if (note) {
		note->n = note->listed = 0;
		note->full = false;
	}
	if (!c || from >= c->nwords)
		return 0;
	/* With no out, max does not apply: every positional is counted. */
	if (!out)
		max = SIZE_MAX;
	size_t i = from + 1;
	for (; i < c->nwords; i++) {
		df_str v = c->words[i].value;
		if (v.len > 1 && v.ptr[0] == '-') {
			if (v.len == 2 && v.ptr[1] == '-') {
				i++;	/* "--": the rest are positional */
				break;
			}
			bool listed = in_list(v, value_opts);
			if (note) {
				if (note->n < DF_ARRAY_LEN(note->at)) {
					note->listed |= (uint8_t)(listed << note->n);
					note->at[note->n++] = (uint32_t)i;
				} else {
					note->full = true;
				}
			}
			if (listed)
				i++;
			continue;
		}
		if (n == max)
			return n;
		if (out)
			out[n] = &c->words[i];
		n++;
	}
	for (; i < c->nwords && n < max; i++) {
		if (out)
			out[n] = &c->words[i];
		n++;
	}
	return n;
}

bool df_sh_positionals_same(const df_sh_cmd *c, const df_sh_opt_note *note, const char *const *value_opts)
{
	if (note->full)
		return false;
	for (size_t k = 0; k < note->n; k++)
		if (in_list(c->words[note->at[k]].value, value_opts) != (bool)(note->listed >> k & 1))
			return false;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Dump */

static void dump_str(df_buf *out, const char *s, size_t n)
{
	df_buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			df_buf_addc(out, '\\');
			df_buf_addc(out, (char)c);
		} else if (c == '\n') {
			df_buf_adds(out, "\\n");
		} else if (c == '\t') {
			df_buf_adds(out, "\\t");
		} else if (c == '\r') {
			df_buf_adds(out, "\\r");
		} else if (c < 0x20 || c > 0x7e) {
			df_buf_addf(out, "\\x%02x", c);
		} else {
			df_buf_addc(out, (char)c);
		}
	}
	df_buf_addc(out, '"');
}

static void dump_list(const df_sh_list *l, df_buf *out);

static void dump_word(const df_sh_word *w, df_buf *out)
{
	if (!w->nsubs) {
		dump_str(out, w->value.ptr, w->value.len);
		return;
	}
	df_buf_adds(out, "(w ");
	dump_str(out, w->value.ptr, w->value.len);
	for (size_t i = 0; i < w->nsubs; i++) {
		df_buf_addc(out, ' ');
		dump_list(w->subs[i]->list, out);
	}
	df_buf_addc(out, ')');
}

static void dump_redirs(const df_sh_cmd *c, df_buf *out)
{
	for (size_t i = 0; i < c->nredirs; i++) {
		const df_sh_redir *r = &c->redirs[i];
		df_buf_adds(out, r->heredoc ? " (heredoc " : " (redir ");
		if (r->fd >= 0)
			df_buf_addf(out, "%d ", r->fd);
		dump_str(out, r->op, strlen(r->op));
		df_buf_addc(out, ' ');
		if (!r->heredoc) {
			dump_word(&r->target, out);
		} else {
			dump_str(out, r->heredoc_delim.ptr, r->heredoc_delim.len);
			if (r->heredoc_quoted)
				df_buf_adds(out, " quoted");
			if (r->heredoc_body.ptr) {
				df_buf_adds(out, " (body ");
				dump_str(out, r->heredoc_body.ptr, r->heredoc_body.len);
				df_buf_addc(out, ')');
			}
		}
		df_buf_addc(out, ')');
	}
}

static void dump_words(const df_sh_word *ws, size_t n, df_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		df_buf_addc(out, ' ');
		dump_word(&ws[i], out);
	}
}

static void dump_bodies(const df_sh_cmd *c, df_buf *out)
{
	for (size_t i = 0; i < c->nbodies; i++) {
		df_buf_addc(out, ' ');
		dump_list(c->bodies[i], out);
	}
}

static void dump_cmd(const df_sh_cmd *c, df_buf *out)
{
	static const char *const names[] = {
		[DF_SH_SIMPLE] = "cmd", [DF_SH_SUBSHELL] = "subshell", [DF_SH_GROUP] = "group",
		[DF_SH_IF] = "if", [DF_SH_FOR] = "for", [DF_SH_WHILE] = "while",
		[DF_SH_UNTIL] = "until", [DF_SH_CASE] = "case", [DF_SH_FUNCTION] = "function",
	};
	df_buf_addc(out, '(');
	df_buf_adds(out, names[c->kind]);
	switch (c->kind) {
	case DF_SH_SIMPLE:
		for (size_t i = 0; i < c->nassigns; i++) {
			df_buf_adds(out, " (assign ");
			dump_word(&c->assigns[i], out);
			df_buf_addc(out, ')');
		}
		dump_words(c->words, c->nwords, out);
		break;
	case DF_SH_FOR:
		dump_words(c->header, c->nheader ? 1 : 0, out);
		if (c->has_in) {
			df_buf_adds(out, " in");
			if (c->nheader > 1)
				dump_words(c->header + 1, c->nheader - 1, out);
		}
		dump_bodies(c, out);
		break;
	case DF_SH_CASE:
		dump_words(c->header, c->nheader, out);
		for (size_t i = 0; i < c->nbodies; i++) {
			const df_sh_case_item *it = i < c->ncase_items ? &c->case_items[i] : NULL;
			df_buf_adds(out, " (item (");
			for (size_t k = 0; it && k < it->npatterns; k++) {
				if (k)
					df_buf_addc(out, ' ');
				dump_word(&it->patterns[k], out);
			}
			df_buf_adds(out, ") ");
			dump_list(c->bodies[i], out);
			if (it && it->term && strcmp(it->term, ";;") != 0) {
				df_buf_addc(out, ' ');
				df_buf_adds(out, it->term);
			}
			df_buf_addc(out, ')');
		}
		break;
	default:
		dump_words(c->header, c->nheader, out);
		dump_bodies(c, out);
		break;
	}
	dump_redirs(c, out);
	df_buf_addc(out, ')');
}

static void dump_list(const df_sh_list *l, df_buf *out)
{
	df_buf_adds(out, "(list");
	for (size_t i = 0; l && i < l->nitems; i++) {
		const df_sh_andor *a = l->items[i];
		df_buf_adds(out, " (andor");
		for (size_t j = 0; j < a->npipes; j++) {
			const df_sh_pipeline *pl = a->pipes[j];
			if (a->ops[j] == DF_SH_OP_AND)
				df_buf_adds(out, " &&");
			else if (a->ops[j] == DF_SH_OP_OR)
				df_buf_adds(out, " ||");
			df_buf_adds(out, " (pipe");
			if (pl->bang)
				df_buf_adds(out, " !");
			for (size_t k = 0; k < pl->ncmds; k++) {
				df_buf_addc(out, ' ');
				dump_cmd(pl->cmds[k], out);
			}
			df_buf_addc(out, ')');
		}
		if (a->background)
			df_buf_adds(out, " &");
		df_buf_addc(out, ')');
	}
	df_buf_addc(out, ')');
}

void df_sh_dump(const df_sh_script *s, df_buf *out)
{
	if (!s)
		return;
	dump_list(s->list, out);
	if (s->error) {
		df_buf_adds(out, " (error ");
		dump_str(out, s->error, strlen(s->error));
		df_buf_addf(out, " %u)", (unsigned)s->error_off);
	}
}
