/* SPDX-License-Identifier: MIT */
/*
 * cp's quoting of file names in messages (gnulib's shell-escape-always
 * style): 'name', "it's" when a quote is the only oddity, and $'\n' or
 * $'\351' for what does not print, so that no name splits a line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "pscp.h"

struct out {
	char *s;
	size_t n, size;
};

static void put(struct out *o, char c)
{
	if (o->n + 2 > o->size) {
		o->size = o->size * 2 + 64;
		if (!(o->s = realloc(o->s, o->size))) {
			fail(ENOMEM, "cannot continue");
			exit(1);
		}
	}
	o->s[o->n++] = c;
	o->s[o->n] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	while (*s)
		put(o, *s++);
}

/* Characters that mean the same in C's double quotes and the shell's. */
static int compat(const char *s, size_t i, int printable)
{
	unsigned char c = s[i];

	if ((c >= '0' && c <= ':') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || strchr("%+,-./]_' ", c))
		return c != '\0';
	if (c == '#' || c == '~')
		return i == 0;
	if (strchr("!\"$&()*;<=>[^`|\\?{}", c) || c < 0x20 || c == 0x7f)
		return 0;
	return printable;
}

/* The length of the character at s (1 for a byte that is not one) and
 * whether it prints. */
static size_t character(const char *s, int *printable)
{
	mbstate_t mbs;
	wchar_t w;
	size_t n;

	memset(&mbs, 0, sizeof(mbs));
	if (MB_CUR_MAX == 1 || (unsigned char)*s < 0x80) {
		*printable = (unsigned char)*s >= 0x20 &&
		    (unsigned char)*s < 0x7f;
		return 1;
	}
	n = mbrtowc(&w, s, strlen(s), &mbs);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*printable = 0;
		return 1;
	}
	*printable = iswprint(w) != 0;
	return n;
}

static char *shell_quote(const char *s)
{
	struct out o = { NULL, 0, 0 };
	int pending = 0, single = 0, all_compat = 1, printable;
	size_t i, n;
	const char *esc;

	put(&o, '\'');
	for (i = 0; s[i]; i += n) {
		n = character(s + i, &printable);
		if (!compat(s, i, printable))
			all_compat = 0;
		esc = strchr("\a\b\f\n\r\t\v", s[i]);
		if (s[i] == '\'') {
			single = 1;
			puts_(&o, "'\\''");
			pending = 0;
		} else if (esc || !printable) {
			for (size_t k = 0; k < n; k++) {
				unsigned char c = s[i + k];

				if (!pending)
					puts_(&o, "'$'");
				pending = 1;
				put(&o, '\\');
				if (esc) {
					put(&o, "abfnrtv"[esc - "\a\b\f\n\r\t\v"]);
				} else {
					put(&o, '0' + (c >> 6));
					put(&o, '0' + ((c >> 3) & 7));
					put(&o, '0' + (c & 7));
				}
			}
		} else {
			if (pending)
				puts_(&o, "''");
			pending = 0;
			for (size_t k = 0; k < n; k++)
				put(&o, s[i + k]);
		}
	}
	put(&o, '\'');
	if (single && all_compat) {
		/* Only apostrophes to quote: "it's". */
		o.n = 0;
		put(&o, '"');
		puts_(&o, s);
		put(&o, '"');
	}
	return o.s;
}

/* Four slots, so that one message can quote up to four names. */
const char *q(const char *name)
{
	static char *slot[4];
	static unsigned next;
	unsigned i = next++ % 4;

	free(slot[i]);
	slot[i] = shell_quote(name);
	return slot[i];
}
