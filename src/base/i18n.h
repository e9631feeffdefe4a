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

#endif
