using Microsoft.Extensions.Options;

namespace Synaxis.ServiceKit.Events;

/// <summary>Fails startup on settings that would make the relay or consumers spin or stall.</summary>
internal sealed class EventOptionsValidator : IValidateOptions<EventOptions>
{
    public ValidateOptionsResult Validate(string? name, EventOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.StreamName))
        {
            failures.Add($"{nameof(EventOptions.StreamName)} is required.");
        }
        RequirePositive(failures, nameof(EventOptions.StreamMaxLength), options.StreamMaxLength);
        RequirePositive(failures, nameof(EventOptions.UsageStreamMaxLength), options.UsageStreamMaxLength);
        RequirePositive(failures, nameof(EventOptions.RelayBatchSize), options.RelayBatchSize);
        RequirePositive(failures, nameof(EventOptions.ConsumerBatchSize), options.ConsumerBatchSize);
        RequirePositive(failures, nameof(EventOptions.MaxDeliveries), options.MaxDeliveries);
        RequirePositive(failures, nameof(EventOptions.RelayPollInterval), options.RelayPollInterval);
        RequirePositive(failures, nameof(EventOptions.RelayMaxBackoff), options.RelayMaxBackoff);
        RequirePositive(failures, nameof(EventOptions.ConsumerPollInterval), options.ConsumerPollInterval);
        RequirePositive(failures, nameof(EventOptions.ConsumerMaxBackoff), options.ConsumerMaxBackoff);
        RequirePositive(failures, nameof(EventOptions.ClaimMinIdle), options.ClaimMinIdle);
        RequirePositive(failures, nameof(EventOptions.ClaimInterval), options.ClaimInterval);
        // SET … EX takes whole seconds.
        if (options.PublishedMarkerTtl < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{nameof(EventOptions.PublishedMarkerTtl)} must be at least one second.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(List<string> failures, string name, long value)
    {
        if (value <= 0)
        {
            failures.Add($"{name} must be positive.");
        }
    }

    private static void RequirePositive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{name} must be positive.");
        }
    }
}
