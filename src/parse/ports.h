/*
 * ports.h - EXPOSE port specs as BuildKit reads them:
 * [[IP:]HOSTPORT:]PORT[-PORT][/PROTO], PROTO tcp, udp or sctp (any case),
 * ports in decimal, a range not running backwards, and a host range only
 * as long as the container's (or with a single container port). BuildKit
 * refuses the build on any other; dfopt reports it as a parse error. A
 * port past 65535 passes here: DL3011 reports it, as hadolint does.
 */
#ifndef DF_PARSE_PORTS_H
#define DF_PARSE_PORTS_H

#include <stdbool.h>

#include "parse/ast.h"
#include "util/buf.h"

/* Is spec (an EXPOSE word with its variables expanded) one BuildKit
 * accepts? When not, why, in BuildKit's words, into why. */
bool df_port_spec_ok(df_str spec, df_buf *why);

#endif
