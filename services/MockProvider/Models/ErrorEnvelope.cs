namespace Synaxis.MockProvider.Models;

/// <summary>OpenAI's error body: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
public sealed record ErrorEnvelope(ErrorBody Error);

/// <summary><c>param</c> and <c>code</c> are written as <c>null</c> when absent, as OpenAI does.</summary>
public sealed record ErrorBody(string Message, string Type, string? Param, string? Code);
