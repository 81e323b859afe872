#!/bin/sh
# feed-stdin.sh INPUT CMD...: run CMD with INPUT (no newline added) as its
# whole standard input, then EOF (console input tests).
input=$1
shift
printf '%s' "$input" | "$@"
