/*
 * keytype.c - the table of key types, operations and lifecycle states, and
 * their names as the API spells them (Vault's names where Vault has one).
 */
#include <string.h>

#include "keys.h"

#define AEAD_OPS                                                                                \
    (WARD_KOP_ENCRYPT | WARD_KOP_DECRYPT | WARD_KOP_REWRAP | WARD_KOP_DATAKEY | WARD_KOP_HMAC | \
     WARD_KOP_EXPORT | WARD_KOP_WRAP_FOR)
#define SIGN_OPS \
    (WARD_KOP_SIGN | WARD_KOP_VERIFY | WARD_KOP_HMAC | WARD_KOP_EXPORT | WARD_KOP_WRAP_FOR)

#define RSA_OPS (SIGN_OPS | WARD_KOP_ENCRYPT | WARD_KOP_DECRYPT | WARD_KOP_REWRAP)

static const struct ward_key_type_info g_types[] = {
    { WARD_KEY_AES128_GCM96, "aes128-gcm96", 16, 0, WARD_CIPHER_AES128_GCM, AEAD_OPS },
    { WARD_KEY_AES256_GCM96, "aes256-gcm96", 32, 0, WARD_CIPHER_AES256_GCM, AEAD_OPS },
    { WARD_KEY_CHACHA20_POLY1305, "chacha20-poly1305", 32, 0, WARD_CIPHER_CHACHA20_POLY1305,
      AEAD_OPS },
    /* deterministic: same plaintext and context, same ciphertext (equality search) */
    { WARD_KEY_AES256_SIV, "aes256-siv", WARD_SIV_KEY_LEN, 0, 0,
      WARD_KOP_ENCRYPT | WARD_KOP_DECRYPT | WARD_KOP_REWRAP | WARD_KOP_HMAC | WARD_KOP_EXPORT |
          WARD_KOP_WRAP_FOR },
    { WARD_KEY_HMAC, "hmac", 32, 0, 0, WARD_KOP_HMAC | WARD_KOP_EXPORT | WARD_KOP_WRAP_FOR },
    { WARD_KEY_ED25519, "ed25519", 0, WARD_PKEY_ED25519, 0, SIGN_OPS },
    { WARD_KEY_ECDSA_P256, "ecdsa-p256", 0, WARD_PKEY_P256, 0, SIGN_OPS },
    { WARD_KEY_ECDSA_P384, "ecdsa-p384", 0, WARD_PKEY_P384, 0, SIGN_OPS },
    /* RSA also encrypts (OAEP-SHA-256; as Vault), small payloads such as data keys */
    { WARD_KEY_RSA2048, "rsa-2048", 0, WARD_PKEY_RSA2048, 0, RSA_OPS },
    { WARD_KEY_RSA3072, "rsa-3072", 0, WARD_PKEY_RSA3072, 0, RSA_OPS },
    { WARD_KEY_RSA4096, "rsa-4096", 0, WARD_PKEY_RSA4096, 0, RSA_OPS },
};

static const char *const g_op_names[] = {
    "encrypt", "decrypt", "rewrap", "datakey", "sign", "verify", "hmac", "export", "wrap-for",
};

static const char *const g_state_names[] = {
    [WARD_KSTATE_PRE_ACTIVE] = "pre-active",   [WARD_KSTATE_ACTIVE] = "active",
    [WARD_KSTATE_DEACTIVATED] = "deactivated", [WARD_KSTATE_COMPROMISED] = "compromised",
    [WARD_KSTATE_DESTROYED] = "destroyed",
};

const struct ward_key_type_info *ward_key_type_find(const char *name)
{
    for (size_t i = 0; i < sizeof(g_types) / sizeof(g_types[0]); i++) {
        if (strcmp(g_types[i].name, name) == 0) {
            return &g_types[i];
        }
    }
    return NULL;
}

const struct ward_key_type_info *ward_key_type_get(enum ward_key_type type)
{
    for (size_t i = 0; i < sizeof(g_types) / sizeof(g_types[0]); i++) {
        if (g_types[i].type == type) {
            return &g_types[i];
        }
    }
    return NULL;
}

bool ward_key_op_from_name(uint32_t *out, const char *name)
{
    for (size_t i = 0; i < sizeof(g_op_names) / sizeof(g_op_names[0]); i++) {
        if (strcmp(g_op_names[i], name) == 0) {
            *out = 1u << i;
            return true;
        }
    }
    return false;
}

const char *ward_key_op_name(uint32_t op)
{
    for (size_t i = 0; i < sizeof(g_op_names) / sizeof(g_op_names[0]); i++) {
        if (op == 1u << i) {
            return g_op_names[i];
        }
    }
    return "";
}

bool ward_key_state_from_name(enum ward_key_state *out, const char *name)
{
    for (int s = WARD_KSTATE_PRE_ACTIVE; s <= WARD_KSTATE_DESTROYED; s++) {
        if (strcmp(g_state_names[s], name) == 0) {
            *out = (enum ward_key_state)s;
            return true;
        }
    }
    return false;
}

const char *ward_key_state_name(enum ward_key_state s)
{
    return s >= WARD_KSTATE_PRE_ACTIVE && s <= WARD_KSTATE_DESTROYED ? g_state_names[s] : "";
}

ward_err ward_key_name_check(const char *name)
{
    size_t n = strnlen(name, WARD_KEY_NAME_MAX + 1);

    if (n == 0 || n > WARD_KEY_NAME_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return WARD_E_BAD_PATH;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.' || ch == '@')) {
            return WARD_E_BAD_PATH;
        }
    }
    return WARD_OK;
}
