using System.ComponentModel.DataAnnotations;
using Synaxis.Keys.Infrastructure;
using Synaxis.ServiceKit.Keys;

namespace Synaxis.Keys.Contracts;

/// <summary>A non-empty list of distinct, known API key scopes.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ApiKeyScopesAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not IEnumerable<string?> scopes)
        {
            return value is null ? ValidationResult.Success : Fail(validationContext, "must be a list of scopes");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in scopes)
        {
            if (!ApiKeyScopes.IsKnown(scope))
            {
                return Fail(validationContext, $"may only contain {string.Join(" and ", ApiKeyScopes.All.Select(s => $"'{s}'"))}");
            }
            if (!seen.Add(scope!))
            {
                return Fail(validationContext, $"lists '{scope}' twice");
            }
        }
        return seen.Count == 0 ? Fail(validationContext, "needs at least one scope") : ValidationResult.Success;
    }

    private static ValidationResult Fail(ValidationContext context, string problem) =>
        new($"{context.DisplayName} {problem}.", context.MemberName is { } member ? [member] : null);
}

/// <summary>Absent, or a moment still to come.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class InTheFutureAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not DateTimeOffset moment)
        {
            return ValidationResult.Success;
        }
        var now = (validationContext.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System).GetUtcNow();
        return moment > now
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.DisplayName} must be in the future.",
                validationContext.MemberName is { } member ? [member] : null);
    }
}

/// <summary>Absent, or up to 50 non-blank model names of up to 200 characters.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ModelNamesAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not IEnumerable<string?> models)
        {
            return ValidationResult.Success;
        }
        var count = 0;
        foreach (var model in models)
        {
            if (++count > Limits.MaxAllowedModels)
            {
                return Fail(validationContext, $"may list at most {Limits.MaxAllowedModels} models");
            }
            if (string.IsNullOrWhiteSpace(model) || model.Length > Limits.ModelNameLength)
            {
                return Fail(validationContext, $"entries must be model names of 1 to {Limits.ModelNameLength} characters");
            }
        }
        return ValidationResult.Success;
    }

    private static ValidationResult Fail(ValidationContext context, string problem) =>
        new($"{context.DisplayName} {problem}.", context.MemberName is { } member ? [member] : null);
}

/// <summary>Absent, or a Guid other than the empty one.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotEmptyGuidAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is Guid id && id == Guid.Empty
            ? new ValidationResult($"{validationContext.DisplayName} must not be the empty Guid.",
                validationContext.MemberName is { } member ? [member] : null)
            : ValidationResult.Success;
}
