#!/bin/sh
# lsp.sh - `dfopt lsp` driven by a scripted client speaking JSON-RPC over
# its standard input and output, as an editor would: initialize, diagnostics
# on open and change (UTF-16 columns on a line with non-ASCII text before
# the finding), code actions whose edits, applied here, give what
# `dfopt lint --fix` gives, bad messages, and the exit codes of
# shutdown/exit.
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: no python3"
	exit 77
fi

# A project whose config turns DL3018 off: the server must find it from the
# document's path, not from its working directory.
proj=$tmp/proj
mkdir -p "$proj"
printf 'FROM alpine:3.19\n# caf\303\251 \360\237\220\263\nRUN echo "h\303\251llo \360\237\220\263" && apk add curl\nADD file.txt /app/\n' >"$proj/Dockerfile"
echo data >"$proj/file.txt"
mkdir -p "$tmp/badproj"
printf 'no-such-key: 1\n' >"$tmp/badproj/.dfopt.yaml"
printf 'ignored:\n  - DL3018\n' >"$proj/.hadolint.yaml"
# What `dfopt lint` says and does in the project.
(cd "$proj" && "$DFOPT" lint -f json --no-fail Dockerfile) >"$tmp/lint.json" || bad "dfopt lint -f json"
cp -r "$proj" "$tmp/fixed"
(cd "$tmp/fixed" && "$DFOPT" lint --fix --no-fail Dockerfile >/dev/null) || bad "dfopt lint --fix"

# A context with a secret and no ignore file, and a copy with one: the
# ignore-file fixes edit that file too, as `dfopt lint --fix` does.
ctxproj=$tmp/ctxproj
mkdir -p "$ctxproj" "$tmp/ctxold"
printf 'FROM alpine:3.19\nCOPY . /app\n' >"$ctxproj/Dockerfile"
printf 'SECRET=1\n' >"$ctxproj/.env"
cp "$ctxproj/Dockerfile" "$ctxproj/.env" "$tmp/ctxold/"
printf 'node_modules' >"$tmp/ctxold/.dockerignore"	# no final newline

cd "$tmp" || exit 2
if DFOPT=$DFOPT PROJ=$proj CTXPROJ=$ctxproj CTXOLD=$tmp/ctxold BADPROJ=$tmp/badproj LINT_JSON=$tmp/lint.json FIXED=$tmp/fixed/Dockerfile python3 - <<'EOF'
import json, os, signal, subprocess, sys

signal.alarm(120)
dfopt, proj = os.environ["DFOPT"], os.environ["PROJ"]
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)

class Client:
    def __init__(self):
        self.p = subprocess.Popen([dfopt, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.queue = []
    def raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()
    def send(self, msg):
        body = json.dumps(msg).encode()
        self.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    def request(self, id, method, params=None):
        self.send({"jsonrpc": "2.0", "id": id, "method": method, "params": params or {}})
    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})
    def read(self):
        length = None
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        msg = json.loads(self.p.stdout.read(length))
        check(msg.get("jsonrpc") == "2.0", "every message says jsonrpc 2.0")
        return msg
    def wait(self, pred):
        """The first message, queued or read, that pred accepts."""
        for i, m in enumerate(self.queue):
            if pred(m):
                return self.queue.pop(i)
        while True:
            m = self.read()
            if pred(m):
                return m
            self.queue.append(m)
    def response(self, id):
        return self.wait(lambda m: m.get("id") == id and "method" not in m)
    def diagnostics(self, uri):
        m = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        return m["params"]
    def finish(self):
        self.p.stdin.close()
        return self.p.wait(timeout=60)

