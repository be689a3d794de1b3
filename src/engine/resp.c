/*
 * resp.c - engine responses (engine.h), shared by front and keeper.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/mem.h"
#include "engine/engine.h"

void ward_engine_resp_init(struct ward_engine_resp *r)
{
    r->status = 200;
    r->content_type = NULL;
    ward_buf_init(&r->body, WARD_MAX_RESP_BODY);
    r->err = WARD_OK;
    r->op = NULL;
}

void ward_engine_resp_cleanup(struct ward_engine_resp *r)
{
    ward_buf_cleanup(&r->body);
}

/* append_json_string writes s as a JSON string literal. */
static ward_err append_json_string(struct ward_buf *b, const char *s)
{
    json_t *v = json_string(s);
    char *text;
    ward_err err;

    if (v == NULL) {
        return WARD_E_INVALID; /* not UTF-8: callers pass our own text */
    }
    text = json_dumps(v, JSON_ENCODE_ANY);
    json_decref(v);
    if (text == NULL) {
        return WARD_E_NOMEM;
    }
    err = ward_buf_append_str(b, text);
    ward_free(text); /* Jansson allocates through ward_alloc (json.c) */
    return err;
}

void ward_engine_resp_error(struct ward_engine_resp *r, ward_err err, const char *message)
{
    r->status = ward_err_http(err);
    r->err = err;
    r->content_type = NULL;
    ward_buf_reset(&r->body);
    if (ward_buf_append_str(&r->body, "{\"errors\":[") != WARD_OK ||
        append_json_string(&r->body, message != NULL ? message : ward_err_str(err)) != WARD_OK ||
        ward_buf_append_str(&r->body, "],\"codes\":[\"") != WARD_OK ||
        ward_buf_append_str(&r->body, ward_err_name(err)) != WARD_OK ||
        ward_buf_append_str(&r->body, "\"]}\n") != WARD_OK) {
        ward_buf_reset(&r->body);
        if (ward_buf_append_str(&r->body, "{\"errors\":[\"internal error\"],"
                                          "\"codes\":[\"internal\"]}\n") != WARD_OK) {
            r->body.len = 0; /* out of memory: the status alone speaks */
        }
    }
}
