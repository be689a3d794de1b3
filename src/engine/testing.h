/*
 * testing.h - for the engine's unit tests: an engine over the memory store,
 * requests through ward_engine_handle as the front makes them, and the
 * token and policy steps most tests start with. Not linked into Ward.
 */
#ifndef WARD_ENGINE_TESTING_H
#define WARD_ENGINE_TESTING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "engine/dispatch.h"

struct engine_fx {
    struct ward_store *st;
    struct ward_barrier *b;
    struct ward_engine *e;
    char root[128]; /* the root token, once engine_fx_init ran */
};

/* engine_fx_open makes an engine over a new memory store (not initialised). */
void engine_fx_open(struct engine_fx *f);

/* engine_fx_init initialises (one share) and unseals f's engine through the API. */
void engine_fx_init(struct engine_fx *f);

/* engine_fx_close frees what engine_fx_open made. */
void engine_fx_close(struct engine_fx *f);

/*
 * engine_call runs one request ("/v1/..." path, an optional "?query", body
 * and token may be NULL) and returns its status; *out (if not NULL) gets
 * the parsed answer body, NULL when there is none. The caller decrefs it.
 */
int engine_call(struct ward_engine *e, const char *method, const char *path, const char *body,
                const char *token, json_t **out);

/* engine_code_of is an error answer's first stable code (NULL if none). */
const char *engine_code_of(const json_t *body);

/* engine_refused asserts the request fails (status >= 400) with code. */
void engine_refused(struct ward_engine *e, const char *method, const char *path, const char *body,
                    const char *token, const char *code);

/*
 * engine_token creates a token with display_name name and the one policy
 * policy (by the root token) into out.
 */
void engine_token(struct engine_fx *f, char *out, size_t cap, const char *name, const char *policy);

#endif
