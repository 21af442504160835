#!/usr/bin/env bash
# Regenerate src/api/schema.d.ts from the API's own OpenAPI document (the one /openapi.json
# serves, built without a server). With --check: fail when the checked-in file differs, so a
# backend change that the web app has not caught up with fails `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
OUT=frontend/src/api/schema.d.ts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PYTHONPATH=. "$PY" frontend/scripts/openapi_json.py >"$tmp/openapi.json"
# --default-non-nullable false: a field with a default is optional in request bodies.
npx --no-install openapi-typescript "$tmp/openapi.json" --default-non-nullable false \
  -o "$tmp/schema.d.ts" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
if [ "${1:-}" = "--check" ]; then
  if ! diff -q "$OUT" "$tmp/schema.d.ts" >/dev/null; then
    diff -u "$OUT" "$tmp/schema.d.ts" | head -40 >&2
    echo "$OUT is stale: the API changed. Run 'make web-types' and fix what tsc reports." >&2
    exit 1
  fi
  echo "API types match the OpenAPI document."
else
  cp "$tmp/schema.d.ts" "$OUT"
  echo "wrote $OUT"
fi
