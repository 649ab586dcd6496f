#!/usr/bin/env bash
# Installs code-server (VS Code served to a browser) for the end-to-end tests.
# It lives in a cache folder, not in node_modules: it is large and is not a
# dependency of the extension. Re-running is cheap: a finished install of the
# same version is kept.
#
# Needs Debian packages: ripgrep (its rg replaces a GitHub download), and, to
# build code-server's native modules, libkrb5-dev libsecret-1-dev libx11-dev
# libxkbfile-dev pkg-config plus a C/C++ toolchain (g++ make python3).
# The tests themselves need chromium.
#
# GOPERF_CODE_SERVER_DIR overrides the folder (default: .cache/code-server).
set -euo pipefail

version=4.100.3
repo_root="$(cd "$(dirname "$0")/.." && pwd)"
install_dir="${GOPERF_CODE_SERVER_DIR:-$repo_root/.cache/code-server}"
done_marker="$install_dir/installed-$version"

if [ -f "$done_marker" ]; then
  echo "code-server $version already installed in $install_dir"
  exit 0
fi

for tool in node npm rg; do
  command -v "$tool" >/dev/null || { echo "e2e-setup: '$tool' not found on PATH" >&2; exit 1; }
done

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  echo "e2e-setup: code-server $version runs on Node 20 only, found $(node --version)" >&2
  exit 1
fi

# @vscode/ripgrep's install step downloads rg from GitHub, which is not
# reachable here; it first looks for the release archive in a cache folder
# under the temp dir, so Debian's rg is put there under the expected name.
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-musl ;;
  *) echo "e2e-setup: no ripgrep cache recipe for $(uname -m)" >&2; exit 1 ;;
esac
rg_cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
rg_archive="$rg_cache/ripgrep-v13.0.0-10-$rg_target.tar.gz"
if [ ! -f "$rg_archive" ]; then
  rg_staging="$(mktemp -d)"
  cp "$(command -v rg)" "$rg_staging/rg"
  mkdir -p "$rg_cache"
  tar czf "$rg_archive" -C "$rg_staging" rg
  rm -rf "$rg_staging"
fi

# A half-finished earlier attempt is thrown away rather than patched up, but
# only when it is recognisably ours: the folder may come from the environment.
if [ -n "$(ls -A "$install_dir" 2>/dev/null)" ] &&
  ! grep -qs '"goperf-e2e-code-server"' "$install_dir/package.json"; then
  echo "e2e-setup: $install_dir is not empty and not a code-server install of ours; not replacing it" >&2
  exit 1
fi
rm -rf "$install_dir"
mkdir -p "$install_dir"
cd "$install_dir"

# npm 11 runs a dependency's install scripts only when approved, and
# code-server is nothing without them: its postinstall runs a further
# `npm install` in lib/vscode that builds node-pty, spdlog, kerberos… and
# fetches rg. npm rejects an approval list given on the command line or in the
# environment of a project install (and would pass it on to that nested one),
# so the approvals go into config files instead: package.json for the outer
# install, where code-server's own script is held back, then lib/vscode/.npmrc
# before that script is run by hand. Each list names just what needs scripts;
# the versions are pinned by code-server's npm-shrinkwrap.json.
cat >package.json <<'JSON'
{
  "name": "goperf-e2e-code-server",
  "private": true,
  "allowScripts": { "argon2": true, "code-server": false }
}
JSON

echo "== installing code-server $version into $install_dir (takes a few minutes)"
started=$SECONDS
npm install --no-audit --no-fund --no-save "code-server@$version"

package_dir="$install_dir/node_modules/code-server"
vscode_scripts=@parcel/watcher,@vscode/deviceid,@vscode/ripgrep,@vscode/spdlog
vscode_scripts+=,kerberos,native-watchdog,node-pty
echo "allow-scripts=$vscode_scripts" >"$package_dir/lib/vscode/.npmrc"
# As root, code-server's postinstall refuses to run without unsafe_perm;
# node-pty's wants `yes` to avoid a prompt.
(cd "$package_dir" && npm_config_yes=true npm_config_unsafe_perm=true npm run postinstall)

code_server="$install_dir/node_modules/.bin/code-server"
# code-server writes a default config and logs under XDG dirs on every start;
# a throwaway home keeps the check from leaving them in the real one.
probe_home="$(mktemp -d)"
reported="$(XDG_CONFIG_HOME="$probe_home" XDG_DATA_HOME="$probe_home" "$code_server" --version 2>/dev/null | grep -m1 'with Code' || true)"
rm -rf "$probe_home"
case "$reported" in
  "$version "*) ;;
  *) echo "e2e-setup: code-server reports '$reported', expected $version" >&2; exit 1 ;;
esac
for native in node-pty/build/Release/pty.node @vscode/spdlog/build/Release/spdlog.node @vscode/ripgrep/bin/rg; do
  [ -e "$install_dir/node_modules/code-server/lib/vscode/node_modules/$native" ] || {
    echo "e2e-setup: code-server's $native is missing: its install script did not run" >&2
    exit 1
  }
done
touch "$done_marker"
echo "== code-server $version ready in $((SECONDS - started))s: $code_server"
