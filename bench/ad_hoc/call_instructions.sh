#!/bin/sh
# Instructions per call (callgrind): 5,000 calls minus none, over 5,000. Repeatable on a busy machine.
cd "$(dirname "$0")/../.." || exit 1
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python bench/ad_hoc/call_cost.py once "$1" 2>&1 | sed -n 's/.*Collected : //p'; }
a=$(count 0); b=$(count 5000)
echo "instructions per call: $(( (b - a) / 5000 ))"
