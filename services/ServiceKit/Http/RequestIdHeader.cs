using System.Buffers;

namespace Synaxis.ServiceKit.Http;

/// <summary>
/// The request id every hop carries in <c>x-request-id</c>: the gateway fixes one per request (keeping a client's own
/// only when it passes <see cref="IsSane"/>) and sends it to every service, which reads it beside the signed internal
/// identity. Only short plain tokens are accepted anywhere, so an id can never smuggle anything into logs or headers.
/// </summary>
public static class RequestIdHeader
{
    public const string Name = "x-request-id";
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static bool IsSane(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && !value.AsSpan().ContainsAnyExcept(Allowed);
}
