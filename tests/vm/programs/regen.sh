#!/bin/sh
# Regenerates the expected output of every program with CPython 3.11 (python3 on PATH).
# Output is stdout and stderr together, then "exit code: N".
cd "$(dirname "$0")"
for f in *.py; do
    python3 "$f" > "${f%.py}.expected" 2>&1
    echo "exit code: $?" >> "${f%.py}.expected"
    sed -i "s|$(pwd)/||g" "${f%.py}.expected"
    # CPython 3.11's ^^^ markers under traceback lines are not reproduced
    if grep -q "^Traceback (most recent call last):" "${f%.py}.expected"; then
        sed -i -E '/^ +[~^]+ *$/d' "${f%.py}.expected"
    fi
done
