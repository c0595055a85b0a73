namespace Synaxis.MockProvider.Models;

public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    public static Usage Of(int promptTokens, int completionTokens) =>
        new(promptTokens, completionTokens, promptTokens + completionTokens);
}

public sealed record StreamOptions(bool? IncludeUsage);
