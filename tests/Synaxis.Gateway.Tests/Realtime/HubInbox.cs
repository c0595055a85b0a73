extern alias audit;

using System.Text.Json;
using audit::Synaxis.Audit.Realtime;
using Microsoft.AspNetCore.SignalR.Client;

namespace Synaxis.Gateway.Tests.Realtime;

/// <summary>One message a client received: the hub method and its argument as raw JSON.</summary>
public sealed record ReceivedMessage(string Method, string Json);

/// <summary>Everything a hub client receives on any of the methods API.md lists, with waits for a given message.</summary>
public sealed class HubInbox
{
    public static readonly string[] Methods =
    [
        AuditBroadcastMethods.AuditEvent,
        AuditBroadcastMethods.UsageRecorded,
        AuditBroadcastMethods.ProviderHealthChanged,
        AuditBroadcastMethods.KeyRevoked,
        AuditBroadcastMethods.CostOptimizationApplied,
    ];

    private readonly Lock _gate = new();
    private readonly List<ReceivedMessage> _messages = [];
    private TaskCompletionSource _arrived = NewSignal();

    public HubInbox(HubConnection connection)
    {
        foreach (var method in Methods)
        {
            connection.On<JsonElement>(method, payload => Add(new ReceivedMessage(method, payload.GetRawText())));
        }
    }

    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>The first message whose JSON contains <paramref name="text"/>, or null once <paramref name="timeout"/> has passed.</summary>
    public Task<ReceivedMessage?> WaitForAsync(string text, TimeSpan timeout) =>
        WaitForAsync(message => message.Json.Contains(text, StringComparison.Ordinal), timeout);

    /// <summary>The first message of <paramref name="method"/> whose JSON contains <paramref name="text"/>, or null after <paramref name="timeout"/>.</summary>
    public Task<ReceivedMessage?> WaitForAsync(string method, string text, TimeSpan timeout) =>
        WaitForAsync(message => message.Method == method && message.Json.Contains(text, StringComparison.Ordinal), timeout);

    /// <summary>The first message that satisfies <paramref name="match"/>, or null once <paramref name="timeout"/> has passed.</summary>
    public async Task<ReceivedMessage?> WaitForAsync(Predicate<ReceivedMessage> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_messages.Find(match) is { } found)
                {
                    return found;
                }
                arrived = _arrived.Task;
            }
            try
            {
                await arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    private void Add(ReceivedMessage message)
    {
        TaskCompletionSource arrived;
        lock (_gate)
        {
            _messages.Add(message);
            arrived = _arrived;
            _arrived = NewSignal();
        }
        arrived.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
