-- wrk script for bench/gateway-load.sh: every request is the same small, non-streaming chat completion
-- (model + one user message, max_tokens 16). Authentication comes from wrk's -H on the command line, which wrk
-- puts into wrk.headers before this file runs. No request()/response() functions: wrk formats the request once
-- per thread, so the script costs nothing per request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("SYNAXIS_BENCH_BODY")
  or '{"model":"mock-chat","messages":[{"role":"user","content":"Say hello in one short sentence."}],"max_tokens":16}'
