/* fuzz_diag.c - libFuzzer target: arbitrary bytes through the sock_diag parser and the
 * listing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/columns.h"
#include "model/sock.h"
#include "query/diag.h"
#include "render/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first byte picks the mode; the rest is the input. */
enum {
	MODE_BUFFER = 0, /* one recv() buffer for diag_parse_buffer */
	MODE_RECORDS,	 /* a --record file (length-prefixed buffers) for diag_replay */
};

static int keep_cb(const struct sock_rec *s, void *data)
{
	struct sock_set *set = data;

	if (!s) {
		sock_set_clear(set);
		return 0;
	}
	return sock_set_add(set, s);
}

/* Every column of every parsed socket, so the formatters see hostile values too. */
static void render(const struct sock_set *set)
{
	static struct column_list all;
	static FILE *sink;
	struct col_ctx cc = {0};
	struct table_opts t = {.header = true};

	if (!sink) {
		sink = fopen("/dev/null", "w");
		for (int i = 0; column_table[i].name && all.n < COLUMNS_MAX; i++)
			all.v[all.n++] = &column_table[i];
	}
	if (sink && set->n)
		table_render(sink, set, &all, &cc, &t);
	t.width = 20;
	t.color = true;
	if (sink && set->n)
		table_render(sink, set, &all, &cc, &t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_set set = {0};
	struct diag_stats st = {0};

	if (size < 1)
		return 0;
	int mode = data[0] & 1;
	data++;
	size--;
	if (mode == MODE_BUFFER) {
		/* recv() buffers are aligned: copy to a heap block of exactly this size
		 * so any read past its end is an ASan report */
		void *buf = malloc(size ? size : 1);
		if (!buf)
			return 0;
		memcpy(buf, data, size);
		diag_parse_buffer(buf, size, 0, 0, keep_cb, &set, &st);
		free(buf);
	} else {
		FILE *in = fmemopen((void *)data, size, "rb");
		if (!in)
			return 0;
		diag_replay(in, true, keep_cb, &set, &st);
		fclose(in);
	}
	render(&set);
	sock_set_done(&set);
	return 0;
}
