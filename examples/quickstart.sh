#!/usr/bin/env bash
# The README's quick start: offline, on the default SQLite catalog.
set -euo pipefail
demo="${1:-$(mktemp -d)/modelreg-demo}"
python "$(dirname "$0")/make_family.py" "$demo"
# Start from a clean slate if the quick start ran before (children before parents).
for v in acme-chat-apache acme-chat-q4 acme-chat llama-2-7b; do modelreg rm "$v" 2>/dev/null || true; done

modelreg add "$demo/llama-2-7b" --name llama-2-7b
modelreg add "$demo/acme-chat" --name acme-chat                  # parent and license from its model card
modelreg add "$demo/acme-chat-q4" --name acme-chat-q4
modelreg add "$demo/acme-chat-apache" --name acme-chat-apache
modelreg list
modelreg tree acme-chat-q4
modelreg verify --all
