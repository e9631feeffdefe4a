/* sock.c - the growable socket array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "base/bigmem.h"
#include "model/sock.h"

/* A place for one more ext: the current block, the next one a clear left, or a new one.
 */
static struct sock_ext *ext_slot(struct sock_set *set)
{
	struct sock_ext_block *b = set->ext_cur;

	if (b && b->used == SOCK_EXT_BLOCK) {
		if (b->next) {
			b = b->next;
			b->used = 0;
		} else {
			struct sock_ext_block *nb = malloc(sizeof(*nb));
			if (!nb)
				return NULL;
			nb->next = NULL;
			nb->used = 0;
			b->next = nb;
			b = nb;
		}
		set->ext_cur = b;
	} else if (!b) {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
		b->next = NULL;
		b->used = 0;
		set->ext_head = set->ext_cur = b;
	}
	return &b->v[b->used++];
}

int sock_set_add(struct sock_set *set, const struct sock_rec *s)
{
	struct sock_rec *d;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 1024;
		struct sock_rec *v = realloc(set->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
		bigmem_advise(v, cap * sizeof(*v));
	}
	d = &set->v[set->n];
	*d = *s;
	if (s->ext) {
		d->ext = ext_slot(set);
		if (!d->ext)
			return -ENOMEM;
		memcpy(d->ext, s->ext, sizeof(*d->ext));
	}
	set->n++;
	return 0;
}

void sock_set_clear(struct sock_set *set)
{
	set->n = 0;
	set->ext_cur = set->ext_head;
	if (set->ext_cur)
		set->ext_cur->used = 0;
}

void sock_set_done(struct sock_set *set)
{
	if (!set)
		return;
	while (set->ext_head) {
		struct sock_ext_block *b = set->ext_head;
		set->ext_head = b->next;
		free(b);
	}
	set->ext_cur = NULL;
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
}

size_t sock_addr_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

int sock_addr_is_v4mapped(const uint8_t addr[16])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(addr, prefix, sizeof(prefix)) == 0;
}

bool sock_has_owner(const struct sock_rec *s)
{
	if (s->kstate == KTCP_TIME_WAIT || s->kstate == KTCP_NEW_SYN_RECV)
		return false;
	return !(s->kstate == KTCP_SYN_RECV && s->inode == 0 && s->uid == 0);
}

bool sock_dual_stack(const struct sock_rec *s)
{
	static const uint8_t any[16];

	return s->family == AF_INET6 && s->v6only == SOCK_V6ONLY_NO &&
	       memcmp(s->laddr, any, 16) == 0;
}

/* inet_ntop is measurably slow on 100k rows; IPv4 is the common case. Each octet's
 * digits, so an octet is one 4-byte copy. */
static const char dec_octet[256][4] = {
    "0",   "1",	  "2",	 "3",	"4",   "5",   "6",   "7",   "8",   "9",	  "10",	 "11",
    "12",  "13",  "14",	 "15",	"16",  "17",  "18",  "19",  "20",  "21",  "22",	 "23",
    "24",  "25",  "26",	 "27",	"28",  "29",  "30",  "31",  "32",  "33",  "34",	 "35",
    "36",  "37",  "38",	 "39",	"40",  "41",  "42",  "43",  "44",  "45",  "46",	 "47",
    "48",  "49",  "50",	 "51",	"52",  "53",  "54",  "55",  "56",  "57",  "58",	 "59",
    "60",  "61",  "62",	 "63",	"64",  "65",  "66",  "67",  "68",  "69",  "70",	 "71",
    "72",  "73",  "74",	 "75",	"76",  "77",  "78",  "79",  "80",  "81",  "82",	 "83",
    "84",  "85",  "86",	 "87",	"88",  "89",  "90",  "91",  "92",  "93",  "94",	 "95",
    "96",  "97",  "98",	 "99",	"100", "101", "102", "103", "104", "105", "106", "107",
    "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118", "119",
    "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131",
    "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143",
    "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155",
    "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167",
    "168", "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191",
    "192", "193", "194", "195", "196", "197", "198", "199", "200", "201", "202", "203",
    "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "214", "215",
    "216", "217", "218", "219", "220", "221", "222", "223", "224", "225", "226", "227",
    "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239",
    "240", "241", "242", "243", "244", "245", "246", "247", "248", "249", "250", "251",
    "252", "253", "254", "255",
};

/* buf has room for 16 bytes: the last copy writes a byte past the NUL's place. */
static size_t fmt_ipv4(const uint8_t *a, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		memcpy(p, dec_octet[v], 4);
		p += 1 + (v >= 10) + (v >= 100);
		*p++ = '.';
	}
	p[-1] = '\0';
	return (size_t)(p - 1 - buf);
}

size_t sock_fmt_addr(uint8_t family, const uint8_t *addr, char *buf, size_t sz)
{
	if (sz < INET6_ADDRSTRLEN)
		return 0;
	if (family == AF_INET)
		return fmt_ipv4(addr, buf);
	if (!inet_ntop(AF_INET6, addr, buf, (socklen_t)sz))
		buf[0] = '\0';
	return strlen(buf);
}
