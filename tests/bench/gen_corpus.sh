#!/bin/sh
# gen_corpus.sh OUTDIR [N] - write N (default 3000) varied, realistic
# Dockerfiles into OUTDIR for the parser benchmark.
#
# The output depends only on N and SEED: the generator carries its own
# random number generator (Park-Miller) instead of awk's rand(), whose
# sequence differs between awk implementations. Files are named
# NNNNN-<kind>.Dockerfile. The mix: node, python, go, java, ruby, php, rust,
# alpine and debian images plus a few Windows ones; single and multi-stage
# builds; ARG/ENV/LABEL blocks in every layout Docker accepts; long RUN chains
# with continuations (comment lines inside some); apt/apk/pip/npm installs;
# RUN --mount cache and secret mounts; heredocs (RUN <<EOF, RUN <<-EOF,
# COPY <<EOF /path, quoted delimiters); exec and shell form CMD/ENTRYPOINT;
# HEALTHCHECK with durations; ONBUILD; CRLF line ends in a few files and
# "# escape=`" in the Windows ones. Most files are 30-60 lines (1-2 KB);
# some are 10-20 lines and a few reach 300.
set -eu

usage() {
	echo "usage: gen_corpus.sh OUTDIR [N]" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
out=$1
n=${2:-3000}
seed=${SEED:-20240611}
case $n in '' | *[!0-9]*) usage ;; esac
case $seed in '' | *[!0-9]*) echo "gen_corpus.sh: SEED must be a positive integer" >&2; exit 2 ;; esac

mkdir -p "$out"

awk -v out="$out" -v n="$n" -v seed="$seed" '
# ---- randomness --------------------------------------------------------------
function rnd(k) { S = (S * 16807) % 2147483647; return int(S * k / 2147483647) }
function chance(pct) { return rnd(100) < pct }
function range(lo, hi) { return lo + rnd(hi - lo + 1) }
function pick(s,   a, c) { c = split(s, a, "|"); return a[1 + rnd(c)] }
# k distinct words of the space-separated pool, in pool order shuffled
function sample(pool, k,   a, c, i, j, t, r) {
	c = split(pool, a, " ")
	if (k > c) k = c
	for (i = 1; i <= k; i++) { j = i + rnd(c - i + 1); t = a[i]; a[i] = a[j]; a[j] = t }
	r = a[1]
	for (i = 2; i <= k; i++) r = r " " a[i]
	return r
}

# ---- output ----------------------------------------------------------------
function L(s) { NL++; LN[NL] = s }
function blank() { if (NL > 0 && LN[NL] != "") L("") }
function maybe_blank() { if (chance(75)) blank() }
function K(k) { return LOWER ? tolower(k) : k }

# ---- RUN chains ----------------------------------------------------------------
# cbegin(head) starts a chain; items are added with a joiner: "&&" or ";"
# (a new command), "" (a plain continuation line, e.g. a package name) or
# "#" (a comment line inside the continuation); cend() prints it in the
# file-wide style: trailing "&& \", leading "&&", or "set -eux; \".
function cbegin(head) { CN = 0; CHEAD = head; CCMDS = 0 }
function cadd(j, s) { CN++; CJ[CN] = j; CT[CN] = s }
function cmd(s) { cadd(CCMDS++ ? J : "", s) }
function cflag(s) { cadd("", s) }
function cpkg(s) { cadd("", "    " s) }
function ccomment(s) { cadd("#", s) }
function cend(   i, k, nx, line, started) {
	started = 0
	for (i = 1; i <= CN; i++) {
		# a comment before the first line stands above the instruction
		if (CJ[i] == "#") { L(started ? "    " CT[i] : CT[i]); continue }
		if (!started++) line = CHEAD CT[i]
		else if (STYLE == 1 && CJ[i] == "&&") line = "    && " CT[i]
		else if (STYLE == 1) line = "    " CT[i]
		else line = "    " CT[i]
		nx = 0
		for (k = i + 1; k <= CN; k++) if (CJ[k] != "#") { nx = k; break }
		if (nx == 0) { L(line); continue }
		if (CJ[nx] == "&&" && STYLE != 1) line = line " &&"
		else if (CJ[nx] == ";") line = line ";"
		L(line " " E)
	}
}
function run1(s) { L(K("RUN") " " s) }

