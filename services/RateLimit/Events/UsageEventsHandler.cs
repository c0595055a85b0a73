using System.Text.Json;
using Synaxis.ServiceKit.Admission;
using Synaxis.ServiceKit.Events;
using Synaxis.ServiceKit.Inference;

namespace Synaxis.RateLimit.Events;

/// <summary>
/// Reconciles admission reservations with Routing's <c>UsageRecorded</c> events (the usage stream): the tokens/min, tokens/day and
/// monthly-budget counters of every level the reservation charged move from the gateway's estimate to the true
/// usage. Runs as its own consumer group (<see cref="ConsumerGroup"/>): the consumer infrastructure runs one
/// handler per group, and inference traffic must not queue behind (or ahead of) Identity's events.
/// </summary>
/// <remarks>
/// Only Redis changes, and <see cref="RedisAdmissionController.ReconcileAsync(string, string, long, long, long?)"/>
/// applies a reservation at most once by itself: a redelivery after a failed commit of the consumer's transaction
/// (the ProcessedEvents row) answers <c>AlreadyReconciled</c> and changes nothing. An event that can never be applied
/// (unreadable body, negative or overflowing numbers) is logged and acknowledged rather than thrown, so it is not
/// retried until dead-lettered; throwing is left to failures that a retry can fix (Redis unreachable).
/// </remarks>
public sealed partial class UsageEventsHandler(RedisAdmissionController admission, ILogger<UsageEventsHandler> logger) : IEventHandler
{
    public const string ConsumerGroup = "ratelimit-usage";

    public bool Handles(string eventType) => eventType == UsageRecordedData.EventType;

    public async Task HandleAsync(SynaxisEvent @event, CancellationToken cancellationToken)
    {
        if (!TryRead(@event, out var usage, out var error))
        {
            LogUnreadable(logger, @event.Id, error);
            return;
        }
        if (string.IsNullOrEmpty(usage.ReservationId) || @event.OrganizationId is not { } organizationId)
        {
            LogNothingToReconcile(logger, @event.Id);
            return;
        }
        if (usage.InputTokens < 0 || usage.OutputTokens < 0 || usage.CostUsd < 0)
        {
            LogNegative(logger, @event.Id, usage.ReservationId, usage.InputTokens, usage.OutputTokens, usage.CostUsd);
            return;
        }
        long tokens, costMicroUsd;
        try
        {
            tokens = checked(usage.InputTokens + usage.OutputTokens);
            costMicroUsd = MicroUsd.FromUsd(usage.CostUsd);
        }
        catch (OverflowException)
        {
            LogOutOfRange(logger, @event.Id, usage.ReservationId, usage.InputTokens, usage.OutputTokens, usage.CostUsd);
            return;
        }

        // StackExchange.Redis takes no token; stop waiting on shutdown. Whether the script then ran or not, the
        // redelivery is safe: reconciliation happens once per reservation.
        var result = await admission.ReconcileAsync(organizationId.ToString(), usage.ReservationId, tokens, costMicroUsd)
            .WaitAsync(cancellationToken);
        switch (result.Outcome)
        {
            case ReconcileOutcome.Reconciled:
                LogReconciled(logger, usage.ReservationId, organizationId, tokens, result.TokenDelta, costMicroUsd, result.CostDeltaMicroUsd);
                break;
            case ReconcileOutcome.AlreadyReconciled:
                LogAlreadyReconciled(logger, usage.ReservationId, organizationId, @event.Id);
                break;
            default:
                LogMissing(logger, usage.ReservationId, organizationId, @event.Id);
                break;
        }
    }

    private static bool TryRead(SynaxisEvent @event, out UsageRecordedData usage, out string error)
    {
        try
        {
            if (@event.DataAs(InferenceEventsJsonContext.Default.UsageRecordedData) is { } data)
            {
                (usage, error) = (data, string.Empty);
                return true;
            }
            (usage, error) = (null!, "the body is JSON null");
        }
        catch (JsonException ex)
        {
            (usage, error) = (null!, ex.Message);
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored UsageRecorded event {EventId}: its body is not usage data ({Error}).")]
    private static partial void LogUnreadable(ILogger logger, Guid eventId, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "UsageRecorded event {EventId} names no reservation or no organization: nothing to reconcile.")]
    private static partial void LogNothingToReconcile(ILogger logger, Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Ignored UsageRecorded event {EventId} for reservation {ReservationId}: negative usage ({InputTokens} input, {OutputTokens} output tokens, {CostUsd} USD).")]
    private static partial void LogNegative(ILogger logger, Guid eventId, string reservationId, long inputTokens, long outputTokens, decimal costUsd);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Ignored UsageRecorded event {EventId} for reservation {ReservationId}: usage out of range ({InputTokens} input, {OutputTokens} output tokens, {CostUsd} USD).")]
    private static partial void LogOutOfRange(ILogger logger, Guid eventId, string reservationId, long inputTokens, long outputTokens, decimal costUsd);

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Reconciled reservation {ReservationId} of organization {OrganizationId}: {Tokens} tokens and {CostMicroUsd} micro-USD; actual minus estimate: {TokenDelta} tokens, {CostDelta} micro-USD.")]
    private static partial void LogReconciled(ILogger logger, string reservationId, Guid organizationId, long tokens, long tokenDelta, long costMicroUsd, long costDelta);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reservation {ReservationId} of organization {OrganizationId} was already reconciled; event {EventId} changed nothing.")]
    private static partial void LogAlreadyReconciled(ILogger logger, string reservationId, Guid organizationId, Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Reservation {ReservationId} of organization {OrganizationId} (event {EventId}) is unknown or expired: its estimate stays charged.")]
    private static partial void LogMissing(ILogger logger, string reservationId, Guid organizationId, Guid eventId);
}
