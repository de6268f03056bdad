/* rt-error.h: the core's GError domain. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define RT_ERROR (rt_error_quark ())
GQuark rt_error_quark (void);

typedef enum {
  RT_ERROR_INVALID,     /* bad argument from a user: message is shown as is */
  RT_ERROR_NOT_FOUND,   /* unknown workspace, member, link */
  RT_ERROR_EXISTS,      /* duplicate name */
  RT_ERROR_STORE,       /* SQLite failure */
} RtErrorCode;

G_END_DECLS
