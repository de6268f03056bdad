/* rt-error.c: the core's GError domain. */
#include "config.h"
#include "rt-error.h"

G_DEFINE_QUARK (rt-error-quark, rt_error)
