using Microsoft.Extensions.Options;
using Synaxis.MockProvider.Faults;

namespace Synaxis.MockProvider.Extensions;

public static class ApplicationServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MockProviderOptions>()
            .Bind(builder.Configuration.GetSection(MockProviderOptions.SectionName))
            .Validate(options => options.EmbeddingDimensions is >= 1 and <= MockProviderOptions.MaxEmbeddingDimensions,
                $"MockProvider:EmbeddingDimensions must be between 1 and {MockProviderOptions.MaxEmbeddingDimensions}.")
            .Validate(options => FaultKinds.TryParse(options.Faults.Fault, out _) && FaultKinds.TryParse(options.Faults.RandomFault, out _),
                $"MockProvider:Faults:Fault and RandomFault must be one of: {FaultKinds.Names}.")
            .Validate(options => options.Faults.ErrorRate is >= 0 and <= 1,
                "MockProvider:Faults:ErrorRate must be between 0 and 1.")
            .Validate(options => options.Faults is { LatencyMs: >= 0, ChunkDelayMs: >= 0, RetryAfterSeconds: >= 0, CutAfterChunks: >= 0 },
                "MockProvider:Faults delays and counts must not be negative.")
            .ValidateOnStart();

        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton(services =>
            new FaultDice(services.GetRequiredService<IOptions<MockProviderOptions>>().Value.Faults.Seed));

        return builder;
    }
}
