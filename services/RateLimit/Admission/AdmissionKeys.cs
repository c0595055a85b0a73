namespace Synaxis.RateLimit.Admission;

/// <summary>
/// Redis key layout. Every key of an organization shares the hash tag <c>{org:&lt;id&gt;}</c> (one Cluster slot).
/// </summary>
public static class AdmissionKeys
{
    public static string HashTag(string organizationId)
    {
        if (string.IsNullOrEmpty(organizationId) || organizationId.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("Organization id must be non-empty and contain no braces.", nameof(organizationId));
        }
        return "{org:" + organizationId + "}";
    }

    /// <summary>The hash holding every counter of one level.</summary>
    public static string Level(string organizationId, LimitLevel level, string id) =>
        $"rl:{HashTag(organizationId)}:{level.ToWire()}:{id}";

    public static string Reservation(string organizationId, string reservationId) =>
        $"rl:{HashTag(organizationId)}:res:{reservationId}";
}
