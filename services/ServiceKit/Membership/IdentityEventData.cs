using System.Text.Json;

namespace Synaxis.ServiceKit.Membership;

/// <summary>
/// Reads what consuming services need from Identity's event bodies: <c>{before, after}</c> snapshots (member:
/// <c>{userId, role}</c>, organization: <c>{id}</c>, group: <c>{id, name, slug}</c>), or the same fields at
/// the top level.
/// </summary>
public static class IdentityEventData
{
    public static Guid? UserId(JsonElement data) => FindGuid(data, "userId");

    public static Guid? GroupId(JsonElement data) => FindGuid(data, "groupId") ?? FindGuid(data, "id");

    public static Guid? OrganizationId(JsonElement data) => FindGuid(data, "organizationId") ?? FindGuid(data, "id");

    /// <summary>The role after the change.</summary>
    public static string? Role(JsonElement data) =>
        (Find(data, "after", "role") ?? Find(data, null, "role")) is { ValueKind: JsonValueKind.String } role ? role.GetString() : null;

    private static Guid? FindGuid(JsonElement data, string name)
    {
        foreach (var section in (string?[])["after", "before", null])
        {
            if (Find(data, section, name) is { ValueKind: JsonValueKind.String } value && value.TryGetGuid(out var id) && id != Guid.Empty)
            {
                return id;
            }
        }
        return null;
    }

    private static JsonElement? Find(JsonElement data, string? section, string name)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var scope = data;
        if (section is not null && (!data.TryGetProperty(section, out scope) || scope.ValueKind != JsonValueKind.Object))
        {
            return null;
        }
        foreach (var property in scope.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }
}