# ---- package managers ------------------------------------------------------------
function pkg_cmds(list,   a, c, i) {
	c = split(list, a, " ")
	if (PM == "apk") {
		if (c <= 4 && chance(60)) { cmd("apk add --no-cache " list); return }
		cmd("apk add --no-cache" (chance(30) ? " --virtual .build-deps" : ""))
		for (i = 1; i <= c; i++) cpkg(a[i])
		return
	}
	cmd("apt-get update")
	if (c <= 3 && chance(50)) cmd("apt-get install -y --no-install-recommends " list)
	else {
		cmd("apt-get install -y " (chance(85) ? "--no-install-recommends" : "-q"))
		for (i = 1; i <= c; i++) cpkg(a[i])
	}
	if (chance(80)) cmd("rm -rf /var/lib/apt/lists/*")
}
function install_block(k,   pool) {
	pool = PM == "apk" ? APK : APT
	if (PM == "apt" && MOUNTS && chance(50)) {
		cbegin(K("RUN") " ")
		cflag("--mount=type=cache,target=/var/cache/apt,sharing=locked")
		cflag("--mount=type=cache,target=/var/lib/apt,sharing=locked")
	} else if (PM == "apk" && MOUNTS && chance(40)) {
		cbegin(K("RUN") " ")
		cflag("--mount=type=cache,target=/var/cache/apk")
	} else cbegin(K("RUN") " ")
	if (J == ";") cmd("set -eux")
	if (chance(20)) ccomment("# " pick("system packages|tools needed at build time|runtime libraries|keep this list sorted"))
	pkg_cmds(sample(pool, k))
	if (PM == "apt" && chance(15)) cmd("apt-get clean")
	cend()
}

# ---- blocks -------------------------------------------------------------------------
function header(   i, c) {
	if (WIN) { L("# escape=`"); if (chance(50)) L("# syntax=docker/dockerfile:1"); blank(); return }
	if (chance(45)) L("# syntax=docker/dockerfile:" pick("1|1|1.4|1.7|1-labs"))
	if (chance(5)) L("# check=skip=" pick("JSONArgsRecommended|StageNameCasing|FromAsCasing"))
	if (chance(30)) {
		if (NL) L("")
		c = range(1, 4)
		L("# " APP ": " pick("HTTP API|background worker|web frontend|CLI tool|batch job|gRPC service"))
		for (i = 2; i <= c; i++) L("# " pick("Build: docker build -t " ORG "/" APP " .|Maintained by the " ORG " platform team|See README.md for the release process|Copyright " range(2016, 2024) " " ORG ", Inc.|SPDX-License-Identifier: Apache-2.0|Do not edit by hand: keep in sync with .github/workflows/build.yml"))
	}
	blank()
}
function global_args(s,   a, c, i) {
	c = split(s, a, " ")
	for (i = 1; i <= c; i++) L(K("ARG") " " a[i])
	if (c) maybe_blank()
}
function from(img, alias, pm, plat,   s) {
	PM = pm
	s = K("FROM") " "
	if (plat) s = s "--platform=" plat " "
	s = s img
	if (alias != "") s = s " " (chance(95) ? K("AS") : "as") " " alias
	L(s)
}
function env_block(pairs,   a, c, i, eq) {
	c = split(pairs, a, " ")
	if (c == 0) return
	if (ESTYLE == 1 && c > 1) {
		for (i = 1; i <= c; i++) gsub(/\001/, " ", a[i])
		for (i = 1; i <= c; i++) L((i == 1 ? K("ENV") " " : "    ") a[i] (i < c ? " " E : ""))
		return
	}
	# a value with a space in it is written with \001 in its place
	for (i = 1; i <= c; i++) gsub(/\001/, " ", a[i])
	for (i = 1; i <= c; i++) {
		if (ESTYLE == 2) { eq = index(a[i], "="); L(K("ENV") " " substr(a[i], 1, eq - 1) " " substr(a[i], eq + 1)) }
		else L(K("ENV") " " a[i])
	}
}
function label_block(   c, i, keys, a, v) {
	c = split("org.opencontainers.image.title org.opencontainers.image.description org.opencontainers.image.source org.opencontainers.image.licenses org.opencontainers.image.vendor org.opencontainers.image.version maintainer com." ORG ".team", a, " ")
	c = range(1, c)
	if (chance(15)) { L(K("MAINTAINER") " " ORG " <ops@" ORG ".example>"); return }
	for (i = 1; i <= c; i++) {
		v = a[i] == "org.opencontainers.image.title" ? "\"" APP "\"" : \
		    a[i] == "org.opencontainers.image.description" ? "\"" pick("The " APP " service|" APP " - handles " pick("orders|payments|search|uploads") " for " ORG "|Internal tooling image") "\"" : \
		    a[i] == "org.opencontainers.image.source" ? "\"https://github.com/" ORG "/" APP "\"" : \
		    a[i] == "org.opencontainers.image.licenses" ? pick("MIT|Apache-2.0|\"BSD-3-Clause\"|proprietary") : \
		    a[i] == "org.opencontainers.image.vendor" ? "\"" ORG " Inc.\"" : \
		    a[i] == "org.opencontainers.image.version" ? "${VERSION:-" range(0, 3) "." range(0, 20) "." range(0, 9) "}" : \
		    a[i] == "maintainer" ? "\"ops@" ORG ".example\"" : pick("platform|payments|search|\"data eng\"")
		if (ESTYLE == 1 && c > 1) L((i == 1 ? K("LABEL") " " : "      ") a[i] "=" v (i < c ? " " E : ""))
		else L(K("LABEL") " " a[i] "=" v)
	}
}
function user_block(   u) {
	u = pick("app|appuser|nonroot|node|www-data|svc")
	if (u == "node" || u == "www-data") { L(K("USER") " " u); return }
	if (PM == "apk") run1("addgroup -S " u " && adduser -S -G " u " -h /home/" u " " u)
	else {
		cbegin(K("RUN") " ")
		cmd("groupadd --system --gid " range(900, 1100) " " u)
		cmd("useradd --system --uid " range(900, 1100) " --gid " u " --create-home --shell /usr/sbin/nologin " u)
		cend()
	}
	L(K("USER") " " (chance(30) ? range(900, 1100) ":" range(900, 1100) : u))
}
function healthcheck(port,   iv, to, sp, rt, probe, h) {
	if (chance(5)) { L(K("HEALTHCHECK") " NONE"); return }
	iv = pick("10s|15s|30s|1m|1m30s|2m|5m"); to = pick("2s|3s|5s|10s|30s|500ms")
	sp = pick("5s|10s|20s|40s|1m|2m30s"); rt = pick("3|3|5|10")
	probe = PM == "apk" ? "wget -qO- http://127.0.0.1:" port "/healthz || exit 1" : "curl -fsS http://localhost:" port "/health || exit 1"
	h = K("HEALTHCHECK") " --interval=" iv " --timeout=" to
	if (chance(60)) h = h " --start-period=" sp
	if (chance(20)) h = h " --start-interval=" pick("1s|2s|5s")
	if (chance(70)) h = h " --retries=" rt
	if (chance(25)) { L(h " " K("CMD") " [\"" pick("/app/healthcheck|/usr/local/bin/probe") "\", \"--port\", \"" port "\"]"); return }
	if (chance(40)) { L(h " " E); L("    CMD " probe); return }
	L(h " CMD " probe)
}
function execform(words,   a, c, i, s, sep) {
	c = split(words, a, " ")
	sep = XSPACE ? ", " : ","
	s = XSPACE == 2 ? "[ " : "["
	for (i = 1; i <= c; i++) s = s (i > 1 ? sep : "") "\"" a[i] "\""
	return s (XSPACE == 2 ? " ]" : "]")
}
function entry_cmd(ep, cm) {
	if (ep != "") L(K("ENTRYPOINT") " " (chance(92) ? execform(ep) : ep))
	if (cm != "") L(K("CMD") " " (chance(85) ? execform(cm) : cm))
}
function expose(port) {
	if (chance(20)) L(K("EXPOSE") " " port "/tcp")
	else if (chance(15)) L(K("EXPOSE") " " port " " (port + 1))
	else L(K("EXPOSE") " " port)
}
function comment_para(   c, i) {
	c = range(1, 3)
	for (i = 1; i <= c; i++) L("# " pick("Install build dependencies first so this layer stays cached|The lockfile changes less often than the sources|TODO: drop this once upstream ships arm64 builds|Pinned because 2.x broke the healthcheck|We run as an unprivileged user; see SECURITY.md|Keep the image small: no docs, no man pages|Compile assets in a separate stage|Timezone data is needed by the scheduler|FIXME: move secrets to --mount=type=secret|" K("RUN") " make test"))
}

