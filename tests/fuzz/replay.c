/*
 * replay.c - main() for fuzz targets in builds without libFuzzer (gcc).
 *
 * Usage: fuzz_<parser> PATH...; each PATH is a file or a directory whose
 * regular files (not recursively) are inputs. Every input is read into a heap
 * block of exactly its size, so a sanitizer sees any read past the end, and
 * handed once to LLVMFuzzerTestOneInput. A failing property aborts the run.
 * Exits 0 after replaying at least one input, 1 on an unreadable path or an
 * empty corpus: a corpus that silently vanished must not pass.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"
#include "fuzz.h"

#define MAX_INPUT_LEN (1u << 20)

/* run_file replays one file; false if it cannot be read. */
static bool run_file(const char *path)
{
    static const uint8_t empty[1];
    struct stat st;
    uint8_t *data = NULL;
    size_t len;
    bool ok = false;
    FILE *f = fopen(path, "rb");

    if (f == NULL || fstat(fileno(f), &st) != 0 || st.st_size < 0 ||
        (uint64_t)st.st_size > MAX_INPUT_LEN) {
        goto out;
    }
    len = (size_t)st.st_size;
    if (len > 0 && (data = ward_alloc(len)) == NULL) {
        goto out;
    }
    if (len > 0 && fread(data, 1, len, f) != len) {
        goto out;
    }
    (void)LLVMFuzzerTestOneInput(len > 0 ? data : empty, len);
    ok = true;
out:
    ward_free(data);
    if (f != NULL && fclose(f) != 0) {
        ok = false;
    }
    if (!ok) {
        (void)fprintf(stderr, "replay: cannot read %s\n", path);
    }
    return ok;
}

/* run_dir replays every regular file in dir, counting them in *count. */
static bool run_dir(const char *dir, size_t *count)
{
    char path[4096];
    struct dirent *de;
    struct stat st;
    bool ok = true;
    DIR *d = opendir(dir);

    if (d == NULL) {
        (void)fprintf(stderr, "replay: cannot open %s\n", dir);
        return false;
    }
    /* single-threaded driver: readdir's static state is ours alone */
    /* cppcheck-suppress readdirCalled */
    while ((de = readdir(d)) != NULL) { /* NOLINT(concurrency-mt-unsafe) */
        int n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);

        if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        ok = run_file(path) && ok;
        (*count)++;
    }
    if (closedir(d) != 0) {
        ok = false;
    }
    return ok;
}

int main(int argc, char **argv)
{
    struct stat st;
    size_t count = 0;
    bool ok = true;

    for (int i = 1; i < argc; i++) {
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            ok = run_dir(argv[i], &count) && ok;
        } else {
            ok = run_file(argv[i]) && ok;
            count++;
        }
    }
    (void)printf("replay: %zu inputs, %s\n", count, ok && count > 0 ? "ok" : "FAILED");
    return ok && count > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