def utf16_pos(text, off):
    """The LSP position of byte offset off in text (bytes)."""
    head = text[:off]
    line = head.count(b"\n")
    col = head[head.rfind(b"\n") + 1:].decode("utf-8")
    return {"line": line, "character": len(col.encode("utf-16-le")) // 2}

def byte_off(text, line, col):
    """dfopt's 1-based line and byte column as an offset."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == 10]
    return starts[line - 1] + col - 1

def offset_of(text, pos):
    lines = text.split(b"\n")
    off = sum(len(l) + 1 for l in lines[:pos["line"]])
    return off + len(lines[pos["line"]].decode().encode("utf-16-le")[:pos["character"] * 2].decode("utf-16-le").encode())

def apply(text, edits):
    """Apply TextEdits (non-overlapping) to text, as a client does."""
    spans = sorted(((offset_of(text, e["range"]["start"]), offset_of(text, e["range"]["end"]), e["newText"].encode())
                    for e in edits), reverse=True)
    for s, e, t in spans:
        text = text[:s] + t + text[e:]
    return text

path = os.path.join(proj, "Dockerfile")
uri = "file://" + path
text = open(path, "rb").read()
lint = json.load(open(os.environ["LINT_JSON"]))
fixed = open(os.environ["FIXED"], "rb").read()
check(fixed != text, "dfopt lint --fix changes the file")

c = Client()
c.request(1, "textDocument/codeAction", {})
check(c.response(1).get("error", {}).get("code") == -32002, "a request before initialize is refused")
c.request(2, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})
init = c.response(2)["result"]["capabilities"]
check(init["textDocumentSync"]["change"] in (1, 2), "text sync is full or incremental")
check(init["textDocumentSync"]["openClose"] is True, "open and close are wanted")
check(sorted(init["codeActionProvider"]["codeActionKinds"]) == ["quickfix", "source.fixAll.dfopt"],
      "code action kinds")
c.notify("initialized", {})

# Diagnostics on open: dfopt lint's findings, in UTF-16 positions.
c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1,
                                                   "text": text.decode()}})
pub = c.diagnostics(uri)
check(pub.get("version") == 1, "diagnostics name the version")
diags = pub["diagnostics"]
check([d["code"] for d in diags] == [f["code"] for f in lint], "the codes of dfopt lint: %s" % [d["code"] for d in diags])
check("DL3018" not in [d["code"] for d in diags], "the project's config (DL3018 ignored) applies")
for d, f in zip(diags, lint):
    want = {"start": utf16_pos(text, byte_off(text, f["line"], f["column"])),
            "end": utf16_pos(text, byte_off(text, f["end_line"], f["end_column"]))}
    check(d["range"] == want, "%s range %s, want %s" % (f["code"], d["range"], want))
    check(d["source"] == "dfopt", "source is dfopt")
    check(d["severity"] == {"error": 1, "warning": 2, "info": 3, "style": 4}[f["level"]], "%s severity" % f["code"])
    check(d["message"] == f["message"], "%s message" % f["code"])
d3019 = [d for d in diags if d["code"] == "DL3019"]
check(len(d3019) == 1, "DL3019 is reported")
# `RUN echo "héllo 🐳" && apk`: 26 bytes, 23 UTF-16 code units before `apk`.
check(d3019 and d3019[0]["range"]["start"] == {"line": 2, "character": 23}, "DL3019 starts at UTF-16 column 23")
check(d3019 and d3019[0]["codeDescription"]["href"].endswith("/DL3019"), "DL3019 links to its docs")

# Code actions over the whole file: a quickfix per fixable finding and Fix all.
whole = {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 0}}
c.request(3, "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole,
                                         "context": {"diagnostics": diags}})
actions = c.response(3)["result"]
quick = [a for a in actions if a["kind"] == "quickfix"]
check(sorted(a["diagnostics"][0]["code"] for a in quick) == ["DL3019", "DL3020"], "a quickfix per fixable finding")
check(all(a["isPreferred"] and "(unsafe)" not in a["title"] for a in quick), "safe fixes are preferred")
edits = [e for a in quick for e in a["edit"]["changes"][uri]]
check(apply(text, edits) == fixed, "the quickfixes give what dfopt lint --fix gives")
fix_all = [a for a in actions if a["kind"] == "source.fixAll.dfopt"]
check(len(fix_all) == 1 and fix_all[0]["title"] == "Fix all (dfopt)", "a Fix all action")
check(fix_all and apply(text, fix_all[0]["edit"]["changes"][uri]) == fixed, "Fix all gives what dfopt lint --fix gives")

# A cursor on `ADD`: that finding's quickfix only; context.only filters kinds.
cursor = {"start": {"line": 3, "character": 5}, "end": {"line": 3, "character": 5}}
c.request(4, "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": cursor,
                                         "context": {"diagnostics": [], "only": ["quickfix"]}})
actions = c.response(4)["result"]
check([a["diagnostics"][0]["code"] for a in actions] == ["DL3020"], "the range's quickfix only: %s" % actions)
q3020 = actions[0] if actions else None
# A cursor elsewhere on the line, with the diagnostics the client sees there.
cursor = {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}}
c.request(10, "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": cursor, "context": {
    "diagnostics": [d for d in diags if d["code"] == "DL3020"]}})
check([a["diagnostics"][0]["code"] for a in c.response(10)["result"] if a["kind"] == "quickfix"] == ["DL3020"],
      "the quickfix of a diagnostic the client names")

# An incremental change applying the DL3020 quickfix: the diagnostics follow.
if q3020:
    changes = [{"range": e["range"], "text": e["newText"]} for e in q3020["edit"]["changes"][uri]]
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": changes})
    pub = c.diagnostics(uri)
    check(pub["version"] == 2, "diagnostics of version 2")
    codes = [d["code"] for d in pub["diagnostics"]]
    check("DL3020" not in codes and "DL3019" in codes, "after the change: no DL3020, DL3019 still: %s" % codes)
    # DL3019's range did not move: the change was on another line.
    check([d["range"] for d in pub["diagnostics"] if d["code"] == "DL3019"] == [d3019[0]["range"]],
          "DL3019 keeps its range")
# A full change to the fixed text: nothing fixable is left.
c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                    "contentChanges": [{"text": fixed.decode()}]})
codes = [d["code"] for d in c.diagnostics(uri)["diagnostics"]]
check("DL3019" not in codes and "DL3020" not in codes, "the fixed text: no DL3019 or DL3020: %s" % codes)
# An incremental change after the emoji (a surrogate pair in UTF-16): put
# DL3019 back by removing `--no-cache ` after `apk add `.
line = fixed.split(b"\n")[2].decode()
at = len(line[:line.index("--no-cache")].encode("utf-16-le")) // 2
c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4}, "contentChanges": [
    {"range": {"start": {"line": 2, "character": at}, "end": {"line": 2, "character": at + 11}}, "text": ""}]})
diags = c.diagnostics(uri)["diagnostics"]
check([d["range"]["start"] for d in diags if d["code"] == "DL3019"] == [{"line": 2, "character": 23}],
      "an incremental edit in UTF-16 units lands where meant")

# An untitled document (no context) with an unsafe fix.
untitled = "untitled:Untitled-1"
c.notify("textDocument/didOpen", {"textDocument": {"uri": untitled, "languageId": "dockerfile", "version": 1,
                                                   "text": "FROM alpine:3.19\nCMD echo hi\n"}})
codes = [d["code"] for d in c.diagnostics(untitled)["diagnostics"]]
check("DL3025" in codes, "an untitled document is linted: %s" % codes)
c.request(5, "textDocument/codeAction", {"textDocument": {"uri": untitled}, "range": whole, "context": {"diagnostics": []}})
unsafe = [a for a in c.response(5)["result"] if a["kind"] == "quickfix" and a["diagnostics"][0]["code"] == "DL3025"]
check(len(unsafe) == 1 and "(unsafe)" in unsafe[0]["title"] and unsafe[0]["isPreferred"] is False,
      "an unsafe fix says so and is not preferred")

# CRLF line endings and no context (an untitled document): Fix all gives
# what `dfopt lint --fix -` prints.
crlf = "untitled:Untitled-2"
crlf_text = "FROM alpine:3.19\r\n# \u00e9t\u00e9 \U0001F433\r\nRUN echo \"\U0001F433\" && apk add curl\r\nADD a.txt /a/\r\n"
want = subprocess.run([dfopt, "lint", "--fix", "--no-fail", "-"], input=crlf_text.encode(),
                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
c.notify("textDocument/didOpen", {"textDocument": {"uri": crlf, "languageId": "dockerfile", "version": 1,
                                                   "text": crlf_text}})
diags = c.diagnostics(crlf)["diagnostics"]
check([d["range"]["start"] for d in diags if d["code"] == "DL3019"] == [{"line": 2, "character": 17}],
      "a CRLF line: DL3019 at UTF-16 column 17: %s" % diags)
c.request(12, "textDocument/codeAction", {"textDocument": {"uri": crlf}, "range": whole, "context": {"diagnostics": []}})
fix_all = [a for a in c.response(12)["result"] if a["kind"] == "source.fixAll.dfopt"]
check(want != crlf_text.encode() and len(fix_all) == 1 and
      apply(crlf_text.encode(), fix_all[0]["edit"]["changes"][crlf]) == want, "Fix all of a CRLF document")

# A config file that is wrong: said once, and the linting goes on.
bad_path = os.path.join(os.environ["BADPROJ"], "Dockerfile")
bad_uri = "file://" + bad_path
c.notify("textDocument/didOpen", {"textDocument": {"uri": bad_uri, "languageId": "dockerfile", "version": 1,
                                                   "text": "FROM alpine:3.19\nCMD echo hi\n"}})
m = c.wait(lambda m: m.get("method") == "window/showMessage")
check(m["params"]["type"] == 1 and ".dfopt.yaml" in m["params"]["message"], "a config error is shown: %s" % m)
check("DL3025" in [d["code"] for d in c.diagnostics(bad_uri)["diagnostics"]], "linting goes on after a config error")
c.notify("textDocument/didChange", {"textDocument": {"uri": bad_uri, "version": 2},
                                    "contentChanges": [{"text": "FROM alpine:3.19\nCMD echo ho\n"}]})
check(c.diagnostics(bad_uri)["version"] == 2, "diagnostics after the change")
check(not [m for m in c.queue if m.get("method") == "window/showMessage"], "the same config error is shown once")
c.queue.clear()

# A burst of changes, arriving together, is linted once, at its end.
burst = b""
for v in (3, 4, 5):
    body = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": bad_uri, "version": v},
        "contentChanges": [{"text": "FROM alpine:3.19\nCMD echo %d\n" % v}]}}).encode()
    burst += b"Content-Length: %d\r\n\r\n" % len(body) + body
c.raw(burst)
check(c.diagnostics(bad_uri)["version"] == 5, "a burst of changes: one lint, of the last version")

# Bad input: malformed JSON, a bad header, an unknown request; an unknown
# notification gets no answer.
c.raw(b"Content-Length: 9\r\n\r\n{not json")
m = c.read()
check(m.get("id", 0) is None and m.get("error", {}).get("code") == -32700, "malformed JSON: -32700: %s" % m)
c.raw(b"Content-Length: many\r\n\r\n")
m = c.read()
check(m.get("error", {}).get("code") == -32700, "a bad Content-Length: -32700")
c.notify("$/unknownNotification", {})
c.notify("workspace/didChangeConfiguration", {"settings": {}})
c.request(6, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}})
m = c.read()
check(m.get("id") == 6 and m.get("error", {}).get("code") == -32601, "an unknown request: -32601: %s" % m)
c.request(7, "textDocument/codeAction", {"textDocument": {"uri": uri}})
check(c.response(7).get("error", {}).get("code") == -32602, "codeAction without a range: -32602")
c.send([1, 2, 3])
check(c.read().get("error", {}).get("code") == -32600, "not an object: -32600")

# Closing clears the diagnostics.
c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
check(c.diagnostics(uri)["diagnostics"] == [], "didClose clears the diagnostics")

c.request(8, "shutdown")
check(c.response(8).get("result", 0) is None, "shutdown answers null")
c.request(9, "textDocument/codeAction", {})
check(c.response(9).get("error", {}).get("code") == -32600, "requests after shutdown are refused")
c.notify("exit", {})
check(c.finish() == 0, "exit after shutdown: 0")

# Ignore-file fixes. A client that can create files: DF1013's quickfix
# creates .dockerignore with the secret's line, after the Dockerfile's edits.
def ctx_actions(client, path, id):
    uri = "file://" + path
    text = open(path).read()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile",
                                                            "version": 7, "text": text}})
    codes = [d["code"] for d in client.diagnostics(uri)["diagnostics"]]
    check("DF1013" in codes, "the context's secret is found: %s" % codes)
    client.request(id, "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole,
                                                   "context": {"diagnostics": []}})
    return {a["diagnostics"][0]["code"]: a for a in client.response(id)["result"] if a["kind"] == "quickfix"}

ctx = os.environ["CTXPROJ"]
c = Client()
c.request(1, "initialize", {"capabilities": {"workspace": {"workspaceEdit": {
    "documentChanges": True, "resourceOperations": ["create", "rename"]}}}})
c.response(1)
q = ctx_actions(c, os.path.join(ctx, "Dockerfile"), 2).get("DF1013")
dc = q["edit"].get("documentChanges", []) if q else []
ignore_uri = "file://" + os.path.join(ctx, ".dockerignore")
check(len(dc) == 3 and dc[0] == {"kind": "create", "uri": ignore_uri, "options": {"ignoreIfExists": True}},
      "DF1013's quickfix creates .dockerignore first: %s" % dc)
check(len(dc) == 3 and dc[1]["textDocument"] == {"uri": "file://" + os.path.join(ctx, "Dockerfile"), "version": 7},
      "then edits the Dockerfile, at its version")
check(len(dc) == 3 and dc[2]["textDocument"]["uri"] == ignore_uri and
      [e["newText"] for e in dc[2]["edits"]] == [".env\n"], "then writes the secret's line: %s" % dc[2:])
check(q and "(unsafe)" in q["title"], "an ignore-file fix is unsafe, as dfopt lint says")
c.request(3, "shutdown")
c.response(3)
c.notify("exit", {})
c.finish()

# A client without documentChanges: no quickfix that must create a file;
# an ignore file that exists is edited through changes, at its end (after
# the line ending its last line lacks).
old = os.environ["CTXOLD"]
c = Client()
c.request(1, "initialize", {"capabilities": {}})
c.response(1)
check("DF1013" not in ctx_actions(c, os.path.join(ctx, "Dockerfile"), 2),
      "no file to create without resourceOperations: no quickfix")
q = ctx_actions(c, os.path.join(old, "Dockerfile"), 3).get("DF1013")
ch = q["edit"].get("changes", {}) if q else {}
old_uri = "file://" + os.path.join(old, ".dockerignore")
check(ch.get(old_uri) == [{"range": {"start": {"line": 0, "character": 12}, "end": {"line": 0, "character": 12}},
                           "newText": "\n.env\n"}], "the existing ignore file is appended to: %s" % ch)
c.request(4, "shutdown")
c.response(4)
c.notify("exit", {})
c.finish()

# exit without shutdown: 1; end of input without it: 1 too.
c = Client()
c.request(1, "initialize", {"capabilities": {}})
c.response(1)
c.notify("exit", {})
check(c.finish() == 1, "exit without shutdown: 1")
c = Client()
check(c.finish() == 1, "end of input without shutdown: 1")

# A message over the size limit is skipped (not held) and answered.
c = Client()
c.raw(b"Content-Length: 99999999999\r\n\r\n")
c.p.stdin.close()
check(c.p.wait(timeout=60) == 1, "an oversized message at the end of input")

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
EOF
then ok; else bad "the scripted LSP client"; fi

finish lsp
