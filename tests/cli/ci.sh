#!/bin/sh
# ci.sh - the CI integrations: action.yml (the GitHub composite action),
# docs/gitlab-ci.yml (the GitLab CI template) and .pre-commit-hooks.yaml.
#
# Each file must be YAML of the shape its host reads (keys, defaults, a
# shell for every composite step, inputs reaching scripts only through the
# environment). Then the scripts run here, with the dfopt under test in
# place of the one they would build: the action's lint step with its
# inputs (SARIF file, annotations in GitHub's workflow command syntax,
# thresholds, extra args, several paths), and the GitLab job (a Code
# Quality report). The YAML checks need python3 with its yaml module
# (pre-commit depends on it); without them, they and the script runs are
# skipped and only the key greps remain.
# shellcheck disable=SC2016 # the single-quoted scripts are Python's
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

action=$SRC/action.yml
gitlab=$SRC/docs/gitlab-ci.yml
hooks=$SRC/.pre-commit-hooks.yaml

# The keys a reader greps for are there, YAML module or not.
for key in "using: composite" "paths:" "format:" "default: sarif" "failure-threshold:" "config:" "args:" \
	"output-file:" "annotations:" "GITHUB_ACTION_PATH" "apt-get install"; do
	contains "$action" "$key" "action.yml"
done
for key in "-f gitlab_codeclimate -o gl-codequality.json" "codequality: gl-codequality.json" "when: always"; do
	contains "$gitlab" "$key" "gitlab-ci.yml"
done
for key in "id: dfopt" "id: dfopt-fix" "language: script" "files:"; do
	contains "$hooks" "$key" ".pre-commit-hooks.yaml"
done

if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "ci: no python3 yaml module: YAML shapes and script runs skipped"
	finish ci
	exit
fi

# py CHECK-NAME SCRIPT ARGS...: a python3 check; it prints what is wrong.
py() {
	what=$1; shift
	if python3 -c "$@" >"$tmp/py" 2>&1; then ok; else bad "$what"; sed 's/^/  | /' "$tmp/py"; fi
}

# --- shapes --------------------------------------------------------------
py "action.yml: shape" '
import re, sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
assert a["name"] and a["description"], "name and description"
ins = a["inputs"]
for k in ("paths", "format", "output-file", "annotations", "failure-threshold", "config", "args"):
    assert k in ins and ins[k]["description"], "input " + k
    assert isinstance(ins[k].get("default"), str), "input %s: a string default" % k
assert ins["format"]["default"] == "sarif"
assert ins["output-file"]["default"].endswith(".sarif")
for k in ("report", "exit-code"):
    assert re.fullmatch(r"\$\{\{ steps\.lint\.outputs\.%s \}\}" % k, a["outputs"][k]["value"]), "output " + k
runs = a["runs"]
assert runs["using"] == "composite"
ids = [s.get("id") for s in runs["steps"]]
assert "lint" in ids
for s in runs["steps"]:
    assert set(s) <= {"name", "id", "shell", "run", "env", "working-directory", "if", "uses", "with"}, s.keys()
    if "run" in s:
        assert s.get("shell") == "bash", "every run step of a composite action names its shell"
        # inputs reach scripts through env: no expression pasted into a script
        assert "${{" not in s["run"], s["name"] + ": an expression in run"
lint = runs["steps"][ids.index("lint")]
for k in ins:
    assert "${{ inputs.%s }}" % k in lint["env"].values(), "input %s not passed to the lint step" % k
' "$action"

py "docs/gitlab-ci.yml: shape" '
import sys, yaml
g = yaml.safe_load(open(sys.argv[1]))
t, job = g[".dfopt"], g["dfopt"]
assert job["extends"] == ".dfopt"
assert t["image"].startswith("debian:")
assert t["artifacts"]["when"] == "always"
assert t["artifacts"]["reports"]["codequality"] == "gl-codequality.json"
assert any("-f gitlab_codeclimate -o gl-codequality.json" in line for line in t["script"])
for v in ("DFOPT_CI_REPO", "DFOPT_CI_REF", "DFOPT_CI_PATHS", "DFOPT_CI_ARGS"):
    assert isinstance(t["variables"][v], str), v