# ---- heredocs -----------------------------------------------------------------
function heredoc_run(   d, v, tab, q) {
	d = pick("EOF|EOF|EOF|SCRIPT|EOT|END")
	v = rnd(5)
	if (v == 0) {
		L(K("RUN") " <<" d)
		L("set -eux")
		if (PM == "apk") L("apk add --no-cache " sample(APK, range(2, 5)))
		else { L("apt-get update"); L("apt-get install -y --no-install-recommends " sample(APT, range(2, 6))); L("rm -rf /var/lib/apt/lists/*") }
		if (chance(50)) L("mkdir -p /var/lib/" APP " /var/log/" APP)
		L(d)
	} else if (v == 1) {
		L(K("RUN") " <<-" d)
		tab = "\t"
		L(tab "set -e")
		L(tab "for dir in cache tmp uploads; do")
		L(tab tab "mkdir -p \"/srv/" APP "/$dir\"")
		L(tab tab "chmod 0775 \"/srv/" APP "/$dir\"")
		L(tab "done")
		L(tab d)
	} else if (v == 2) {
		q = chance(50) ? sq : "\""
		L(K("RUN") " " (MOUNTS ? "--mount=type=secret,id=npmrc,target=/root/.npmrc " : "") "<<" q d q " " pick("bash|sh -e|/bin/bash -euo pipefail"))
		L("echo \"building $HOME with ${" pick("BUILD_ID|VERSION|GIT_SHA") ":-dev}\"")
		L("if [ -f /etc/os-release ]; then . /etc/os-release; echo \"$PRETTY_NAME\"; fi")
		L("test -n \"${TARGETARCH:-}\" || TARGETARCH=$(uname -m)")
		L(d)
	} else if (v == 3) {
		L(K("RUN") " python3 <<" d)
		L("import json, os")
		L("cfg = {\"name\": \"" APP "\", \"workers\": int(os.environ.get(\"WORKERS\", \"" range(1, 8) "\"))}")
		L("open(\"/etc/" APP ".json\", \"w\").write(json.dumps(cfg))")
		L(d)
	} else {
		L(K("RUN") " <<" d "1 <<" d "2")
		L("echo first")
		L(d "1")
		L("echo second")
		L(d "2")
	}
}
function heredoc_copy(port,   v, d, i, c) {
	d = pick("EOF|EOF|CONF|EOT")
	v = rnd(4)
	if (v == 0) {
		L(K("COPY") " <<" d " /etc/nginx/conf.d/default.conf")
		L("server {")
		L("    listen " port ";")
		L("    server_name _;")
		c = range(1, 4)
		for (i = 1; i <= c; i++) {
			L("    location " pick("/|/api/|/static/|/ws|/healthz|/metrics") " {")
			L("        proxy_pass http://127.0.0.1:" range(3000, 9000) ";")
			L("        proxy_set_header Host $host;")
			L("    }")
		}
		L("}")
		L(d)
	} else if (v == 1) {
		L(K("COPY") (chance(50) ? " --chmod=0755" : "") " <<" sq d sq " /usr/local/bin/docker-entrypoint.sh")
		L("#!/bin/sh")
		L("set -e")
		L("if [ \"${1#-}\" != \"$1\" ]; then")
		L("    set -- " APP " \"$@\"")
		L("fi")
		L("exec \"$@\"")
		L(d)
	} else if (v == 2) {
		L(K("COPY") " <<" d " /etc/" APP "/config.yaml")
		L("server:")
		L("  port: " port)
		L("  read_timeout: " pick("5s|10s|30s"))
		L("log:")
		L("  level: ${LOG_LEVEL:-info}")
		L(d)
	} else {
		L(K("COPY") " <<a.env <<b.env /etc/" APP "/")
		L("A=1")
		L("a.env")
		L("B=2")
		L("b.env")
	}
}

