/* rt-positions.c: read positions in a file of their own (see the header). */
#include "rt-positions.h"

#include <gio/gio.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define LOG_DOMAIN "roundtable-positions"
#define GROUP "positions"
/* Key characters kept as they are in the file; the rest is %-escaped, so
 * any key (a folder name, a feed URL) is a valid GKeyFile key. */
#define KEY_KEEP ":/@"
/* After failed writes the delay doubles up to this. */
#define RT_POSITIONS_RETRY_MAX_MS (60 * 1000)

/* States not freed yet (tests: a state closed during a write lives on
 * until the write's callback). */
static gint alive;

/* What the writer thread shares with the main thread: the path and the
 * newest generation on disk, both under the lock. Atomically refcounted:
 * a write in flight keeps it alive after rt_positions_close. */
typedef struct {
  GMutex lock;
  char *path;
  guint64 on_disk;        /* generation of the file's content (under lock) */
} Writer;

typedef struct {
  Writer *w;
  GBytes *data;
  guint64 gen;
} Job;

struct _RtPositions {
  Writer *w;
  GHashTable *values;     /* key -> value (both owned) */
  GHashTable *asked;      /* keys the legacy source was asked for */
  RtPositionsLegacyFunc legacy;
  gpointer legacy_data;
  guint64 gen;            /* bumped by every change */
  guint64 queued;         /* generation of the last snapshot handed to a write */
  guint64 written;        /* generation known to be on disk */
  guint timer;
  guint delay_ms;
  guint writes;
  guint failures;         /* failed writes in a row */
  gboolean in_flight;
  gboolean closed;        /* closed while a write was in flight: the write's
                           * callback frees the state */
};

static void
writer_clear (Writer *w)
{
  g_mutex_clear (&w->lock);
  g_free (w->path);
}

static void
writer_unref (Writer *w)
{
  g_atomic_rc_box_release_full (w, (GDestroyNotify) writer_clear);
}

static void
job_free (Job *job)
{
  writer_unref (job->w);
  g_bytes_unref (job->data);
  g_free (job);
}

/* ---- the file ------------------------------------------------------------ */

static GBytes *
serialize (RtPositions *p)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GList) keys = g_hash_table_get_keys (p->values);
  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l; l = l->next)
    {
      g_autofree char *k = g_uri_escape_string (l->data, KEY_KEEP, FALSE);
      g_key_file_set_string (kf, GROUP, k, g_hash_table_lookup (p->values, l->data));
    }
  if (keys == NULL)
    g_key_file_set_comment (kf, GROUP, NULL, " (none yet)", NULL);
  g_key_file_set_comment (kf, NULL, NULL,
                          " Read positions of one Roundtable account, written by its protocol plugin.\n"
                          " Edit only while the client is not running.", NULL);
  gsize len = 0;
  char *text = g_key_file_to_data (kf, &len, NULL);
  return g_bytes_new_take (text, len);
}

/* Writes data (generation gen) unless something newer is on disk already.
 * Any thread; blocks while another write of the same file runs. */
static gboolean
writer_write (Writer *w, GBytes *data, guint64 gen, GError **error)
{
  gboolean ok = TRUE;
  g_mutex_lock (&w->lock);
  if (gen > w->on_disk)
    {
      g_autofree char *dir = g_path_get_dirname (w->path);
      gsize len = 0;
      const char *text = g_bytes_get_data (data, &len);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", dir, g_strerror (e));
          ok = FALSE;
        }
      else
        ok = g_file_set_contents_full (w->path, text, (gssize) len,
                                       G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                       0600, error);
      if (ok)
        w->on_disk = gen;
    }
  g_mutex_unlock (&w->lock);
  return ok;
}

/* Reads the file into p->values; a missing file is an empty state. */
static void
load (RtPositions *p)
{
  const char *path = p->w->path;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return;
    }
  else if (!g_key_file_has_group (kf, GROUP))
    g_set_error (&error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND, "no [%s] group", GROUP);
  if (error == NULL)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (kf, GROUP, NULL, NULL);
      for (char **k = keys; k && *k; k++)
        {
          char *key = g_uri_unescape_string (*k, NULL);
          char *value = g_key_file_get_string (kf, GROUP, *k, NULL);
          if (key != NULL && value != NULL)
            g_hash_table_replace (p->values, key, value);
          else
            {
              g_log (LOG_DOMAIN, G_LOG_LEVEL_WARNING, "%s: entry \"%s\" ignored (not readable)", path, *k);
              g_free (key);
              g_free (value);
            }
        }
      return;
    }
  /* Unreadable: kept aside for a look, and the state starts empty. Keys
   * fall back to their legacy values (older: items read again) or to the
   * caller's first-use rule; the warning says so, nothing is silent. */
  g_autofree char *aside = g_strconcat (path, ".corrupt", NULL);
  gboolean moved = g_rename (path, aside) == 0;
  g_log (LOG_DOMAIN, G_LOG_LEVEL_WARNING,
         "%s cannot be read (%s)%s%s; read positions start again from the account settings "
         "where they exist (items may be read again), else as at first use (items that arrived "
         "meanwhile may not be read)",
         path, error->message, moved ? ", kept as " : "", moved ? aside : "");
}

/* ---- writing ------------------------------------------------------------- */

static void schedule (RtPositions *p);

