/*
 * file.h - reading whole input files (or stdin) with a size cap.
 *
 * df_read_input() refuses directories, streams that never end are bounded by
 * the cap, and every failure comes back as -1 with a one-line message in err
 * (git style: "cannot read 'x': No such file or directory").
 */
#ifndef DF_UTIL_FILE_H
#define DF_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "util/buf.h"

/* Read path ("-" for stdin) into out, at most max bytes. A FIFO or a
 * character device is read like stdin, to its end; a FIFO with no writer
 * when it is opened is an error, not a wait; sockets and other special
 * files are refused. */
int df_read_input(const char *path, size_t max, df_buf *out, df_buf *err);

/* df_read_input() of a file that must be text, a Dockerfile: a NUL byte
 * makes it binary, an error "PATH:LINE:COL: not a text file (a NUL byte)"
 * at the first one. out holds what was read either way. */
int df_read_text(const char *path, size_t max, df_buf *out, df_buf *err);

/* What a read of an open input needs of its fstat(): a caller keeps one
 * for each input it opens ahead, 16 bytes where a struct stat is 144. */
typedef struct df_input_info {
	mode_t mode;
	off_t size;
} df_input_info;

/* Open path (not "-") for a read to come, without waiting on a FIFO,
 * and fstat() it into *info: the descriptor, or -1 with errno set (nothing
 * left open). A directory opens too. */
int df_input_open(const char *path, df_input_info *info);

/* The directory of the last input df_input_open_in() or
 * df_input_stat_in() reached. */
typedef struct {
	char *path;
	size_t len;
	int fd;	/* O_PATH, or -1 */
} df_input_dir;
#define DF_INPUT_DIR_INIT { NULL, 0, -1 }

/* df_input_open() of path, opened relative to its directory when that is
 * dir's: many inputs from one directory (a shell glob, a list from find)
 * then walk its path once, not once each. */
int df_input_open_in(df_input_dir *dir, const char *path, df_input_info *info);
/* stat() of path into *info, relative to its directory like
 * df_input_open_in(): 0, or -1 with errno set. */
int df_input_stat_in(df_input_dir *dir, const char *path, df_input_info *info);
void df_input_dir_release(df_input_dir *dir);

/* df_read_text() of a file (not "-") opened with df_input_open_in(), or
 * by its whole path when dir is NULL. */
int df_read_text_in(df_input_dir *dir, const char *path, size_t max, df_buf *out, df_buf *err);

/* df_read_text() of what df_input_open() opened (fd, *info; path for the
 * messages); closes fd. Opening ahead tells what an input is (a directory
 * or a file) with the one walk of its path the read needs anyway. */
int df_read_text_open(int fd, const df_input_info *info, const char *path, size_t max, df_buf *out, df_buf *err);

/* Write all len bytes to fd, going on after short writes and EINTR; 0, or
 * -1 with errno set. */
int df_write_all(int fd, const void *data, size_t len);

/* Make fd (a new temporary file) hold data durably: write it all, set its
 * permission bits to mode, fsync it, and close it, in any case. 0, or the
 * errno of the first failure; the caller then renames or links it into
 * place, or unlinks it. */
int df_write_durable(int fd, const void *data, size_t len, unsigned mode);

/* fsync() the directory path is in (".": a bare name): what makes a
 * rename or link in it durable. Best effort: nothing is reported. */
void df_sync_parent_dir(const char *path);

#endif
