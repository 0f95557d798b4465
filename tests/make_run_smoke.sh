#!/usr/bin/env bash
# The README's promise, checked as written: `make run` serves, and /health answers 200.
# Runs `make run` on a free loopback port with a fresh data folder, waits for /health, checks the
# demo administrator's set-up link was printed and opens its page, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
data=$(mktemp -d)
log="$data/make-run.log"
trap 'kill -TERM -- -"$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT

MESH_PORTAL_LISTEN_ADDR="127.0.0.1:$port" MESH_PORTAL_DATA_DIR="$data/data" \
	setsid make run >"$log" 2>&1 &
pid=$!

for _ in $(seq 1 600); do
	if status=$(curl -s -o "$data/health.json" -w '%{http_code}' "http://127.0.0.1:$port/health"); then
		if [ "$status" = 200 ]; then
			echo "make run: /health answered 200: $(cat "$data/health.json")"
			test -f "$data/data/mesh-portal.db" || { echo "make run: no SQLite database in the data folder"; exit 1; }
			link=$(grep -o '/activate/[A-Za-z0-9_-]*' "$log" | head -n 1) \
				|| { echo "make run: no set-up link for the demo administrator:"; cat "$log"; exit 1; }
			page=$(curl -s "http://127.0.0.1:$port$link")
			grep -q 'Create your PIN' <<<"$page" \
				|| { echo "make run: the printed set-up link did not open the set-up page"; exit 1; }
			echo "make run: the demo administrator's set-up link opens the set-up page"
			# The build's output names are the ones the pages link to: every script, bundle and
			# style sheet a page names is served, the bundle as WebAssembly.
			assets=$(grep -oE '(href|src)="/(pkg|nhsuk)/[^"]+"' <<<"$page" | sed -E 's/^[a-z]+="//; s/"$//' | sort -u)
			for kind in pkg/mesh-portal.js pkg/mesh-portal_bg.wasm pkg/mesh-portal.css nhsuk/nhsuk-frontend.min.css; do
				grep -qx "/$kind" <<<"$assets" || { echo "make run: the page does not link /$kind:"; echo "$assets"; exit 1; }
			done
			for asset in $assets; do
				got=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "http://127.0.0.1:$port$asset")
				case "$asset:$got" in
					*.wasm:"200 application/wasm" | *.js:"200 text/javascript"* | *.css:"200 text/css"* | *.svg:"200 image/svg+xml") ;;
					*) echo "make run: $asset answered $got"; exit 1 ;;
				esac
			done
			echo "make run: the page's bundle, scripts and styles are served ($(wc -w <<<"$assets") files)"
			# Nothing comes from another host: not the styles' fonts, not the policy's sources.
			for sheet in /nhsuk/nhsuk-frontend.min.css /pkg/mesh-portal.css; do
				if curl -s "http://127.0.0.1:$port$sheet" | grep -qE 'url\(["'"'"']?(https?:)?//'; then
					echo "make run: $sheet loads something from another host"; exit 1
				fi
			done
			policy=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/" | grep -i '^content-security-policy:')
			if grep -qE 'https?://' <<<"$policy"; then
				echo "make run: the pages' policy allows another host: $policy"; exit 1
			fi
			echo "make run: nothing is loaded from another host"
			exit 0
		fi
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "make run stopped before /health answered:"; cat "$log"; exit 1
	fi
	sleep 0.5
done
echo "make run: /health did not answer 200 within 300 s"; cat "$log"; exit 1
