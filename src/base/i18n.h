/* i18n.h - gettext markers: _() translates where a message is printed or formatted, N_()
 * marks a message in a table for xgettext and leaves it English until then. */
#ifndef TCPSTATE_I18N_H
#define TCPSTATE_I18N_H

#include <libintl.h>

/* The gettext domain: the catalogs are LOCALEDIR/LANG/LC_MESSAGES/tcpstate.mo. */
#define I18N_DOMAIN "tcpstate"

/* Translate a message now (a macro, so xgettext sees the literal). */
#define _(s) dgettext(I18N_DOMAIN, s)
/* Mark a message for translation without translating it here. */
#define N_(s) s

/* Mark a message with a context for translators (gettext's msgctxt), for i18n_only(). */
#define NC_(ctx, s) ctx "\004" s

/* The translation of a message marked with NC_(), or NULL when the catalog has none: for
 * text that exists only in other languages, such as a gloss beside a state name. */
static inline const char *i18n_only(const char *ctx_s)
{
	const char *t = dgettext(I18N_DOMAIN, ctx_s);

	return t == ctx_s ? NULL : t;
}

#endif
