/*
 * resp.c - engine responses (engine.h), shared by front and keeper.
 */
#include <string.h>

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

/*
 * append_json_string writes s as a JSON string literal. Messages are our own
 * fixed or bounded text, but they are escaped all the same.
 */
static ward_err append_json_string(struct ward_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    ward_err err = ward_buf_append_u8(b, '"');

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0' && err == WARD_OK; p++) {
        if (*p == '"' || *p == '\\') {
            uint8_t esc[2] = { '\\', *p };

            err = ward_buf_append(b, esc, sizeof(esc));
        } else if (*p < 0x20) {
            uint8_t esc[6] = { '\\', 'u', '0', '0', (uint8_t)hex[*p >> 4], (uint8_t)hex[*p & 15] };

            err = ward_buf_append(b, esc, sizeof(esc));
        } else {
            err = ward_buf_append_u8(b, *p);
        }
    }
    return err == WARD_OK ? ward_buf_append_u8(b, '"') : err;
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
