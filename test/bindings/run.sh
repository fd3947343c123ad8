#!/usr/bin/env bash
# The bindings proof: build the Python, Java and Go packages with jsii-pacmak from this checkout, synthesize the
# same small app (a FoundryCluster, a WebService, a WorkerService) in TypeScript, Python, Java and Go with the
# CDK CLI, and fail unless every language's template equals the TypeScript app's.
#
# Run it after the jsii compile (.ci/run does, after `npx projen package`): test/bindings/run.sh
# Everything it builds or downloads stays in the clone (dist/, test/bindings/.out/, both gitignored) or in the
# tools' own caches (~/.m2, ~/.cache/pip, Go's module and build caches). It needs python3, java + mvn and go.
#
# What is compared: each stack's *.template.json, as parsed JSON (key order does not matter), nothing normalized.
# `--no-version-reporting --no-path-metadata --no-asset-metadata` keep out of the templates what records how an
# app was run rather than what it builds (the CDKMetadata resource and aws:cdk:* metadata); asset hashes, logical
# ids and every property are compared as they are.
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$PWD"
here="$root/test/bindings"
out="$here/.out"

# Versions: the TypeScript tests' aws-cdk-lib and constructs (MIN_CDK_VERSION in .projenrc.ts), read from the
# installed packages so that there is one source of truth.
cdk_version="$(node -p "require('aws-cdk-lib/package.json').version")"
constructs_version="$(node -p "require('constructs/package.json').version")"

cdk="$root/node_modules/.bin/cdk"
synth_flags=(--no-version-reporting --no-path-metadata --no-asset-metadata --quiet)
export CDK_DISABLE_VERSION_CHECK=true
# The jsii runtimes warn that Node.js 20 reached end of life on every start (the library supports Node >= 20.16).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# Go: let the build record module requirements (the checked-in go.mod and go.sum already hold them, so nothing
# changes, and `check_clean` in .ci/run fails if something would), stamp no VCS data into the throwaway binary (no
# git calls), and compile with every core, no more.
export GOFLAGS='-mod=mod -buildvcs=false'
export GOMAXPROCS="${GOMAXPROCS:-$(nproc)}"

step() { printf '\n==> bindings: %s\n' "$*"; }
current='setup'
trap 'echo "bindings: FAILED during: ${current}" >&2' ERR

declare -a timing_rows=()
# timed LANGUAGE PHASE COMMAND...: run the command and record how long it took.
timed() {
  local lang="$1" phase="$2"
  shift 2
  current="${lang}: ${phase}"
  step "${lang}: ${phase}"
  local start="$SECONDS"
  "$@"
  timing_rows+=("${lang}|${phase}|$((SECONDS - start))")
}

# synth LANGUAGE APP_COMMAND: the real CDK CLI, run in test/bindings (its cdk.json gives the AZ context).
synth() {
  (cd "$here" && "$cdk" synth --app "$2" --output "$out/$1" "${synth_flags[@]}")
}

rm -rf "$out"
mkdir -p "$out"
total_start="$SECONDS"

# --- TypeScript: the reference --------------------------------------------------------------------------------
timed typescript synth synth typescript "npx ts-node --prefer-ts-exts typescript/app.ts"

# --- Python -----------------------------------------------------------------------------------------------------
timed python package npx projen package:python
python_install() {
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install --quiet --disable-pip-version-check --no-compile \
    "$root"/dist/python/cdk_ecs_foundry-*.whl "aws-cdk-lib==${cdk_version}" "constructs==${constructs_version}"
}
timed python install python_install
timed python synth synth python "$out/venv/bin/python python/app.py"

