using System.ComponentModel.DataAnnotations;

namespace Synaxis.Identity.Contracts;

/// <summary>
/// What an email address must look like to be worth a lookup: a name, one @, and a domain of dot-separated
/// labels, with no whitespace inside (surrounding whitespace is trimmed by the handlers). Stricter than
/// <see cref="EmailAddressAttribute"/>, which lets "a b@c" and "a@.b" through.
/// </summary>
public static class EmailFormat
{
    public const string Pattern = @"^\s*[^@\s]+@[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)*\s*$";
    public const string Rule = "An email address is a name, one @ and a domain, with no spaces (e.g. 'ada@example.com').";
}

/// <summary>An optional string that, when given, must not be only whitespace (null means "leave as is").</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class NotBlankAttribute : ValidationAttribute
{
    public NotBlankAttribute() : base("The {0} field cannot be blank.")
    {
    }

    public override bool IsValid(object? value) => value is not string text || !string.IsNullOrWhiteSpace(text);
}
