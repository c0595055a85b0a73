using System.Text;
using System.Text.Json.Nodes;

namespace Synaxis.Routing.Tests.Anthropic;

internal static class JsonAssert
{
    public static JsonNode Parse(byte[] utf8) => JsonNode.Parse(utf8) ?? throw new Xunit.Sdk.XunitException("JSON null");

    public static JsonNode Parse(string json) => JsonNode.Parse(json) ?? throw new Xunit.Sdk.XunitException("JSON null");

    /// <summary>Deep, order-insensitive-for-properties equality, with both sides shown on failure.</summary>
    public static void Equal(string expectedJson, JsonNode? actual)
    {
        var expected = Parse(expectedJson);
        if (!JsonNode.DeepEquals(expected, actual))
        {
            throw new Xunit.Sdk.XunitException(
                $"JSON differs.\nExpected: {expected.ToJsonString()}\nActual:   {actual?.ToJsonString() ?? "null"}");
        }
    }

    public static void Equal(string expectedJson, byte[] actualUtf8) => Equal(expectedJson, Parse(actualUtf8));

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>Replaces each <c>&lt;&lt;Name&gt;&gt;</c> in a JSON template (interpolated raw strings trip over JSON's <c>}}</c>).</summary>
    public static string Fill(string template, params (string Name, object? Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            template = template.Replace($"<<{name}>>", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        Assert.DoesNotContain("<<", template, StringComparison.Ordinal);
        return template;
    }
}
