using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Synaxis.ServiceKit.Data;

/// <summary>Who is making the current change, for <see cref="ISoftDeletable.DeletedBy"/> and audit events.</summary>
public interface IActorAccessor
{
    Guid? ActorId { get; }
}

/// <summary>The caller of the current HTTP request (its <c>sub</c> claim); null outside a request.</summary>
public sealed class HttpContextActorAccessor(IHttpContextAccessor httpContextAccessor) : IActorAccessor
{
    public Guid? ActorId =>
        Guid.TryParse(httpContextAccessor.HttpContext?.User.FindFirstValue("sub"), out var id) ? id : null;
}
