using System.ComponentModel.DataAnnotations;

namespace Synaxis.Routing.Contracts;

/// <summary>Absent, or exactly one of the given values (case-sensitive, as stored).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OneOfAttribute(params string[] allowed) : ValidationAttribute
{
    public IReadOnlyList<string> Allowed { get; } = allowed;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null || (value is string text && Allowed.Contains(text, StringComparer.Ordinal))
            ? ValidationResult.Success
            : Invalid.Result(validationContext, $"must be one of {string.Join(", ", Allowed.Select(a => $"'{a}'"))}");
}

/// <summary>Absent, or not empty and not only white space (for optional fields of a PATCH).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotBlankAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string text && string.IsNullOrWhiteSpace(text)
            ? Invalid.Result(validationContext, "must not be blank")
            : ValidationResult.Success;
}

/// <summary>
/// Absent, or an absolute <c>http</c> or <c>https</c> URL without user name or password (credentials go in
/// <c>apiKey</c>, which is encrypted and never shown; a URL is shown to every member).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class HttpUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is null)
        {
            return ValidationResult.Success;
        }
        if (value is not string text || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            return Invalid.Result(validationContext, "must be an absolute http or https URL");
        }
        if (uri.UserInfo.Length > 0)
        {
            return Invalid.Result(validationContext, "must not contain a user name or password (send the key as apiKey)");
        }
        if (uri.Fragment.Length > 0)
        {
            return Invalid.Result(validationContext, "must not contain a fragment");
        }
        return ValidationResult.Success;
    }
}

/// <summary>Absent, or a model name: 1 to 200 characters, no white space or control characters.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ModelNameAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null || (value is string name && IsModelName(name))
            ? ValidationResult.Success
            : Invalid.Result(validationContext, Rule);

    internal const string Rule = "must be 1 to 200 characters without white space";

    internal static bool IsModelName(string? name) =>
        name is { Length: > 0 and <= CatalogLimits.ModelNameLength } && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
}

/// <summary>Absent, or up to 20 distinct model names.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ModelAliasesAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not IEnumerable<string?> aliases)
        {
            return ValidationResult.Success;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alias in aliases)
        {
            if (!ModelNameAttribute.IsModelName(alias))
            {
                return Invalid.Result(validationContext, $"entries {ModelNameAttribute.Rule}");
            }
            if (!seen.Add(alias!))
            {
                return Invalid.Result(validationContext, $"lists '{alias}' twice");
            }
            if (seen.Count > CatalogLimits.MaxAliases)
            {
                return Invalid.Result(validationContext, $"may list at most {CatalogLimits.MaxAliases} aliases");
            }
        }
        return ValidationResult.Success;
    }
}

/// <summary>Absent, or a price per 1M tokens: 0 to 1,000,000 US dollars with at most 9 decimals.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PricePer1MAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not decimal price)
        {
            return ValidationResult.Success;
        }
        if (price < 0 || price > CatalogLimits.MaxPricePer1M)
        {
            return Invalid.Result(validationContext, "must be between 0 and 1,000,000 US dollars");
        }
        return decimal.Round(price, CatalogLimits.PriceDecimals) == price
            ? ValidationResult.Success
            : Invalid.Result(validationContext, $"may have at most {CatalogLimits.PriceDecimals} decimals");
    }
}

/// <summary>Absent, or text without control characters (a secret sent in an HTTP header: no line breaks).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NoControlCharactersAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string text && text.Any(char.IsControl)
            ? Invalid.Result(validationContext, "must not contain control characters")
            : ValidationResult.Success;
}

/// <summary>Absent, or a Guid other than the empty one.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotEmptyGuidAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is Guid id && id == Guid.Empty
            ? Invalid.Result(validationContext, "must not be the empty Guid")
            : ValidationResult.Success;
}

file static class Invalid
{
    public static ValidationResult Result(ValidationContext context, string problem) =>
        new($"{context.DisplayName} {problem}.", context.MemberName is { } member ? [member] : null);
}
