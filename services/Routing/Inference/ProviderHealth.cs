using System.Collections.Concurrent;
using Synaxis.Routing.Model;

namespace Synaxis.Routing.Inference;

/// <summary>
/// Each provider's live health on this instance, fed by real outcomes: a latency EWMA, an error-rate EWMA, a rest
/// until a 429's retry-after, and a circuit breaker (<see cref="FailuresToOpen"/> failures in a row open it for
/// <see cref="OpenFor"/>; then one trial call half-opens it, and its outcome closes or reopens it).
/// Score = (1 − error rate) × 1 / (1 + latency / 2 s), 0–1: what <c>minHealthScore</c> and the strategies compare.
/// </summary>
public sealed class ProviderHealth(TimeProvider time, TimeSpan? openFor = null)
{
    public const int FailuresToOpen = 5;

    /// <summary>The default cooldown of an open circuit (setting <c>Routing:CircuitOpenFor</c>).</summary>
    public static readonly TimeSpan DefaultOpenFor = TimeSpan.FromSeconds(30);

    public TimeSpan OpenFor { get; } = openFor ?? DefaultOpenFor;
    private const double Alpha = 0.2;

    private readonly ConcurrentDictionary<Guid, State> _states = new();

    public sealed record Snapshot(double Score, string CircuitState, double LatencyEwmaMs, double ErrorRate);

    /// <summary>The providers this instance has called.</summary>
    public ICollection<Guid> Tracked => _states.Keys;

    /// <summary>Whether a call may go to the provider now (closed circuit, or the one trial of a half-open one, and not resting).</summary>
    public bool TryAcquire(Guid providerId)
    {
        var state = _states.GetOrAdd(providerId, static _ => new State());
        var now = time.GetUtcNow();
        lock (state)
        {
            if (state.RestUntil > now)
            {
                return false;
            }
            if (state.Circuit == CircuitStates.Open)
            {
                if (state.OpenUntil > now)
                {
                    return false;
                }
                state.Circuit = CircuitStates.HalfOpen;
                state.TrialInFlight = true;
                return true;
            }
            if (state.Circuit == CircuitStates.HalfOpen)
            {
                if (state.TrialInFlight)
                {
                    return false;
                }
                state.TrialInFlight = true;
            }
            return true;
        }
    }

    /// <summary>Gives back an acquired call that was not made (a half-open circuit's trial stays available).</summary>
    public void Release(Guid providerId)
    {
        if (_states.TryGetValue(providerId, out var state))
        {
            lock (state)
            {
                state.TrialInFlight = false;
            }
        }
    }

    public void Success(Guid providerId, TimeSpan latency)
    {
        var state = _states.GetOrAdd(providerId, static _ => new State());
        lock (state)
        {
            state.LatencyEwmaMs = state.Calls == 0 ? latency.TotalMilliseconds : (1 - Alpha) * state.LatencyEwmaMs + Alpha * latency.TotalMilliseconds;
            state.ErrorRate = (1 - Alpha) * state.ErrorRate;
            state.Calls++;
            state.ConsecutiveFailures = 0;
            state.Circuit = CircuitStates.Closed;
            state.TrialInFlight = false;
        }
    }

    /// <param name="restFor">A 429's retry-after: the provider is skipped until then (not a circuit failure by itself).</param>
    public void Failure(Guid providerId, TimeSpan? restFor = null)
    {
        var state = _states.GetOrAdd(providerId, static _ => new State());
        var now = time.GetUtcNow();
        lock (state)
        {
            state.ErrorRate = (1 - Alpha) * state.ErrorRate + Alpha;
            state.Calls++;
            state.TrialInFlight = false;
            if (restFor is { } rest)
            {
                state.RestUntil = now + rest;
                return;
            }
            state.ConsecutiveFailures++;
            if (state.Circuit == CircuitStates.HalfOpen || state.ConsecutiveFailures >= FailuresToOpen)
            {
                state.Circuit = CircuitStates.Open;
                state.OpenUntil = now + OpenFor;
            }
        }
    }

    public Snapshot Of(Guid providerId)
    {
        if (!_states.TryGetValue(providerId, out var state))
        {
            return new Snapshot(1, CircuitStates.Closed, 0, 0);
        }
        lock (state)
        {
            var circuit = state.Circuit == CircuitStates.Open && state.OpenUntil <= time.GetUtcNow() ? CircuitStates.HalfOpen : state.Circuit;
            var score = (1 - state.ErrorRate) / (1 + state.LatencyEwmaMs / 2000);
            return new Snapshot(circuit == CircuitStates.Open ? 0 : score, circuit, state.LatencyEwmaMs, state.ErrorRate);
        }
    }

    private sealed class State
    {
        public string Circuit = CircuitStates.Closed;
        public DateTimeOffset OpenUntil;
        public DateTimeOffset RestUntil;
        public bool TrialInFlight;
        public int ConsecutiveFailures;
        public long Calls;
        public double LatencyEwmaMs;
        public double ErrorRate;
    }
}
