# Sourced by ./mvnw and ./freeanchor: exports JAVA_HOME pointing at a JDK >= 25.
# Order: JAVA_HOME if it is >= 25, else the newest JDK >= 25 under /usr/lib/jvm (or $FREEANCHOR_JVM_DIR).
freeanchor_java_major() { # prints the feature version of the JDK at $1, or nothing
  local release="$1/release" v
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}
freeanchor_find_jdk() {
  local best="" best_v=0 d v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(freeanchor_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
  fi
  for d in "${FREEANCHOR_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -L "$d" ] && continue
    v=$(freeanchor_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "error: no JDK >= 25 found (JAVA_HOME=${JAVA_HOME:-unset}, searched ${FREEANCHOR_JVM_DIR:-/usr/lib/jvm}); install one, e.g. Temurin 25 (apt-get install temurin-25-jdk), or set JAVA_HOME to it" >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