# ---- fillers: grow a stage towards its target size ------------------------------
function filler(port,   v, a, c, i, u) {
	v = rnd(13)
	if (v <= 2) install_block(range(3, HUGE ? 30 : 12))
	else if (v == 3) env_block(sample(ENVS, range(2, 6)))
	else if (v == 4) label_block()
	else if (v == 5) heredoc_run()
	else if (v == 6) heredoc_copy(port)
	else if (v == 7) comment_para()
	else if (v == 8) {
		u = pick("https://github.com/krallin/tini/releases/download/v0.19.0/tini|https://dl.example.com/tools/" APP "-cli-linux-amd64.tar.gz|https://get.helm.sh/helm-v3.14.0-linux-amd64.tar.gz|https://releases.hashicorp.com/terraform/1.7.3/terraform_1.7.3_linux_amd64.zip")
		if (chance(30)) { L(K("ADD") (chance(50) ? " --checksum=sha256:" HEX : "") " " u " /usr/local/bin/"); return }
		cbegin(K("RUN") " ")
		if (J == ";") cmd("set -eux")
		cmd("curl -fsSL -o /tmp/dl " u)
		cmd("echo \"" HEX "  /tmp/dl\" | sha256sum -c -")
		if (u ~ /zip$/) cmd("unzip /tmp/dl -d /usr/local/bin")
		else if (u ~ /gz$/) cmd("tar -xzf /tmp/dl -C /usr/local/bin --strip-components=1")
		else cmd("install -m 0755 /tmp/dl /usr/local/bin/tini")
		cmd("rm -f /tmp/dl")
		cend()
	} else if (v == 9) {
		L(K("ARG") " " pick("BUILD_DATE|GIT_SHA|VERSION|TARGETARCH|HTTP_PROXY"))
		L(K("RUN") " echo \"$" pick("BUILD_DATE|GIT_SHA|VERSION|TARGETARCH") "\" > /etc/" APP "-build")
	} else if (v == 10) {
		L(K("WORKDIR") " " pick("/app|/srv/" APP "|/opt/" APP "|/usr/src/app|/workspace"))
		if (chance(50)) L(K("COPY") (chance(40) ? " --chown=app:app" : "") (chance(20) ? " --link" : "") " " pick("config/|scripts/|static/|migrations/|templates/") " ./" pick("config/|scripts/|static/|migrations/|templates/"))
	} else if (v == 11) {
		if (chance(50)) L(K("VOLUME") " " (chance(50) ? "[\"/data\"]" : "/var/lib/" APP " /var/log/" APP))
		if (chance(50)) L(K("STOPSIGNAL") " " pick("SIGTERM|SIGINT|SIGQUIT"))
		L(K("SHELL") " [\"/bin/" (PM == "apk" ? "ash" : "bash") "\", \"-eo\", \"pipefail\", \"-c\"]")
	} else {
		run1(pick("ln -sf /dev/stdout /var/log/" APP "/access.log|chmod +x /usr/local/bin/*|mkdir -p /data && chown -R 1000:1000 /data|cd /tmp && make install|echo \"Europe/Berlin\" > /etc/timezone|pip install --upgrade pip setuptools wheel|sed -i \"s/^#\\(en_US.UTF-8\\)/\\1/\" /etc/locale.gen && locale-gen"))
	}
	maybe_blank()
}
function grow(port, upto) { while (NL < upto) filler(port) }

