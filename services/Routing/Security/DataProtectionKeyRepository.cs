using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Synaxis.Routing.Infrastructure;

namespace Synaxis.Routing.Security;

/// <summary>
/// Data Protection's key ring in <c>routing."DataProtectionKeys"</c> (the table <see cref="RoutingDbContext"/> maps).
/// Used instead of <c>PersistKeysToDbContext</c>, whose repository saves with a synchronous <c>SaveChanges</c> that the
/// shared auditing interceptor refuses; <see cref="IXmlRepository"/> is synchronous, so the insert is a synchronous
/// SQL statement, which no SaveChanges interceptor sees. Keys are written rarely (first start, then every 90 days).
/// </summary>
internal sealed class DataProtectionKeyRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        return db.DataProtectionKeys.AsNoTracking()
            .OrderBy(k => k.Id)
            .Select(k => k.Xml)
            .AsEnumerable()
            .Where(xml => !string.IsNullOrEmpty(xml))
            .Select(xml => XElement.Parse(xml!))
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RoutingDbContext>();
        var xml = element.ToString(SaveOptions.DisableFormatting);
        db.Database.ExecuteSql($"""
            INSERT INTO routing."DataProtectionKeys" ("FriendlyName", "Xml") VALUES ({friendlyName}, {xml})
            """);
    }
}
