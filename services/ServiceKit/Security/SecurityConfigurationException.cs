namespace Synaxis.ServiceKit.Security;

/// <summary>
/// A security setting is missing or too weak to run with. Thrown at startup so the host stops with a
/// logged reason instead of running insecurely (and instead of <c>Environment.Exit</c>, which would
/// skip logging and disposal).
/// </summary>
public sealed class SecurityConfigurationException(string message) : Exception(message);