' "$gitlab"

py ".pre-commit-hooks.yaml: shape" '
import os, re, sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
assert [h["id"] for h in hooks] == ["dfopt", "dfopt-fix"]
for h in hooks:
    assert h["language"] == "script" and h["name"] and h["description"]
    entry = os.path.join(sys.argv[2], h["entry"].split()[0])
    assert os.access(entry, os.X_OK), entry + " is not executable"
    re.compile(h["files"])
' "$hooks" "$SRC"

# --- the action's lint step, run --------------------------------------------
# step_script ID: the step's script in $tmp/step.sh and its env, with the
# input defaults, in $tmp/step.env (NAME=VALUE lines, VALUE in Python repr
# is not needed: values are one line).
python3 -c '
import re, sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
lint = [s for s in a["runs"]["steps"] if s.get("id") == "lint"][0]
open(sys.argv[2], "w").write(lint["run"])
with open(sys.argv[3], "w") as f:
    for name, value in lint["env"].items():
        m = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)
        f.write("%s=%s\n" % (name, a["inputs"][m.group(1)]["default"]))
' "$action" "$tmp/step.sh" "$tmp/step.env"

mkdir -p "$tmp/action/.action-build" "$tmp/ws/svc"
ln -s "$(cd "$(dirname "$DFOPT")" && pwd -P)/$(basename "$DFOPT")" "$tmp/action/.action-build/dfopt"
printf 'FROM ubuntu\nRUN cd /tmp && make\n' >"$tmp/ws/Dockerfile"
printf 'FROM alpine:3.20\nUSER 65534\n' >"$tmp/ws/svc/a,b:c.Dockerfile"
printf 'FROM alpine\nUSER 65534\n' >"$tmp/ws/svc/api.Dockerfile"

