/* check_util.c - buffers, arena, source positions, diagnostics, file input. */
#include <sys/stat.h>
#include <unistd.h>

#include "parse/dump.h"
#include "parse/source.h"
#include "parse/words.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/json.h"
#include "util/util.h"
#include "testutil.h"

START_TEST(test_buf)
{
	df_buf b = DF_BUF_INIT;
	ck_assert_str_eq(df_buf_str(&b), "");
	df_buf_add(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	df_buf_addf(&b, "%d-%s", 42, "x");
	ck_assert_uint_eq(b.len, 7);
	ck_assert_int_eq(b.buf[7], '\0');
	ck_assert_int_eq(memcmp(b.buf, "a\0b42-x", 7), 0);
	for (int i = 0; i < 10000; i++)
		df_buf_addc(&b, 'z');
	ck_assert_uint_eq(b.len, 10007);
	size_t len;
	char *p = df_buf_detach(&b, &len);
	ck_assert_uint_eq(len, 10007);
	ck_assert_ptr_null(b.buf);
	free(p);
}
END_TEST

START_TEST(test_arena)
{
	df_arena a = DF_ARENA_INIT;
	char *small = df_arena_alloc(&a, 10);
	char *big = df_arena_alloc(&a, 100000);
	char *small2 = df_arena_alloc(&a, 10);
	ck_assert_ptr_nonnull(small);
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(big[99999], 0);
	ck_assert_uint_eq(((uintptr_t)small2) % _Alignof(max_align_t), 0);
	int *arr = df_arena_grow(&a, NULL, 0, 4, sizeof(int));
	arr[3] = 7;
	arr = df_arena_grow(&a, arr, 4, 8, sizeof(int));
	ck_assert_int_eq(arr[3], 7);
	ck_assert_int_eq(arr[7], 0);
	/* The newest array grows where it lies; an older one moves. Both keep
	 * their contents and get zeroed new elements. */
	int *top = df_arena_grow(&a, NULL, 0, 2, sizeof(int));
	top[0] = 1;
	top[1] = 2;
	int *grown = df_arena_grow(&a, top, 2, 64, sizeof(int));
	ck_assert_ptr_eq(grown, top);
	ck_assert(grown[0] == 1 && grown[1] == 2 && grown[2] == 0 && grown[63] == 0);
	ck_assert_ptr_nonnull(df_arena_alloc(&a, 1));
	int *moved = df_arena_grow(&a, grown, 64, 128, sizeof(int));
	ck_assert_ptr_ne(moved, grown);
	ck_assert(moved[1] == 2 && moved[64] == 0 && moved[127] == 0);
	ck_assert_ptr_eq(df_arena_grow(&a, moved, 128, 16, sizeof(int)), moved);
	char *d = df_arena_memdup(&a, "x\0y", 3);
	ck_assert_int_eq(d[2], 'y');
	ck_assert_int_eq(d[3], '\0');
	df_arena_release(&a);
	ck_assert_ptr_null(a.head);
}
END_TEST

START_TEST(test_source_positions)
{
	df_source s;
	ck_assert_int_eq(df_source_init(&s, "f", "ab\ncd\r\n\nx", 9), 0);
	ck_assert_uint_eq(s.nlines, 4);
	uint32_t l, c;
	df_source_pos(&s, 0, &l, &c);
	ck_assert(l == 1 && c == 1);
	df_source_pos(&s, 4, &l, &c);
	ck_assert(l == 2 && c == 2);
	df_source_pos(&s, 8, &l, &c);
	ck_assert(l == 4 && c == 1);
	df_source_pos(&s, 9, &l, &c);
	ck_assert(l == 4 && c == 2);
	ck_assert_uint_eq(df_source_line_start(&s, 3), 7);
	df_source_release(&s);
}
END_TEST

START_TEST(test_diag_sort)
{
	df_diags d = DF_DIAGS_INIT;
	df_diags_add(&d, DF_SEV_ERROR, "DL1000", 3, 1, 3, 2, "c");
	df_diags_add(&d, DF_SEV_WARNING, "DL3000", 1, 5, 1, 6, "b %s", "x");
	df_diags_add(&d, DF_SEV_INFO, "DL2000", 1, 5, 1, 6, "a");
	df_diags_sort(&d);
	ck_assert_str_eq(d.items[0].code, "DL2000");
	ck_assert_str_eq(d.items[1].message, "b x");
	ck_assert_str_eq(d.items[2].code, "DL1000");
	ck_assert_str_eq(df_severity_name(d.items[1].severity), "warning");
	df_diags_release(&d);
}
END_TEST

/* Borrowed strings are not copied, and not freed with the list: the
 * sanitizers or valgrind catch a wrong free here. */
START_TEST(test_diag_static)
{
	static const char code[] = "DL3000", message[] = "fixed message";
	df_diags d = DF_DIAGS_INIT;
	df_diags_add_static(&d, DF_SEV_WARNING, code, 2, 1, 2, 4, message);
	df_diags_add(&d, DF_SEV_INFO, code, 1, 1, 1, 2, "formatted %d", 7);
	ck_assert_ptr_eq(d.items[0].code, code);
	ck_assert_ptr_eq(d.items[0].message, message);
	ck_assert_ptr_ne(d.items[1].code, code);
	df_diags_sort(&d);
	ck_assert_str_eq(d.items[0].message, "formatted 7");
	ck_assert_ptr_eq(d.items[1].message, message);
	df_diags_release(&d);
	ck_assert_str_eq(code, "DL3000");
}
END_TEST

START_TEST(test_edit_distance)
{
	ck_assert_uint_eq(df_edit_distance("frm", 3, "from", 4), 1);
	ck_assert_uint_eq(df_edit_distance("FORM", 4, "from", 4), 2);
	ck_assert_uint_eq(df_edit_distance("", 0, "abc", 3), 3);
	ck_assert_uint_eq(df_edit_distance("same", 4, "SAME", 4), 0);
	/* Bounded: the distance when below the limit, else the limit. */
	ck_assert_uint_eq(df_edit_distance_below("frm", 3, "from", 4, 2), 1);
	ck_assert_uint_eq(df_edit_distance_below("FORM", 4, "from", 4, 2), 2);
	ck_assert_uint_eq(df_edit_distance_below("HTTP_PROXY", 10, "NO_PROXY", 8, 3), 3);
	ck_assert_uint_eq(df_edit_distance_below("BASE_IMAGE", 10, "BASE_IMAGES", 11, 3), 1);
	ck_assert_uint_eq(df_edit_distance_below("abcdefgh", 8, "stuvwxyz", 8, 99), 8);
}
END_TEST

START_TEST(test_read_input_errors)
{
	df_buf out = DF_BUF_INIT, err = DF_BUF_INIT;
	ck_assert_int_eq(df_read_input("/nonexistent/Dockerfile", 1024, &out, &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "cannot read '/nonexistent/Dockerfile': No such file or directory");
	df_buf_reset(&err);
	ck_assert_int_eq(df_read_input("/", 1024, &out, &err), -1);
	ck_assert_ptr_nonnull(strstr(df_buf_str(&err), "Is a directory"));
	df_buf_reset(&err);
	char fifo[] = "/tmp/dfopt-fifo-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(fifo));
	char path[64];
	snprintf(path, sizeof(path), "%s/p", fifo);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* A FIFO nobody writes to: an error at once, not a wait. */
	ck_assert_int_eq(df_read_input(path, 1024, &out, &err), -1);
	ck_assert_ptr_nonnull(strstr(df_buf_str(&err), "a FIFO with no writer"));
	unlink(path);
	rmdir(fifo);
	df_buf_release(&out);
	df_buf_release(&err);
}
END_TEST

/* df_json_add_str() writes what cJSON prints for df_dump_json_str(). */
static void json_str_like_cjson(const char *str, size_t len)
{
	cJSON *j = df_dump_json_str((df_str){ str, len });
	char *want = cJSON_PrintUnformatted(j);
	df_buf got = DF_BUF_INIT;
	df_buf_adds(&got, "x");		/* appends, after what is there */
	df_json_add_str(&got, str, len);
	ck_assert_str_eq(df_buf_str(&got) + 1, want);
	df_buf_release(&got);
	cJSON_free(want);
	cJSON_Delete(j);
}

#define CASE(lit) { lit, sizeof(lit) - 1 }

START_TEST(test_json_writer)
{
	static const struct { const char *s; size_t len; } cases[] = {
		CASE(""),
		CASE("plain text longer than one word"),
		CASE("quote \" and \\ backslash, \b\f\n\r\t and \x01\x1f\x7f"),
		CASE("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3 in UTF-8"),
		CASE("a NUL\0 inside, and \n after it"),
		CASE("invalid \xc3( \xff\xfe \xf5\x80\x80 \xe2\x82 end"),
		CASE("12345678\n12345678\"1234567\xc3\xa9"),
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		json_str_like_cjson(cases[k].s, cases[k].len);
	/* Mostly plain bytes, some of every kind that needs a look, at every
	 * offset in a word. */
	static const char pick[] = "abc XYZ~\x7f\"\\\n\x01\0\x80\xc3\xa9\xe2\x82\xac\xf0\x9f\xff";
	uint32_t seed = 12345;
	for (int it = 0; it < 5000; it++) {
		char str[48];
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % sizeof(str);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			str[i] = r % 4 ? pick[r % 8] : pick[r % (sizeof(pick) - 1)];
		}
		json_str_like_cjson(str, len);
	}
	df_buf b = DF_BUF_INIT;
	df_json_add_uint(&b, 0);
	df_buf_addc(&b, ' ');
	df_json_add_uint(&b, 4294967295u);
	df_buf_addc(&b, ' ');
	df_json_add_uint(&b, UINT64_MAX);
	ck_assert_str_eq(df_buf_str(&b), "0 4294967295 18446744073709551615");
	/* Formatted text longer than the room df_buf_addf() tries first. */
	df_buf_addf(&b, " %0200d", 7);
	ck_assert_uint_eq(b.len, 33 + 201);
	ck_assert_str_eq(b.buf + b.len - 2, "07");
	df_buf_release(&b);
}
END_TEST

/* A file is read whole, whatever its size against one read's; the cap is
 * checked before reading. */
START_TEST(test_read_input_sizes)
{
	char dir[] = "/tmp/dfopt-read-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/big", dir);
	size_t n = 200000;
	char *data = malloc(n);
	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);

	df_buf out = DF_BUF_INIT, err = DF_BUF_INIT;
	ck_assert_int_eq(df_read_input(path, 1 << 20, &out, &err), 0);
	ck_assert_uint_eq(out.len, n);
	ck_assert(!memcmp(out.buf, data, n));
	ck_assert_int_eq(out.buf[n], '\0');
	ck_assert_uint_eq(err.len, 0);
	df_buf_release(&out);
	ck_assert_int_eq(df_read_input(path, n - 1, &out, &err), -1);
	char want[160];
	snprintf(want, sizeof(want), "cannot read '%s': file is too large (%zu bytes, the limit is %zu)", path, n, n - 1);
	ck_assert_str_eq(df_buf_str(&err), want);
	df_buf_reset(&err);

	f = fopen(path, "wb");	/* now empty */
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(df_read_input(path, 1 << 20, &out, &err), 0);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_str_eq(df_buf_str(&out), "");
	unlink(path);
	rmdir(dir);
	free(data);
	df_buf_release(&out);
	df_buf_release(&err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_arena);
	tcase_add_test(tc, test_source_positions);
	tcase_add_test(tc, test_diag_sort);
	tcase_add_test(tc, test_diag_static);
	tcase_add_test(tc, test_edit_distance);
	tcase_add_test(tc, test_read_input_errors);
	tcase_add_test(tc, test_read_input_sizes);
	tcase_add_test(tc, test_json_writer);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
