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

# License compliance: an organisation, its monthly active users in the month Llama 2's
# release date measures (June 2023), then one failing and one passing check.
modelreg org add acme --country US 2>/dev/null || true   # a second run finds it registered
modelreg org mau acme --month 2023-06 --users 1200000
echo "--- acme-chat-apache claims apache-2.0 over a Llama 2 base; distributing it must fail (exit 1):"
status=0
modelreg check acme-chat-apache --org acme --use distribute || status=$?
if [ "$status" -ne 1 ]; then echo "expected exit 1, got $status" >&2; exit 1; fi
echo "--- acme-chat-q4 used internally as a code assistant is compliant (exit 0):"
modelreg check acme-chat-q4 --org acme --use internal --purpose code-assistant
