/* rt-mention.h: does a message mention a member, is it a decision? */
#pragma once
#include <glib.h>
#include "rt-model.h"

G_BEGIN_DECLS

/* TRUE if text mentions member m: "@handle", or m's full display name as
 * whole words. Case-insensitive (Unicode simple case mapping), after NFC
 * normalization of both sides; in the name any run of spaces matches any
 * run of white space. Word-bounded on both sides: "@alicex",
 * "bob@alice.example" and "emailalice" do not mention alice; a '.' or '-'
 * followed by a letter continues the word ("@alice-team", "@alice.dubois"),
 * while "@alice." and "@alice's" are mentions. NULL text or member: FALSE. */
gboolean rt_text_mentions (const char *text, const RtMember *m);

/* TRUE if a line of text starts (after white space) with a decision marker:
 * "Decision:", "Decided:", Dutch "Besluit:", "Beslissing:", "Besloten:",
 * French "Décision :", "Décidé :", German "Entscheidung:", "Beschluss:",
 * "Beschlossen:" (case-insensitive, any spaces, including no-break ones,
 * before the colon), or if the text carries one of the tags "#decision",
 * "#besluit", "#décision", "#entscheidung", "#beschluss" as a whole word
 * anywhere. */
gboolean rt_text_is_decision (const char *text);

G_END_DECLS
