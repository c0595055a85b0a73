using Microsoft.IdentityModel.Tokens;
using Synaxis.ServiceKit.Security;

namespace Synaxis.Identity.Infrastructure;

/// <summary>
/// Resolves the signing credentials before the service answers anything, so a weak or missing JWT
/// key stops startup with a logged reason rather than failing the first login.
/// </summary>
internal sealed class JwtKeyCheck(IServiceProvider services, ILogger<JwtKeyCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            services.GetRequiredService<SigningCredentials>();
            return Task.CompletedTask;
        }
        catch (SecurityConfigurationException ex)
        {
            logger.LogCritical(ex, "Identity cannot start: {Reason}", ex.Message);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