# ---- ecosystems -------------------------------------------------------------------
function node_file(   ver, base, rt, port, pm) {
	ver = pick("18|20|20.11.1|21|22")
	base = pick("bookworm-slim|alpine|alpine3.19|bullseye|slim")
	pm = base ~ /alpine/ ? "apk" : "apt"
	port = pick("3000|8080|4000|5173")
	if (!SMALL && chance(50)) global_args("NODE_VERSION=" ver)
	if (SMALL) {
		from("node:" ver "-" base, "", pm)
		L(K("WORKDIR") " /usr/src/app"); L(K("COPY") " package*.json ./")
		run1(pick("npm ci --omit=dev|npm install --production|yarn install --frozen-lockfile"))
		L(K("COPY") " . ."); grow(port, T - 2); expose(port); entry_cmd("", "node server.js")
		return
	}
	from("node:" (chance(50) ? "${NODE_VERSION}" : ver) "-" base, "deps", pm, chance(15) ? "$BUILDPLATFORM" : "")
	L(K("WORKDIR") " /app")
	if (chance(40)) install_block(range(2, 5))
	L(K("COPY") " package.json " pick("package-lock.json|yarn.lock|pnpm-lock.yaml") " ./")
	if (MOUNTS) run1("--mount=type=cache,target=/root/.npm " pick("npm ci|npm ci --no-audit --no-fund|npm ci --omit=dev"))
	else run1(pick("npm ci|npm install|yarn install --frozen-lockfile && yarn cache clean"))
	maybe_blank()
	from("deps", "build", pm)
	L(K("COPY") " . .")
	cbegin(K("RUN") " "); cmd("npm run build"); if (chance(50)) cmd("npm prune --omit=dev"); cend()
	maybe_blank()
	from("node:" ver "-" base, "", pm)
	env_block("NODE_ENV=production PORT=" port (chance(40) ? " NPM_CONFIG_LOGLEVEL=warn" : ""))
	L(K("WORKDIR") " /app")
	grow(port, T - 10)
	L(K("COPY") " --from=build " (chance(50) ? "--chown=node:node " : "") "/app/node_modules ./node_modules")
	L(K("COPY") " --from=build /app/dist ./dist")
	if (chance(50)) user_block()
	expose(port)
	if (chance(60)) healthcheck(port)
	entry_cmd(chance(30) ? "docker-entrypoint.sh" : "", "node dist/" pick("server.js|index.js|main.js"))
}
function python_file(   ver, base, port, pm, tool) {
	ver = pick("3.9|3.10|3.11|3.12")
	base = pick("slim|slim-bookworm|alpine|bookworm")
	pm = base ~ /alpine/ ? "apk" : "apt"
	port = pick("8000|5000|8080|8888")
	if (SMALL) {
		from("python:" ver "-" base, "", pm)
		L(K("WORKDIR") " /app"); L(K("COPY") " requirements.txt .")
		run1("pip install --no-cache-dir -r requirements.txt")
		L(K("COPY") " . ."); grow(port, T - 1); entry_cmd("", "python app.py")
		return
	}
	from("python:" ver "-" base, "builder", pm)
	env_block("PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1")
	install_block(range(2, 8))
	L(K("WORKDIR") " /build")
	tool = rnd(3)
	if (tool == 0) {
		L(K("COPY") " requirements.txt .")
		run1((MOUNTS ? "--mount=type=cache,target=/root/.cache/pip " : "") "pip wheel --wheel-dir /wheels -r requirements.txt")
	} else if (tool == 1) {
		run1("pip install \"poetry==1." range(5, 8) "." range(0, 3) "\"")
		L(K("COPY") " pyproject.toml poetry.lock ./")
		run1("poetry export -f requirements.txt --output requirements.txt && pip wheel --wheel-dir /wheels -r requirements.txt")
	} else {
		run1("python -m venv /opt/venv")
		env_block("PATH=\"/opt/venv/bin:$PATH\"")
		L(K("COPY") " requirements.txt requirements-dev.txt ./")
		run1("pip install -r requirements.txt")
	}
	maybe_blank()
	from("python:" ver "-" base, "", pm)
	env_block("PYTHONUNBUFFERED=1 APP_HOME=/app")
	L(K("WORKDIR") " $APP_HOME")
	grow(port, T - 9)
	if (tool == 2) L(K("COPY") " --from=builder /opt/venv /opt/venv")
	else { L(K("COPY") " --from=builder /wheels /wheels"); run1("pip install --no-cache-dir /wheels/* && rm -rf /wheels") }
	L(K("COPY") " . .")
	if (chance(50)) user_block()
	expose(port)
	if (chance(40)) healthcheck(port)
	entry_cmd("", pick("gunicorn --bind 0.0.0.0:" port " --workers 4 app.wsgi:application|uvicorn main:app --host 0.0.0.0 --port " port "|python -m " APP "|celery -A " APP " worker -l info"))
}
function go_file(   ver, port, final, v) {
	ver = pick("1.21|1.22|1.22.1|1.23")
	port = pick("8080|9090|8000|2112")
	if (SMALL) {
		from("golang:" ver, "", "apt")
		L(K("WORKDIR") " /src"); L(K("COPY") " . .")
		run1("go build -o /usr/local/bin/" APP " ./cmd/" APP)
		grow(port, T - 1)
		entry_cmd(APP, "")
		return
	}
	global_args("GO_VERSION=" ver " TARGETOS TARGETARCH")
	v = pick("alpine|bookworm|alpine3.19")
	from("golang:${GO_VERSION}-" v, "build", v ~ /alpine/ ? "apk" : "apt", chance(50) ? "$BUILDPLATFORM" : "")
	L(K("WORKDIR") " /src")
	L(K("COPY") " go.mod go.sum ./")
	if (MOUNTS) run1("--mount=type=cache,target=/go/pkg/mod go mod download")
	else run1("go mod download && go mod verify")
	L(K("COPY") " . .")
	cbegin(K("RUN") " ")
	if (MOUNTS) { cflag("--mount=type=cache,target=/go/pkg/mod"); cflag("--mount=type=cache,target=/root/.cache/go-build") }
	cmd("CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH")
	cadd("", "    go build -trimpath -ldflags=\"-s -w -X main.version=${VERSION:-dev}\"")
	cadd("", "    -o /out/" APP " ./cmd/" APP)
	cend()
	grow(port, T - 8)
	maybe_blank()
	final = pick("gcr.io/distroless/static-debian12:nonroot|scratch|alpine:3.19|debian:bookworm-slim")
	from(final, "", final ~ /alpine/ ? "apk" : "apt")
	if (final == "scratch") L(K("COPY") " --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/")
	L(K("COPY") " --from=build /out/" APP " /usr/local/bin/" APP)
	if (final !~ /nonroot/) L(K("USER") " 65532:65532")
	expose(port)
	entry_cmd("/usr/local/bin/" APP, chance(50) ? "serve --addr :" port : "")
}
function java_file(   jdk, port, tool) {
	jdk = pick("17|21|11")
	port = pick("8080|8081|8443")
	tool = chance(60) ? "maven" : "gradle"
	if (tool == "maven") {
		from("maven:3.9-eclipse-temurin-" jdk, "build", "apt")
		L(K("WORKDIR") " /workspace")
		L(K("COPY") " pom.xml .")
		run1((MOUNTS ? "--mount=type=cache,target=/root/.m2 " : "") "mvn -B -q dependency:go-offline")
		L(K("COPY") " src ./src")
		run1((MOUNTS ? "--mount=type=cache,target=/root/.m2 " : "") "mvn -B package -DskipTests")
	} else {
		from("gradle:8.5-jdk" jdk, "build", "apt")
		L(K("WORKDIR") " /home/gradle/project")
		L(K("COPY") " --chown=gradle:gradle build.gradle.kts settings.gradle.kts gradle.properties ./")
		L(K("COPY") " --chown=gradle:gradle src ./src")
		run1("gradle bootJar --no-daemon")
	}
	if (!SMALL) grow(port, T / 2)
	maybe_blank()
	from("eclipse-temurin:" jdk "-jre" pick("|-alpine|-jammy"), "", "apt")
	if (!SMALL) env_block("JAVA_OPTS=\"-XX:MaxRAMPercentage=75\001-XX:+UseG1GC\" TZ=UTC")
	L(K("WORKDIR") " /opt/app")
	grow(port, T - 7)
	L(K("COPY") " --from=build /" (tool == "maven" ? "workspace/target" : "home/gradle/project/build/libs") "/*.jar app.jar")
	expose(port)
	if (!SMALL && chance(50)) healthcheck(port)
	if (chance(50)) entry_cmd("java -jar /opt/app/app.jar", "")
	else { L(K("ENTRYPOINT") " [\"sh\", \"-c\", \"exec java $JAVA_OPTS -jar /opt/app/app.jar \\\"$@\\\"\", \"--\"]") }
}
function ruby_file(   ver, port) {
	ver = pick("3.1|3.2|3.3")
	port = pick("3000|9292")
	global_args("RUBY_VERSION=" ver)
	from("ruby:$RUBY_VERSION-slim", SMALL ? "" : "base", "apt")
	L(K("WORKDIR") " /rails")
	env_block("RAILS_ENV=\"production\" BUNDLE_DEPLOYMENT=\"1\" BUNDLE_PATH=\"/usr/local/bundle\" BUNDLE_WITHOUT=\"development:test\"")
	if (SMALL) { L(K("COPY") " Gemfile Gemfile.lock ./"); run1("bundle install"); L(K("COPY") " . ."); grow(port, T - 1); entry_cmd("", "bundle exec puma"); return }
	maybe_blank()
	from("base", "build", "apt")
	install_block(range(3, 7))
	L(K("COPY") " Gemfile Gemfile.lock ./")
	cbegin(K("RUN") " "); cmd("bundle install"); cmd("rm -rf ~/.bundle/ \"${BUNDLE_PATH}\"/ruby/*/cache"); cmd("bundle exec bootsnap precompile --gemfile"); cend()
	L(K("COPY") " . .")
	run1("SECRET_KEY_BASE_DUMMY=1 ./bin/rails assets:precompile")
	maybe_blank()
	from("base", "", "apt")
	grow(port, T - 8)
	L(K("COPY") " --from=build \"${BUNDLE_PATH}\" \"${BUNDLE_PATH}\"")
	L(K("COPY") " --from=build /rails /rails")
	user_block()
	L(K("ENTRYPOINT") " [\"/rails/bin/docker-entrypoint\"]")
	expose(port)
	entry_cmd("", "./bin/rails server")
}
function php_file(   ver, port, fpm) {
	ver = pick("8.1|8.2|8.3")
	fpm = chance(50)
	port = fpm ? "9000" : "80"
	from("php:" ver (fpm ? "-fpm" : "-apache") (chance(30) ? "-alpine" : ""), "", "apt")
	if (LN[NL] ~ /alpine/) PM = "apk"
	if (!SMALL) install_block(range(3, 9))
	cbegin(K("RUN") " ")
	cmd("docker-php-ext-configure gd --with-freetype --with-jpeg")
	cmd("docker-php-ext-install -j\"$(nproc)\" " sample("pdo_mysql pdo_pgsql gd intl zip opcache bcmath exif pcntl", range(2, 6)))
	cend()
	L(K("COPY") " --from=composer:2 /usr/bin/composer /usr/bin/composer")
	L(K("WORKDIR") " /var/www/html")
	L(K("COPY") " composer.json composer.lock ./")
	run1("composer install --no-dev --no-scripts --no-autoloader --prefer-dist")
	grow(port, T - 6)
	L(K("COPY") " --chown=www-data:www-data . .")
	run1("composer dump-autoload --optimize")
	expose(port)
	if (!fpm && chance(40)) run1("a2enmod rewrite headers")
	entry_cmd("", fpm ? "php-fpm" : "apache2-foreground")
}
function rust_file(   ver, final) {
	ver = pick("1.75|1.76|1.77|1.78|latest")
	from("rust:" ver pick("|-slim|-bookworm|-alpine"), "builder", "apt")
	if (LN[NL] ~ /alpine/) { PM = "apk"; run1("apk add --no-cache musl-dev") }
	L(K("WORKDIR") " /usr/src/" APP)
	if (!SMALL) {
		L(K("COPY") " Cargo.toml Cargo.lock ./")
		run1("mkdir src && echo \"fn main() {}\" > src/main.rs && cargo build --release && rm -rf src")
	}
	L(K("COPY") " . .")
	if (MOUNTS) {
		cbegin(K("RUN") " ")
		cflag("--mount=type=cache,target=/usr/local/cargo/registry")
		cflag("--mount=type=cache,target=/usr/src/" APP "/target")
		cmd("cargo build --release --locked")
		cmd("cp target/release/" APP " /usr/local/bin/")
		cend()
	} else run1("cargo install --path . --root /usr/local")
	grow("8080", T - 6)
	final = pick("debian:bookworm-slim|gcr.io/distroless/cc-debian12|alpine:3.19")
	from(final, "", final ~ /alpine/ ? "apk" : "apt")
	if (!SMALL && final ~ /debian:/) install_block(range(1, 3))
	L(K("COPY") " --from=builder /usr/local/bin/" APP " /usr/local/bin/" APP)
	entry_cmd(APP, "")
}
function alpine_file(   ver) {
	ver = pick("3.18|3.19|3.20|edge|latest")
	from("alpine:" ver, "", "apk")
	if (!SMALL) label_block()
	install_block(range(2, SMALL ? 4 : 10))
	if (chance(15)) { L(K("ONBUILD") " " K("COPY") " . /app/src"); L(K("ONBUILD") " " K("RUN") " /app/build.sh") }
	grow("8080", T - 4)
	L(K("COPY") " " pick("entrypoint.sh|docker-entrypoint.sh|run.sh") " /usr/local/bin/")
	if (chance(50)) entry_cmd("/sbin/tini --", chance(60) ? "/usr/local/bin/entrypoint.sh" : "")
	else entry_cmd("", "/usr/local/bin/entrypoint.sh")
}
function debian_file(   img) {
	img = pick("debian:bookworm-slim|debian:bookworm|debian:12|ubuntu:22.04|ubuntu:24.04|ubuntu:latest|debian:bullseye")
	from(img, "", "apt")
	if (!SMALL) { label_block(); maybe_blank() }
	if (chance(40)) env_block("DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8")
	install_block(range(2, SMALL ? 4 : 14))
	grow("80", T - 5)
	if (chance(50)) L(K("COPY") " --chmod=0644 " pick("crontab /etc/cron.d/" APP "|nginx.conf /etc/nginx/nginx.conf|supervisord.conf /etc/supervisor/conf.d/"))
	L(K("WORKDIR") " /srv")
	entry_cmd("", pick("nginx -g daemon off;|/usr/bin/supervisord -n|cron -f|bash"))
}
function windows_file(   i, c) {
	from("mcr.microsoft.com/dotnet/sdk:8.0-windowsservercore-ltsc2022", "build", "win")
	L(K("WORKDIR") " C:\\src")
	L(K("COPY") " *.sln .")
	L(K("COPY") " " APP "/*.csproj ./" APP "/")
	L(K("RUN") " dotnet restore")
	L(K("COPY") " . .")
	L(K("RUN") " dotnet publish " APP " -c Release -o C:\\app --no-restore")
	blank()
	from("mcr.microsoft.com/dotnet/aspnet:8.0-windowsservercore-ltsc2022", "", "win")
	L(K("SHELL") " [\"powershell\", \"-Command\", \"$ErrorActionPreference = " sq "Stop" sq "; $ProgressPreference = " sq "SilentlyContinue" sq ";\"]")
	c = SMALL ? 0 : range(1, 4)
	for (i = 1; i <= c; i++) {
		L(K("RUN") " Invoke-WebRequest -Uri https://dl.example.com/" pick("vc_redist.x64.exe|nodejs.zip|git.zip") " -OutFile C:\\tmp\\pkg" i " ; " E)
		L("    Start-Process C:\\tmp\\pkg" i " -ArgumentList " sq "/quiet" sq " -Wait ; " E)
		L("    Remove-Item C:\\tmp\\pkg" i " -Force")
	}
	env_block("ASPNETCORE_URLS=http://+:8080 DOTNET_RUNNING_IN_CONTAINER=true")
	L(K("WORKDIR") " C:\\app")
	L(K("COPY") " --from=build C:\\app .")
	L(K("EXPOSE") " 8080")
	L(K("ENTRYPOINT") " [\"dotnet\", \"" APP ".dll\"]")
}

