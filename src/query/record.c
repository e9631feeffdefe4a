/* record.c - --record FILE: the dump goes to a new 0600 file that replaces FILE by
 * rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "query/record.h"

struct record {
	FILE *f;
	char *tmp;  /* the temporary file next to path */
	char *path; /* the name it becomes */
};

/*
 * Root recording into a world-writable directory must not let another user aim it at a
 * file of their choice: fopen("wb") follows a planted symlink (or writes through a hard
 * link) and truncates the target. mkostemp creates a fresh file with O_EXCL and mode
 * 0600, and rename() replaces the directory entry itself, never what a symlink points at.
 */
int record_open(const char *path, struct record **ret)
{
	struct record *r;
	struct stat st;
	const char *slash = strrchr(path, '/');
	int fd;

	*ret = NULL;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return -EEXIST;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->path = strdup(path);
	if (!r->path || asprintf(&r->tmp, "%.*s.tcpstate-record-XXXXXX",
				 slash ? (int)(slash - path + 1) : 0, path) < 0) {
		r->tmp = NULL;
		record_abort(r);
		return -ENOMEM;
	}
	fd = mkostemp(r->tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(r->tmp);
		r->tmp = NULL;
		record_abort(r);
		return -e;
	}
	r->f = fdopen(fd, "wb");
	if (!r->f) {
		int e = errno;
		close(fd);
		record_abort(r);
		return -e;
	}
	*ret = r;
	return 0;
}

FILE *record_file(const struct record *r)
{
	return r ? r->f : NULL;
}

int record_commit(struct record *r)
{
	int err = 0;

	if (fflush(r->f) != 0 || ferror(r->f) || fsync(fileno(r->f)) != 0)
		err = errno ? -errno : -EIO;
	if (fclose(r->f) != 0 && !err)
		err = -errno;
	r->f = NULL;
	if (!err && rename(r->tmp, r->path) != 0)
		err = -errno;
	if (err) {
		record_abort(r);
		return err;
	}
	free(r->tmp);
	free(r->path);
	free(r);
	return 0;
}

void record_abort(struct record *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	if (r->tmp)
		unlink(r->tmp);
	free(r->tmp);
	free(r->path);
	free(r);
}
