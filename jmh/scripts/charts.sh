#!/usr/bin/env bash
# Draws the benchmark charts (PNG, JFreeChart) into docs/charts from result files: load-compare
# summaries (.csv), JMH JSON results (-rf json), idle-memory reports and memory CSVs. Each chart is
# named after the result file it comes from and says in its caption which file and run that was.
# Usage: ./cadre.sh bench charts [--out DIR] [FILE or DIR ...]
#   no FILE: the newest load-compare run, idle-memory run, JMH JSON (suite-*.json, ...) and *memory*.csv in bench-results/
#   DIR:     every such file in DIR (./cadre.sh bench charts docs/results redraws the charts of the quoted runs)
# Name JMH results with a UTC stamp to date their charts: -rf json -rff bench-results/NAME-$(date -u +%Y%m%dT%H%M%SZ).json
source "$(dirname "$0")/common.sh"
require_bench_jar
cd "$ROOT"
exec "$JAVA" -Djava.awt.headless=true -cp "$BENCH_JAR" io.cadre.bench.Charts "$@"