# ---- one file -----------------------------------------------------------------------
function gen_file(idx,   kind, r, path, i, eol) {
	NL = 0
	kind = pick("node|node|python|python|go|go|java|ruby|php|rust|alpine|alpine|debian|debian")
	WIN = chance(2)
	if (WIN) kind = "windows"
	APP = pick("api|web|worker|billing|auth|gateway|catalog|search|notifier|scheduler|ingest|reports|frontend|admin|metrics|chat|payments|inventory|orders|media")
	ORG = pick("acme|example|contoso|initech|globex|umbrella|hooli|vandelay")
	E = WIN ? "`" : "\\"
	J = chance(20) ? ";" : "&&"
	STYLE = J == ";" ? 0 : rnd(2)
	ESTYLE = rnd(3)
	if (ESTYLE == 2 && chance(50)) ESTYLE = 0
	XSPACE = rnd(3)
	MOUNTS = chance(40)
	LOWER = chance(2)
	CRLF = WIN ? chance(50) : chance(3)
	HEX = sprintf("%08x%08x%08x%08x%08x%08x%08x%08x", rnd(2147483647), rnd(2147483647), rnd(2147483647), rnd(2147483647), rnd(2147483647), rnd(2147483647), rnd(2147483647), rnd(2147483647))
	r = rnd(100)
	SMALL = r < 12
	HUGE = r >= 97
	T = SMALL ? range(10, 20) : r < 85 ? range(30, 60) : !HUGE ? range(70, 150) : range(180, 300)
	header()
	if (kind == "node") node_file()
	else if (kind == "python") python_file()
	else if (kind == "go") go_file()
	else if (kind == "java") java_file()
	else if (kind == "ruby") ruby_file()
	else if (kind == "php") php_file()
	else if (kind == "rust") rust_file()
	else if (kind == "alpine") alpine_file()
	else if (kind == "debian") debian_file()
	else windows_file()
	path = sprintf("%s/%05d-%s.Dockerfile", out, idx, kind)
	eol = CRLF ? "\r" : ""
	for (i = 1; i <= NL; i++) printf "%s%s\n", LN[i], eol > path
	close(path)
}

