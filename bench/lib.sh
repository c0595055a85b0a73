# Shared by the bench scripts (sourced, not run): random values, free ports, waiting for a URL, and the stores
# (redis-server and PostgreSQL) started from the AppHost's local scripts in the caller's $work folder. The caller
# sets $root and $work, and owns the arrays `stores` (pids to kill after everything else) and the variable
# `postgres_pid` (stopped with SIGINT, PostgreSQL's fast shutdown) in its cleanup.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
random_text() { # LENGTH ALPHABET
  python3 -c 'import secrets,sys; print("".join(secrets.choice(sys.argv[2]) for _ in range(int(sys.argv[1]))))' "$1" "$2"
}
random_base62() { # 43 characters, leading '0' so the value is always below 2^256 (canonical)
  printf '0%s' "$(random_text 42 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz)"
}
wait_for() { # URL [LOG] — until URL answers 2xx (60 s); shows LOG if it never does
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "$1 did not come up${2:+; $2:}" >&2; [ -z "${2:-}" ] || cat "$2" >&2; exit 1
}

# redis-server on a free port with a random password: sets redis_port, redis_password; defines rcli.
start_redis() {
  redis_port=$(free_port)
  redis_password=$(random_text 32 0123456789abcdef)
  printf '%s' "$redis_password" >"$work/redis-password"
  PORT=$redis_port bash "$root/Synaxis.AppHost/Infrastructure/scripts/redis-local.sh" "$work/redis" "$work/redis-password" >"$work/redis.log" 2>&1 &
  stores+=($!)
  for _ in $(seq 1 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
  rcli ping >/dev/null 2>&1 || { echo "redis-server did not come up:" >&2; cat "$work/redis.log" >&2; exit 1; }
}
rcli() { redis-cli -p "$redis_port" -a "$redis_password" --no-auth-warning "$@"; }

# PostgreSQL with a database `synaxis` on a free port: sets postgres_port, postgres_password, postgres_pid.
# As root it runs as the postgres user, who must be able to enter $work (chmod 755).
start_postgres() {
  postgres_port=$(free_port)
  postgres_password=$(random_text 32 0123456789abcdef)
  printf '%s' "$postgres_password" >"$work/postgres-password"
  PORT=$postgres_port bash "$root/Synaxis.AppHost/Infrastructure/scripts/postgres-local.sh" "$work/postgres" "$work/postgres-password" synaxis >"$work/postgres.log" 2>&1 &
  postgres_pid=$! # the script execs the server: this is PostgreSQL's postmaster
  for _ in $(seq 1 300); do
    PGPASSWORD=$postgres_password psql -h 127.0.0.1 -p "$postgres_port" -U postgres -d synaxis -tAc 'select 1' >/dev/null 2>&1 && return 0
    kill -0 "$postgres_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "PostgreSQL did not come up:" >&2; cat "$work/postgres.log" >&2; exit 1
}