# lint_step [NAME=VALUE...]: run the step in $tmp/ws, the inputs' defaults
# overridden by the arguments; stdout in $tmp/out, the step's outputs in
# $tmp/ghout, the exit status in $rc.
lint_step() {
	rm -f "$tmp/ghout" "$tmp/ws/dfopt.sarif"
	: >"$tmp/ghout"
	(
		# shellcheck disable=SC2163 # kv is NAME=VALUE: export it as given
		while IFS= read -r kv; do export "$kv"; done <"$tmp/step.env"
		# shellcheck disable=SC2163
		for kv in "$@"; do export "$kv"; done
		# as the runner runs a step with `shell: bash`
		cd "$tmp/ws" && GITHUB_ACTION_PATH=$tmp/action GITHUB_OUTPUT=$tmp/ghout \
			bash --noprofile --norc -eo pipefail "$tmp/step.sh"
	) >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# commands FILE: every line is a workflow command of the shape GitHub
# documents; prints the offending line otherwise.
cmd_re='^::(error|warning|notice) file=[^,:]+,line=[1-9][0-9]*(,col=[1-9][0-9]*,endLine=[1-9][0-9]*,endColumn=[1-9][0-9]*|,endLine=[1-9][0-9]*)?,title=[^,:]+::.*$'
commands() {
	if [ -s "$1" ] && ! grep -Evq -- "$cmd_re" "$1"; then ok; else bad "$2: not workflow commands"; grep -Ev -- "$cmd_re" "$1" | head -3; fi
}

lint_step
is "action defaults: findings fail the step" "$rc" 1
commands "$tmp/out" "action defaults: stdout"
contains "$tmp/out" "::warning file=Dockerfile,line=1,col=6,endLine=1,endColumn=11,title=DL3006::Always tag the version" \
	"action defaults: a DL3006 annotation"
contains "$tmp/out" "::warning file=svc/api.Dockerfile,line=1,col=6,endLine=1,endColumn=11,title=DL3006::" \
	"action defaults: the directory is searched"
lacks "$tmp/out" "a,b:c" "action defaults: ',' and ':' in a file name are escaped"
py "action defaults: the SARIF report" '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["version"] == "2.1.0", s["version"]
rules = {r["ruleId"] for r in s["runs"][0]["results"]}
assert {"DL3006", "DL3003"} <= rules, rules
' "$tmp/ws/dfopt.sarif"
contains "$tmp/ghout" "report=dfopt.sarif" "action defaults: output report"
contains "$tmp/ghout" "exit-code=1" "action defaults: output exit-code"

lint_step DFOPT_ACTION_PATHS=svc DFOPT_ACTION_ARGS="--ignore DL3006 --no-context"
is "action: args and paths" "$rc" 0
is "action: no findings, no annotations" "$(wc -c <"$tmp/out")" 0
contains "$tmp/ghout" "exit-code=0" "action: exit-code 0"

lint_step DFOPT_ACTION_FORMAT=github "DFOPT_ACTION_PATHS=Dockerfile
svc/a,b:c.Dockerfile" DFOPT_ACTION_THRESHOLD=error
is "action format github, threshold error" "$rc" 0
commands "$tmp/out" "action format github"
contains "$tmp/out" "title=DL3003::Use WORKDIR" "action format github: findings"
if [ -e "$tmp/ws/dfopt.sarif" ]; then bad "action format github: a report file"; else ok; fi
contains "$tmp/ghout" "report=" "action format github: output report (empty)"
lacks "$tmp/ghout" "report=dfopt" "action format github: no report named"

lint_step DFOPT_ACTION_ANNOTATIONS=false DFOPT_ACTION_FORMAT=json DFOPT_ACTION_OUTPUT=lint.json
is "action json, no annotations" "$rc" 1
contains "$tmp/out" "Dockerfile:1:6 DL3006 warning" "action no annotations: tty in the log"
lacks "$tmp/out" "::warning" "action no annotations: no commands"
py "action json: the report" 'import json, sys; assert json.load(open(sys.argv[1]))' "$tmp/ws/lint.json"

lint_step DFOPT_ACTION_CONFIG=missing.yaml
is "action: a missing config is an error" "$rc" 2
contains "$tmp/ghout" "exit-code=2" "action: exit-code 2"

# --- the GitLab job, run --------------------------------------------------------
# before_script then script, as GitLab runs them: one shell, the job's
# variables exported, dfopt on PATH (so nothing is built).
python3 -c '
import shlex, sys, yaml
t = yaml.safe_load(open(sys.argv[1]))[".dfopt"]
with open(sys.argv[2], "w") as f:
    f.write("set -e\n")
    for k, v in t["variables"].items():
        f.write("export %s=%s\n" % (k, shlex.quote(v)))
    for line in t["before_script"] + t["script"]:
        f.write(line + "\n")
' "$gitlab" "$tmp/job.sh"
mkdir -p "$tmp/bin"
ln -s "$(cd "$(dirname "$DFOPT")" && pwd -P)/$(basename "$DFOPT")" "$tmp/bin/dfopt"
(cd "$tmp/ws" && PATH=$tmp/bin:$PATH sh "$tmp/job.sh") >"$tmp/out" 2>&1
is "gitlab job: findings fail the job" "$?" 1
contains "$tmp/out" "Dockerfile:1:6 DL3006 warning" "gitlab job: tty in the log"
py "gitlab job: the Code Quality report" '
import json, sys
issues = json.load(open(sys.argv[1]))
assert isinstance(issues, list) and issues
paths = set()
for i in issues:
    assert i["type"] == "issue" and i["check_name"] and i["description"]
    assert i["severity"] in ("info", "minor", "major", "critical", "blocker"), i["severity"]
    assert len(i["fingerprint"]) == 16
    assert i["location"]["lines"]["begin"] >= 1
    # `dfopt lint .` names files as the repository does (no "./").
    paths.add(i["location"]["path"])
assert {"Dockerfile", "svc/api.Dockerfile"} <= paths, paths
' "$tmp/ws/gl-codequality.json"

finish ci