static void
free_state (RtPositions *p)
{
  if (p->timer)
    g_source_remove (p->timer);
  writer_unref (p->w);
  g_hash_table_unref (p->values);
  g_hash_table_unref (p->asked);
  g_free (p);
  g_atomic_int_dec_and_test (&alive);
}

static void
write_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  if (writer_write (job->w, job->data, job->gen, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
write_done (GObject *source, GAsyncResult *res, gpointer data)
{
  RtPositions *p = data;
  Job *job = g_task_get_task_data (G_TASK (res));
  guint64 gen = job->gen;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);
  p->in_flight = FALSE;
  if (p->closed)
    {
      free_state (p);
      return;
    }
  if (ok)
    {
      p->written = MAX (p->written, gen);
      if (p->failures > 0)
        g_log (LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "%s: read positions saved again", p->w->path);
      p->failures = 0;
    }
  else
    {
      /* Still dirty: tried again later, backing off (and at close). Only
       * the first failure of a series is a warning. */
      g_log (LOG_DOMAIN, p->failures == 0 ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_DEBUG,
             "%s: read positions not saved: %s", p->w->path, error->message);
      p->failures++;
      p->queued = p->written;
    }
  if (p->gen != p->queued)
    schedule (p);
}

static void
start_write (RtPositions *p)
{
  Job *job = g_new0 (Job, 1);
  job->w = g_atomic_rc_box_acquire (p->w);
  job->data = serialize (p);
  job->gen = p->gen;
  p->queued = p->gen;
  p->in_flight = TRUE;
  p->writes++;
  GTask *task = g_task_new (NULL, NULL, write_done, p);
  g_task_set_source_tag (task, start_write);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, write_in_thread);
  g_object_unref (task);
}

static gboolean
on_timer (gpointer data)
{
  RtPositions *p = data;
  p->timer = 0;
  if (!p->in_flight && p->gen != p->queued)
    start_write (p);
  return G_SOURCE_REMOVE;
}

/* The first change after a write arms the timer; later ones ride along. */
static void
schedule (RtPositions *p)
{
  if (p->timer == 0 && !p->in_flight)
    {
      guint ms = p->delay_ms;
      for (guint i = 0; i < p->failures && ms < RT_POSITIONS_RETRY_MAX_MS; i++)
        ms *= 2;
      p->timer = g_timeout_add (MIN (ms, RT_POSITIONS_RETRY_MAX_MS), on_timer, p);
    }
}

static void
changed (RtPositions *p)
{
  p->gen++;
  schedule (p);
}

/* ---- API ----------------------------------------------------------------- */

RtPositions *
rt_positions_open (const char *path, RtPositionsLegacyFunc legacy, gpointer legacy_data)
{
  g_return_val_if_fail (path != NULL, NULL);
  RtPositions *p = g_new0 (RtPositions, 1);
  p->w = g_atomic_rc_box_new0 (Writer);
  g_mutex_init (&p->w->lock);
  p->w->path = g_strdup (path);
  p->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  p->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p->legacy = legacy;
  p->legacy_data = legacy_data;
  p->delay_ms = RT_POSITIONS_DELAY_MS;
  g_atomic_int_inc (&alive);
  load (p);
  return p;
}

const char *
rt_positions_get (RtPositions *p, const char *key)
{
  g_return_val_if_fail (p != NULL && key != NULL, NULL);
  const char *v = g_hash_table_lookup (p->values, key);
  if (v != NULL || p->legacy == NULL || g_hash_table_contains (p->asked, key))
    return v;
  g_hash_table_add (p->asked, g_strdup (key));
  char *old = p->legacy (key, p->legacy_data);
  if (old == NULL)
    return NULL;
  /* Taken over once: from now on the file holds it. */
  g_hash_table_replace (p->values, g_strdup (key), old);
  changed (p);
  return old;
}

void
rt_positions_set (RtPositions *p, const char *key, const char *value)
{
  g_return_if_fail (p != NULL && key != NULL && value != NULL);
  if (g_strcmp0 (g_hash_table_lookup (p->values, key), value) == 0)
    return;
  g_hash_table_replace (p->values, g_strdup (key), g_strdup (value));
  changed (p);
}

void
rt_positions_close (RtPositions *p)
{
  if (p == NULL)
    return;
  if (p->timer)
    {
      g_source_remove (p->timer);
      p->timer = 0;
    }
  if (p->gen != p->written)
    {
      /* Synchronous on purpose (logout, quit): after the write in flight
       * if any (the writer's lock), so the file ends with this snapshot. */
      g_autoptr(GBytes) data = serialize (p);
      g_autoptr(GError) error = NULL;
      p->writes++;
      if (!writer_write (p->w, data, p->gen, &error))
        g_log (LOG_DOMAIN, G_LOG_LEVEL_WARNING, "%s: read positions not saved: %s", p->w->path,
               error->message);
    }
  if (p->in_flight)
    p->closed = TRUE;   /* write_done frees it */
  else
    free_state (p);
}

const char *
rt_positions_path (RtPositions *p)
{
  return p->w->path;
}

guint
rt_positions_writes (RtPositions *p)
{
  return p->writes;
}

gboolean
rt_positions_pending (RtPositions *p)
{
  return p->in_flight || p->gen != p->queued;
}

void
rt_positions_set_delay (RtPositions *p, guint ms)
{
  p->delay_ms = MAX (ms, 1);
}

guint
rt_positions_alive (void)
{
  return (guint) g_atomic_int_get (&alive);
}
