/* SPDX-License-Identifier: MIT */
/*
 * install-into-root: install a package's files into a root directory the
 * package itself controls, as a package manager's --root does, or a
 * container runtime unpacking an image into a rootfs.  A package that
 * ships "usr/lib -> /etc" and then "usr/lib/x" must not make us write
 * /etc/x: every path is resolved with PS_IN_ROOT, so "/" in the path or
 * in any symlink met is ROOT itself, and ".." stops there.  Directories
 * come from ps_mkdirs(), files from ps_tmpfile_open() in the directory
 * the path resolves to, published atomically over any old file, and an
 * old tree is removed with ps_remove_tree(), which never follows a
 * symlink.
 *
 *	install-into-root ROOT
 *
 * installs a small fixed tree and prints the routes taken.
 * Build: cc install-into-root.c $(pkg-config --cflags --libs pathsafe)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

struct entry {
	const char *dir, *name, *content;
	mode_t mode;
};

/* The package: what a hostile one would name, through its own symlinks. */
static const struct entry files[] = {
	{ "usr/bin", "tool", "#!/bin/sh\necho tool\n", 0755 },
	{ "usr/lib/tool", "plugin.conf", "enabled=1\n", 0644 },
	{ "etc/tool", "tool.conf", "level=2\n", 0644 },
	{ "usr/share/doc/tool", "README", "the tool\n", 0644 },
};

static int install(int root, const struct entry *e)
{
	size_t len = strlen(e->content);
	ps_tmpfile *t;
	int dir, r;

	dir = ps_mkdirs(root, e->dir, 0755, PS_IN_ROOT);
	if (dir < 0)
		return -1;
	printf("%s/: %s", e->dir, ps_last_route());
	close(dir);
	t = ps_tmpfile_open(root, e->dir, e->mode, PS_IN_ROOT);
	if (!t)
		return -1;
	r = write(ps_tmpfile_fd(t), e->content, len) == (ssize_t)len ? 0 : -1;
	if (r == 0 && (r = ps_publish_tmpfile(t, e->name, PS_REPLACE)) >= 0)
		printf(", %s: %s\n", e->name, ps_last_route());
	if (ps_tmpfile_close(t) < 0)
		r = -1;
	return r < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	int root;

	if (argc != 2) {
		fprintf(stderr, "usage: install-into-root ROOT\n");
		return 2;
	}
	root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		perror(argv[1]);
		return 1;
	}
	/* The previous version's cache, whatever the package made of it. */
	if (ps_remove_tree(root, "var/cache/tool", PS_IN_ROOT) == 0)
		printf("var/cache/tool: %s\n", ps_last_route());
	else if (errno != ENOENT)
		perror("install-into-root: var/cache/tool");
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		if (install(root, &files[i]) < 0) {
			fprintf(stderr, "install-into-root: %s/%s: %s\n",
			    files[i].dir, files[i].name, strerror(errno));
			close(root);
			return 1;
		}
	}
	close(root);
	return 0;
}
