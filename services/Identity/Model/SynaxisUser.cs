using Microsoft.AspNetCore.Identity;
using Synaxis.ServiceKit.Data;

namespace Synaxis.Identity.Model;

public sealed class SynaxisUser : IdentityUser<Guid>, IAuditable, ISoftDeletable
{
    public SynaxisUser()
    {
        Id = Guid.CreateVersion7();
        SecurityStamp = Guid.NewGuid().ToString();
    }

    public required string DisplayName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public Guid? DeletedBy { get; set; }
}

/// <summary>ASP.NET Core Identity role (platform-wide); organization roles live on memberships.</summary>
public sealed class SynaxisRole : IdentityRole<Guid>, IAuditable, ISoftDeletable
{
    public SynaxisRole() => Id = Guid.CreateVersion7();

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public Guid? DeletedBy { get; set; }
}
