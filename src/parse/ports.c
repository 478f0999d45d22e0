/* ports.c - EXPOSE port specs as BuildKit reads them; see ports.h. */
#include "parse/ports.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <string.h>

/* A decimal port, as Go's ParseUint(s, 10, 16) reads one, but for its
 * bound: a port past 65535 is DL3011's to report, as hadolint does. */
static bool port_number(const char *s, size_t n, unsigned long *out)
{
	if (!n || n > 12)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!df_is_digit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* PORT or PORT-PORT, not running backwards. */
static bool port_range(df_str r, unsigned long *lo, unsigned long *hi)
{
	const char *dash = memchr(r.ptr, '-', r.len);
	if (!dash) {
		if (!port_number(r.ptr, r.len, lo))
			return false;
		*hi = *lo;
		return true;
	}
	size_t k = (size_t)(dash - r.ptr);
	if (memchr(dash + 1, '-', r.len - k - 1))
		return false;
	return port_number(r.ptr, k, lo) && port_number(dash + 1, r.len - k - 1, hi) && *hi >= *lo;
}

/* An IP address as Go's net.ParseIP reads one, [brackets] allowed. */
static bool ip_address(df_str ip)
{
	char buf[64];
	if (ip.len >= 2 && ip.ptr[0] == '[' && ip.ptr[ip.len - 1] == ']') {
		ip.ptr++;
		ip.len -= 2;
	}
	if (ip.len >= sizeof(buf))
		return false;
	memcpy(buf, ip.ptr, ip.len);
	buf[ip.len] = '\0';
	unsigned char addr[16];
	return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

bool df_port_spec_ok(df_str spec, df_buf *why)
{
	/* [IP:]HOSTPORT:PORT: the last two ':'-separated parts are the ports,
	 * what comes before them the address (an IPv6 one holds ':'). */
	const char *last = NULL, *before = NULL;
	for (size_t i = 0; i < spec.len; i++)
		if (spec.ptr[i] == ':') {
			before = last;
			last = spec.ptr + i;
		}
	df_str container = spec, host = { NULL, 0 }, ip = { NULL, 0 };
	if (last) {
		container = (df_str){ last + 1, (size_t)(spec.ptr + spec.len - last - 1) };
		const char *h = before ? before + 1 : spec.ptr;
		host = (df_str){ h, (size_t)(last - h) };
		if (before)
			ip = (df_str){ spec.ptr, (size_t)(before - spec.ptr) };
	}
	const char *slash = memchr(container.ptr, '/', container.len);
	df_str port = { container.ptr, slash ? (size_t)(slash - container.ptr) : container.len };
	if (!port.len) {
		df_buf_addf(why, "no port specified: %.*s<empty>", (int)container.len, container.ptr);
		return false;
	}
	if (slash) {
		df_str proto = { slash + 1, (size_t)(container.ptr + container.len - slash - 1) };
		char lower[8];
		size_t n = proto.len < sizeof(lower) ? proto.len : sizeof(lower) - 1;
		for (size_t i = 0; i < n; i++)
			lower[i] = (char)df_to_lower((unsigned char)proto.ptr[i]);
		lower[n] = '\0';
		if (proto.len && (proto.len >= sizeof(lower) ||
				  (strcmp(lower, "tcp") && strcmp(lower, "udp") && strcmp(lower, "sctp")))) {
			df_buf_addf(why, "invalid proto: %.*s", (int)proto.len, proto.ptr);
			return false;
		}
	}
	if (ip.len && !ip_address(ip)) {
		df_buf_addf(why, "invalid IP address: %.*s", (int)ip.len, ip.ptr);
		return false;
	}
	unsigned long lo, hi, hlo, hhi;
	if (!port_range(port, &lo, &hi)) {
		df_buf_addf(why, "invalid containerPort: %.*s", (int)port.len, port.ptr);
		return false;
	}
	if (host.len) {
		if (!port_range(host, &hlo, &hhi)) {
			df_buf_addf(why, "invalid hostPort: %.*s", (int)host.len, host.ptr);
			return false;
		}
		if (hi - lo != hhi - hlo && hi != lo) {
			df_buf_addf(why, "invalid ranges specified for container and host Ports: %.*s and %.*s",
				    (int)port.len, port.ptr, (int)host.len, host.ptr);
			return false;
		}
	}
	return true;
}