# --- Java -------------------------------------------------------------------------------------------------------
java_package() {
  local m2="$HOME/.m2/repository"
  local cdk_dir="$m2/software/amazon/awscdk/aws-cdk-lib"
  # The library's pom asks for aws-cdk-lib [MIN,3.0.0), a range, which Maven resolves from the repository's
  # maven-metadata.xml. The Maven Central mirror this machine reaches serves an aws-cdk-lib metadata file that
  # stops at an older version (it does serve the version's files), so the range finds nothing. Installing the
  # fetched version into the local repository lists it in maven-metadata-local.xml, which Maven reads too.
  if ! grep -qs "<version>${cdk_version}</version>" "$cdk_dir/maven-metadata-local.xml"; then
    mvn -q -B dependency:get "-Dartifact=software.amazon.awscdk:aws-cdk-lib:${cdk_version}"
    local tmp
    tmp="$(mktemp -d)"
    cp "$cdk_dir/$cdk_version/aws-cdk-lib-${cdk_version}".{jar,pom} "$tmp/"
    mvn -q -B install:install-file "-Dfile=$tmp/aws-cdk-lib-${cdk_version}.jar" "-DpomFile=$tmp/aws-cdk-lib-${cdk_version}.pom"
    rm -rf "$tmp"
  fi
  # projen's package:java, with Maven's usual local repository instead of a new empty one per build (jsii-pacmak
  # isolates its builds by default, which would download aws-cdk-lib's 100 MB of jars on every run).
  npx jsii-pacmak -v --target java --maven-local-repository="$m2"
}
timed java package java_package
java_build() {
  local dir="$root/dist/java/io/github/cdk-ecs-foundry/cdk-ecs-foundry/0.0.0"
  # Reinstalled on every run: a local build is always version 0.0.0, and Maven never refreshes a release version.
  mvn -q -B install:install-file "-Dfile=$dir/cdk-ecs-foundry-0.0.0.jar" "-DpomFile=$dir/cdk-ecs-foundry-0.0.0.pom"
  mvn -q -B -f "$here/java/pom.xml" "-Dcdk.version=${cdk_version}" "-Dconstructs.version=${constructs_version}" compile
}
timed java build java_build
timed java synth synth java "mvn -q -B -f java/pom.xml -Dcdk.version=${cdk_version} -Dconstructs.version=${constructs_version} exec:java"

# --- Go ---------------------------------------------------------------------------------------------------------
# projen's package:go also runs `go mod tidy` and `go build` on the generated module against the versions that
# the library's peer dependency names (aws-cdk-go v2 at MIN_CDK_VERSION). The Go module proxy this machine
# reaches does not serve those versions, so the module is generated here (--code-only) and compiled by building
# the app, whose go.mod selects the oldest served aws-cdk-go release above the minimum (see go/go.mod).
timed go package npx jsii-pacmak -v --target go --code-only
go_build() { (cd "$here/go" && go build -o "$out/go-app" .); }
timed go build go_build
timed go synth synth go "$out/go-app"

# --- Compare ----------------------------------------------------------------------------------------------------
current='compare'
step 'compare every template with the TypeScript app'"'"'s'
python3 - "$out" typescript python java go <<'PY'
import difflib, json, pathlib, sys

out, reference, *languages = sys.argv[1:]
root = pathlib.Path(out)

def templates(lang):
    return {p.name: json.loads(p.read_text()) for p in sorted((root / lang).glob('*.template.json'))}

expected = templates(reference)
if not expected:
    sys.exit(f'bindings: the {reference} app synthesized no template')
failed = False
for lang in languages:
    actual = templates(lang)
    if sorted(actual) != sorted(expected):
        print(f'bindings: {lang} synthesized {sorted(actual)}, {reference} synthesized {sorted(expected)}', file=sys.stderr)
        failed = True
        continue
    for name, template in expected.items():
        if actual[name] == template:
            print(f'  {lang}: {name} equals the {reference} template ({len(template.get("Resources", {}))} resources)')
            continue
        failed = True
        print(f'bindings: {lang}: {name} differs from the {reference} template:', file=sys.stderr)
        dump = lambda t: json.dumps(t, indent=1, sort_keys=True).splitlines()
        diff = list(difflib.unified_diff(dump(template), dump(actual[name]), f'{reference}/{name}', f'{lang}/{name}', lineterm=''))
        print('\n'.join(diff[:200]), file=sys.stderr)
        if len(diff) > 200:
            print(f'... {len(diff) - 200} more diff lines; see test/bindings/.out/{lang}/{name}', file=sys.stderr)
if failed:
    sys.exit('bindings: the language bindings do not synthesize the TypeScript app\'s template (see above)')
PY

# --- Report -----------------------------------------------------------------------------------------------------
current='report'
go_cdk="$(cd "$here/go" && go list -m -f '{{.Version}}' github.com/aws/aws-cdk-go/awscdk/v2)"
python_cdk="$("$out/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("aws-cdk-lib"))')"
step 'timings (seconds)'
printf '%-11s %-8s %5s\n' language phase seconds
declare -A per_language=()
for row in "${timing_rows[@]}"; do
  IFS='|' read -r lang phase secs <<<"$row"
  printf '%-11s %-8s %5s\n' "$lang" "$phase" "$secs"
  per_language[$lang]=$((${per_language[$lang]:-0} + secs))
done
for lang in typescript python java go; do
  printf '%-11s %-8s %5s\n' "$lang" all "${per_language[$lang]}"
done
printf '%-11s %-8s %5s\n' total '' "$((SECONDS - total_start))"
echo
echo "aws-cdk-lib used: typescript ${cdk_version}, python ${python_cdk}, java ${cdk_version}, go ${go_cdk#v}"
echo 'bindings: 3 passed, 0 failed'
