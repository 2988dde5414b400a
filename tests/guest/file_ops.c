// file_ops: file/dir syscalls in directory argv[1] (default /tmp), name suffix argv[2].
// diff-args: @TMP@ .t1
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e)
{
    switch (e) {
    case 0: return "OK";
    case ENOENT: return "ENOENT";
    case EISDIR: return "EISDIR";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EBADF: return "EBADF";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EACCES: return "EACCES";
    default: return "OTHER";
    }
}
#define ERR(r) ((r) < 0 ? ename(errno) : "OK")

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    const char *suf = argc > 2 ? argv[2] : "";
    char path[4096], path2[4096], sub[4096], buf[256], tmp[4200];
    snprintf(path, sizeof path, "%s/hvtrace_file_ops%s", dir, suf);
    snprintf(path2, sizeof path2, "%s/hvtrace_file_ops_renamed%s", dir, suf);
    snprintf(sub, sizeof sub, "%s/hvtrace_file_ops_dir%s", dir, suf);

    umask(077);
    printf("umask(022) returned old mask 077: %s\n", umask(022) == 077 ? "yes" : "no");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0640);
    printf("open O_CREAT: %s\n", fd >= 0 ? "ok" : ename(errno));
    if (fd < 0)
        return 1;
    const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz\n";
    printf("write: %zd\n", write(fd, text, sizeof text - 1));
    printf("lseek SEEK_CUR 0: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    printf("lseek SEEK_SET 10: %ld\n", (long)lseek(fd, 10, SEEK_SET));
    ssize_t n = read(fd, buf, 5);
    printf("read 5: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    printf("lseek SEEK_CUR +3: %ld\n", (long)lseek(fd, 3, SEEK_CUR));
    n = read(fd, buf, 4);
    printf("read 4: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    printf("lseek SEEK_END -4: %ld\n", (long)lseek(fd, -4, SEEK_END));
    n = read(fd, buf, 100);
    printf("read to end: %zd \"%.*s\"\n", n, (int)(n > 1 ? n - 1 : 0), buf);
    printf("read at EOF: %zd\n", read(fd, buf, 100));
    printf("pwrite at 4: %zd\n", pwrite(fd, "WXYZ", 4, 4));
    n = pread(fd, buf, 12, 0);
    printf("pread 12 at 0: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    printf("offset unchanged by pread/pwrite: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    printf("pwrite past end (hole): %zd\n", pwrite(fd, "END", 3, 100));

    struct stat st;
    int r = fstat(fd, &st);
    printf("fstat: %s size=%lld regular=%s perm=%o\n", ERR(r), (long long)st.st_size,
           S_ISREG(st.st_mode) ? "yes" : "no", (unsigned)(st.st_mode & 0777));
    printf("close: %s\n", ERR(close(fd)));
    printf("close again: %s\n", ERR(close(fd)));

    r = stat(path, &st);
    printf("stat: %s size=%lld\n", ERR(r), (long long)st.st_size);
    printf("access R_OK|W_OK: %s\n", ERR(access(path, R_OK | W_OK)));
    printf("rename: %s\n", ERR(rename(path, path2)));
    printf("access old name: %s\n", ERR(access(path, F_OK)));
    fd = open(path2, O_RDONLY);
    n = read(fd, buf, 10);
    printf("read renamed: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    close(fd);

    printf("mkdir: %s\n", ERR(mkdir(sub, 0755)));
    printf("mkdir existing: %s\n", ERR(mkdir(sub, 0755)));
    r = stat(sub, &st);
    printf("stat dir: %s isdir=%s\n", ERR(r), S_ISDIR(st.st_mode) ? "yes" : "no");
    fd = open(sub, O_RDONLY | O_DIRECTORY);
    printf("open dir: %s\n", fd >= 0 ? "ok" : ename(errno));
    printf("read dir: %s\n", ERR(read(fd, buf, sizeof buf)));
    close(fd);
    printf("open dir for write: %s\n", ERR(open(sub, O_WRONLY)));

    snprintf(tmp, sizeof tmp, "%s/missing/file", dir);
    printf("open missing: %s\n", ERR(open(tmp, O_RDONLY)));
    snprintf(tmp, sizeof tmp, "%s/x", path2);
    printf("open file-as-dir: %s\n", ERR(open(tmp, O_RDONLY)));
    printf("rmdir: %s\n", ERR(rmdir(sub)));
    printf("rmdir again: %s\n", ERR(rmdir(sub)));

    printf("unlink: %s\n", ERR(unlink(path2)));
    printf("stat after unlink: %s\n", ERR(stat(path2, &st)));
    printf("open after unlink: %s\n", ERR(open(path2, O_RDONLY)));
    printf("unlink again: %s\n", ERR(unlink(path2)));
    return 0;
}
