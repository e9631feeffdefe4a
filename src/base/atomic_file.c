/* atomic_file.c - temporary file in the target's directory, then fsync and rename. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"

/* Free the names and forget the descriptor; the caller closed it. */
static void forget(struct atomic_file *f)
{
	free(f->path);
	free(f->tmp_path);
	f->path = f->tmp_path = NULL;
	f->stream = NULL;
	f->fd = -1;
}

/* The directory part and the last component of path, as two malloc'd strings. */
static int split_path(const char *path, char **ret_dir, char **ret_base)
{
	char *d = strdup(path), *b = strdup(path);

	*ret_dir = *ret_base = NULL;
	if (!d || !b) {
		free(d);
		free(b);
		return -ENOMEM;
	}
	/* dirname and basename (the POSIX ones) may modify their argument */
	*ret_dir = strdup(dirname(d));
	*ret_base = strdup(basename(b));
	free(d);
	free(b);
	if (!*ret_dir || !*ret_base) {
		free(*ret_dir);
		free(*ret_base);
		return -ENOMEM;
	}
	return 0;
}

/* Refuse to replace what is not a regular file. */
static int check_target(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

int atomic_file_open(const char *path, mode_t mode, struct atomic_file *ret)
{
	char *dir, *base;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->fd = -1;
	if (!*path)
		return -ENOENT;
	r = check_target(path);
	if (r < 0)
		return r;
	r = split_path(path, &dir, &base);
	if (r < 0)
		return r;
	r = asprintf(&ret->tmp_path, "%s/.%s.XXXXXX", dir, base);
	free(dir);
	free(base);
	if (r < 0) {
		ret->tmp_path = NULL;
		return -ENOMEM;
	}
	ret->path = strdup(path);
	if (!ret->path) {
		forget(ret);
		return -ENOMEM;
	}
	ret->fd = mkostemp(ret->tmp_path, O_CLOEXEC);
	if (ret->fd < 0) {
		r = -errno;
		forget(ret);
		return r;
	}
	/* mkostemp makes 0600; readers such as node_exporter run as another user */
	if (fchmod(ret->fd, mode) < 0) {
		r = -errno;
		atomic_file_abort(ret);
		return r;
	}
	return 0;
}

FILE *atomic_file_stream(struct atomic_file *f)
{
	if (!f->tmp_path) {
		errno = EBADF;
		return NULL;
	}
	if (!f->stream)
		f->stream = fdopen(f->fd, "w");
	return f->stream;
}

/* fsync the directory holding path, so the rename survives a crash. Best effort: some
 * file systems refuse fsync on a directory, and the data is already safe. */
static void sync_dir(const char *path)
{
	char *dir, *base;
	int fd;

	if (split_path(path, &dir, &base) < 0)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
	free(base);
}

/* Flush and close the temporary file. Returns 0 or a negative errno. */
static int close_tmp(struct atomic_file *f)
{
	int r = 0;

	if (f->stream && fflush(f->stream) != 0)
		r = -(errno ? errno : EIO);
	if (f->stream && ferror(f->stream) && r == 0)
		r = -EIO;
	if (fsync(f->fd) < 0 && r == 0)
		r = -errno;
	if ((f->stream ? fclose(f->stream) : close(f->fd)) != 0 && r == 0)
		r = -errno;
	f->stream = NULL;
	f->fd = -1;
	return r;
}

int atomic_file_commit(struct atomic_file *f)
{
	int r;

	if (!f->tmp_path)
		return -EBADF;
	r = close_tmp(f);
	if (r == 0 && rename(f->tmp_path, f->path) < 0)
		r = -errno;
	if (r < 0)
		unlink(f->tmp_path);
	else
		sync_dir(f->path);
	forget(f);
	return r;
}

void atomic_file_abort(struct atomic_file *f)
{
	if (f->tmp_path) {
		if (f->stream)
			fclose(f->stream);
		else
			close(f->fd);
		unlink(f->tmp_path);
	}
	forget(f);
}
