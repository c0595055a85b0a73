namespace Synaxis.Routing.Contracts;

/// <summary>The bounds the admin APIs accept; lengths match the schema's columns.</summary>
public static class CatalogLimits
{
    public const int ProviderNameLength = 100;
    public const int BaseUrlLength = 2048;
    public const int ApiKeyLength = 4096;
    public const int ApiVersionLength = 32;
    public const int ModelNameLength = 200;
    public const int MaxAliases = 20;
    public const int MaxContextWindow = 100_000_000;

    /// <summary>Prices per 1M tokens, in US dollars: <c>numeric(18,9)</c> holds up to 999,999,999.999999999.</summary>
    public const int MaxPricePer1M = 1_000_000;

    public const int PriceDecimals = 9;
}
