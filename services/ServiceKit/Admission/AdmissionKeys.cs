namespace Synaxis.ServiceKit.Admission;

/// <summary>
/// Redis key layout. Every key of an organization shares the hash tag <c>{org:&lt;id&gt;}</c> (one Cluster slot).
/// </summary>
public static class AdmissionKeys
{
    public static string HashTag(string organizationId)
    {
        CheckOrganizationId(organizationId);
        return "{org:" + organizationId + "}";
    }

    private static void CheckOrganizationId(string organizationId)
    {
        if (string.IsNullOrEmpty(organizationId) || organizationId.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("Organization id must be non-empty and contain no braces.", nameof(organizationId));
        }
    }

    /// <summary>The hash holding every counter of one level.</summary>
    public static string Level(string organizationId, LimitLevel level, string id) =>
        $"rl:{HashTag(organizationId)}:{level.ToWire()}:{id}";

    /// <summary>
    /// The mirror of one level's policy (hash fields <c>rpm</c>, <c>tpm</c>, <c>tpd</c>, <c>budget_micro_usd</c>;
    /// an absent field is no limit; <c>v</c> orders writes). Written by the RateLimit service after its database commits.
    /// </summary>
    public static string Policy(string organizationId, LimitLevel level, string id) =>
        $"rl:{HashTag(organizationId)}:policy:{level.ToWire()}:{id}";

    /// <summary>A lease's reservation template (<see cref="LeaseScripts.Lease"/>).</summary>
    public static string LeaseTemplate(string organizationId, string leaseId)
    {
        CheckOrganizationId(organizationId);
        return string.Concat("rl:{org:", organizationId, "}:lease:", leaseId);
    }

    public static string Reservation(string organizationId, string reservationId)
    {
        CheckOrganizationId(organizationId);
        return string.Concat("rl:{org:", organizationId, "}:res:", reservationId);
    }
}