BEGIN {
	S = seed % 2147483647
	if (S == 0) S = 1
	sq = "\047"
	APT = "ca-certificates curl wget git gnupg unzip xz-utils build-essential pkg-config libssl-dev libpq-dev libffi-dev zlib1g-dev libxml2-dev libjpeg62-turbo-dev tini dumb-init netcat-openbsd procps locales tzdata jq openssh-client python3 python3-pip make gcc g++ libsqlite3-dev libyaml-dev libcurl4-openssl-dev gettext-base nginx supervisor cron less vim-tiny iputils-ping dnsutils fonts-dejavu-core libfreetype6-dev libpng-dev libzip-dev libicu-dev"
	APK = "ca-certificates curl wget git bash tzdata tini su-exec openssl jq make gcc g++ musl-dev libffi-dev openssl-dev postgresql-dev linux-headers python3 py3-pip nodejs npm unzip file coreutils shadow libc6-compat icu-libs"
	ENVS = "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=Etc/UTC PATH=/usr/local/bin:$PATH HOME=/home/app APP_ENV=production LOG_LEVEL=info WORKERS=4 PORT=8080 DATA_DIR=/data CONFIG_PATH=/etc/app/config.yaml GOMAXPROCS=2 MALLOC_ARENA_MAX=2 SSL_CERT_DIR=/etc/ssl/certs DEBIAN_FRONTEND=noninteractive"
	for (f = 1; f <= n; f++) gen_file(f)
}
' </dev/null
